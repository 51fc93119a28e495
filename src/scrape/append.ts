// Turns one parsed scrape body into appends: cache lookups, target labels and metric
// relabeling on cache misses, limits, and stale markers for series that went away.
import { labelsFromList, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import { relabel } from "../relabel/relabel.js";
import { DuplicateSampleError, findCause, OutOfBoundsError, OutOfOrderSampleError, TooOldSampleError, UnknownSeriesRefError } from "../storage/errors.js";
import type { Appender } from "../storage/interface.js";
import { Entry, type Parser } from "../textparse/interface.js";
import { NO_SLOT, type ScrapeCache } from "./cache.js";
import { InvalidSampleError, LabelLimitError, SampleLimitError } from "./errors.js";
import type { ScrapeJobOptions } from "./options.js";
import type { Target } from "./target.js";

export interface AppendResult {
  /** Samples in the body. */
  total: number;
  /** Samples left after metric relabeling. */
  added: number;
  /** Series new to the cache in this scrape. */
  seriesAdded: number;
  outOfOrder: number;
  duplicates: number;
  outOfBounds: number;
}

/**
 * Adds the target's labels to a scraped label set (on cache misses only). With honor_labels
 * the scraped values win; otherwise the target's do, and a scraped value they replace moves
 * to exported_<name>, prefixed again until the name is free (shortest names first), as
 * Prometheus does.
 */
export function mutateSampleLabels(lset: Labels, target: Target, job: ScrapeJobOptions): Labels | undefined {
  const m = new Map<string, string>();
  for (const l of lset) m.set(l.name, l.value);
  if (job.honorLabels) {
    for (const l of target.labels) if (!m.has(l.name)) m.set(l.name, l.value);
  } else {
    const conflicts: Label[] = [];
    for (const l of target.labels) {
      const existing = m.get(l.name);
      if (existing) conflicts.push({ name: l.name, value: existing });
      m.set(l.name, l.value);
    }
    conflicts.sort((a, b) => a.name.length - b.name.length);
    for (const c of conflicts) {
      let name = c.name;
      do name = `exported_${name}`;
      while (m.get(name));
      m.set(name, c.value);
    }
  }
  const list: Label[] = [];
  for (const [name, value] of m) list.push({ name, value });
  const res = labelsFromList(list);
  const rc = job.metricRelabelConfigs ?? [];
  return rc.length > 0 ? relabel(res, rc) : res;
}

function checkLabelLimits(lset: Labels, job: ScrapeJobOptions): void {
  const { labelLimit = 0, labelNameLengthLimit = 0, labelValueLengthLimit = 0 } = job;
  const metric = () => (lset.find((l) => l.name === METRIC_NAME)?.value ?? "").slice(0, 50);
  if (labelLimit > 0 && lset.length > labelLimit) {
    throw new LabelLimitError(`label_limit exceeded (metric: ${metric()}, number of labels: ${lset.length}, limit: ${labelLimit})`);
  }
  for (const l of lset) {
    if (labelNameLengthLimit > 0 && l.name.length > labelNameLengthLimit) {
      throw new LabelLimitError(`label_name_length_limit exceeded (metric: ${metric()}, label name: ${l.name}, length: ${l.name.length}, limit: ${labelNameLengthLimit})`);
    }
    if (labelValueLengthLimit > 0 && l.value.length > labelValueLengthLimit) {
      throw new LabelLimitError(`label_value_length_limit exceeded (metric: ${metric()}, label name: ${l.name}, value: ${JSON.stringify(l.value)}, length: ${l.value.length}, limit: ${labelValueLengthLimit})`);
    }
  }
}

function checkDuplicates(lset: Labels): void {
  for (let i = 1; i < lset.length; i++) {
    if (lset[i]!.name === lset[i - 1]!.name) throw new InvalidSampleError(`label name ${JSON.stringify(lset[i]!.name)} is not unique: invalid sample`);
  }
}

/** Appends one sample, counting the storage errors Prometheus tolerates; rethrows the rest. */
function appendTolerant(app: Appender, ref: number, lset: Labels, t: number, v: number, res: AppendResult): number | undefined {
  try {
    return app.append(ref, lset, t, v);
  } catch (err) {
    if (findCause(err, OutOfOrderSampleError)) res.outOfOrder++;
    else if (findCause(err, DuplicateSampleError)) res.duplicates++;
    else if (findCause(err, OutOfBoundsError) || findCause(err, TooOldSampleError)) res.outOfBounds++;
    else throw err;
    return undefined;
  }
}

/** The stored label set of the parser's current series (undefined: relabeling drops it). */
function seriesLabels(p: Parser, target: Target, job: ScrapeJobOptions): Labels | undefined {
  const raw = p.labels();
  checkDuplicates(raw);
  const lset = mutateSampleLabels(raw, target, job);
  if (lset !== undefined) {
    if (!lset.some((l) => l.name === METRIC_NAME)) throw new InvalidSampleError("__name__ label is missing");
    checkLabelLimits(lset, job);
  }
  return lset;
}

const BY_REF: Labels = [];

/**
 * Appends every sample of the parser (undefined: an empty scrape, i.e. a failed one), then
 * stale markers at defaultTs for series of the previous scrape that are gone. A cached series
 * is appended by its ref alone; its labels are computed on a cache miss, or again when
 * storage has forgotten the ref.
 */
export function appendScrape(app: Appender, p: Parser | undefined, defaultTs: number, cache: ScrapeCache, target: Target, job: ScrapeJobOptions): AppendResult {
  const res: AppendResult = { total: 0, added: 0, seriesAdded: 0, outOfOrder: 0, duplicates: 0, outOfBounds: 0 };
  const honorTs = job.honorTimestamps ?? true;
  const sampleLimit = job.sampleLimit ?? 0;
  if (p) {
    for (let e = p.next(); e !== Entry.none; e = p.next()) {
      if (e !== Entry.series) {
        const name = p.metricName();
        if (e === Entry.type) cache.setMetadata(name, { type: p.type() });
        else if (e === Entry.help) cache.setMetadata(name, { help: p.help() });
        else if (e === Entry.unit) cache.setMetadata(name, { unit: p.unit() });
        continue;
      }
      res.total++;
      const parsedTs = honorTs ? p.timestamp() : undefined;
      const t = parsedTs ?? defaultTs;
      let slot = cache.get(p);
      const hit = slot !== NO_SLOT;
      let lset = BY_REF;
      if (!hit) {
        const computed = seriesLabels(p, target, job);
        slot = cache.add(p, computed === undefined);
        if (computed !== undefined) lset = computed;
      }
      cache.touch(slot);
      if (cache.isDropped(slot)) continue;
      // A series whose appends all failed so far has no ref to append by.
      if (hit && cache.ref(slot) === 0) lset = seriesLabels(p, target, job) ?? BY_REF;
      res.added++;
      if (sampleLimit > 0 && res.added > sampleLimit) continue;
      const v = p.value();
      let ref: number | undefined;
      try {
        ref = appendTolerant(app, cache.ref(slot), lset, t, v, res);
      } catch (err) {
        if (!(err instanceof UnknownSeriesRefError)) throw err;
        ref = appendTolerant(app, 0, seriesLabels(p, target, job) ?? BY_REF, t, v, res);
      }
      if (ref === undefined) continue;
      cache.setRef(slot, ref);
      if (!hit) res.seriesAdded++;
      if (parsedTs === undefined) cache.track(slot);
    }
    if (sampleLimit > 0 && res.added > sampleLimit) throw new SampleLimitError();
  }
  for (const ref of cache.staleRefs()) {
    try {
      appendTolerant(app, ref, BY_REF, defaultTs, STALE_NAN, res);
    } catch (err) {
      // Storage has dropped the series already: there is nothing left to mark stale.
      if (!(err instanceof UnknownSeriesRefError)) throw err;
    }
  }
  return res;
}
