// Per-queue series cache: the labels a sample is sent with (external labels added, then
// write_relabel_configs applied) and their encoded protobuf, computed once per series
// and found by the series ref the fanout passes along.
import { labelsEqual, labelsHash, labelsKey, type Label, type Labels } from "../model/labels.js";
import type { SeriesRef } from "../storage/interface.js";
import type { RelabelConfig } from "../relabel/config.js";
import { relabel } from "../relabel/relabel.js";
import { encodeLabelsField } from "./codec.js";

export interface WriteSeriesEntry {
  /** The labels as appended (compared to detect a reused ref). */
  readonly input: Labels;
  /** What is sent; undefined when relabeling dropped the series. */
  readonly labels: Labels | undefined;
  readonly labelBytes: Uint8Array;
  readonly hash: number;
  lastSeenMs: number;
}

export interface SeriesCacheOptions {
  readonly externalLabels: Labels;
  readonly relabelConfigs: readonly RelabelConfig[];
}

/** Adds external labels that the series does not already have (series labels win). */
export function addExternalLabels(labels: Labels, external: Labels): Labels {
  if (external.length === 0) return labels;
  const out: Label[] = [];
  let i = 0;
  let j = 0;
  while (i < labels.length || j < external.length) {
    if (j >= external.length || (i < labels.length && labels[i].name < external[j].name)) out.push(labels[i++]);
    else if (i >= labels.length || external[j].name < labels[i].name) out.push(external[j++]);
    else {
      out.push(labels[i++]);
      j++;
    }
  }
  return out;
}

export class WriteSeriesCache {
  private readonly opts: SeriesCacheOptions;
  private readonly byRef = new Map<SeriesRef, WriteSeriesEntry>();
  // Samples appended without a ref (no primary in front) are cached by label key instead.
  private readonly byKey = new Map<string, WriteSeriesEntry>();
  /** A coarse clock the owner advances, so lookups need no Date.now(). */
  nowMs = Date.now();

  constructor(opts: SeriesCacheOptions) {
    this.opts = opts;
  }

  get size(): number {
    return this.byRef.size + this.byKey.size;
  }

  get(ref: SeriesRef, labels: Labels): WriteSeriesEntry {
    let e = ref !== 0 ? this.byRef.get(ref) : this.byKey.get(labelsKey(labels));
    if (!e || (e.input !== labels && !labelsEqual(e.input, labels))) {
      e = this.build(labels);
      if (ref !== 0) this.byRef.set(ref, e);
      else this.byKey.set(labelsKey(labels), e);
    }
    e.lastSeenMs = this.nowMs;
    return e;
  }

  /** Forgets series not seen since cutoffMs (ended or relabeled away upstream). */
  sweep(cutoffMs: number): void {
    for (const [k, e] of this.byRef) if (e.lastSeenMs < cutoffMs) this.byRef.delete(k);
    for (const [k, e] of this.byKey) if (e.lastSeenMs < cutoffMs) this.byKey.delete(k);
  }

  private build(input: Labels): WriteSeriesEntry {
    const withExternal = addExternalLabels(input, this.opts.externalLabels);
    const labels = this.opts.relabelConfigs.length > 0 ? relabel(withExternal, this.opts.relabelConfigs) : withExternal;
    const kept = labels && labels.length > 0 ? labels : undefined;
    return {
      input,
      labels: kept,
      labelBytes: kept ? encodeLabelsField(kept) : new Uint8Array(0),
      hash: kept ? labelsHash(kept) : 0,
      lastSeenMs: this.nowMs,
    };
  }
}
