// Per-target scrape cache: series text -> (storage ref, final labels) so that a steady-state
// scrape does no label parsing or relabeling, plus the series seen in the last two scrapes
// for staleness markers and the metric metadata the target exposes.
import type { Labels } from "../model/labels.js";
import type { SeriesRef } from "../storage/interface.js";
import type { MetricType, Parser } from "../textparse/interface.js";

export interface CacheEntry {
  readonly bytes: Uint8Array;
  ref: SeriesRef;
  /** Final labels after target labels and metric relabeling; undefined when relabeling drops the series. */
  readonly labels: Labels | undefined;
  readonly labelsHash: number;
  lastIter: number;
  /** The tracking generation in which it was last appended without an explicit timestamp. */
  trackedGen: number;
}

export interface MetricMetadata {
  type: MetricType;
  help: string;
  unit: string;
  lastIter: number;
}

export class ScrapeCache {
  /** Incremented once per scrape. */
  iter = 0;
  // Series texts are keyed by the lexer's 53-bit hash; equal hashes keep a short list.
  private readonly series = new Map<number, CacheEntry | CacheEntry[]>();
  // Entries appended without explicit timestamps in this and the last scrape: the ones of
  // the last scrape missing from this one get stale markers.
  private cur: CacheEntry[] = [];
  private prev: CacheEntry[] = [];
  private gen = 1;
  readonly metadata = new Map<string, MetricMetadata>();

  get(p: Parser): CacheEntry | undefined {
    const slot = this.series.get(p.seriesHash());
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return p.seriesEquals(slot.bytes) ? slot : undefined;
    for (const e of slot) if (p.seriesEquals(e.bytes)) return e;
    return undefined;
  }

  add(p: Parser, entry: CacheEntry): void {
    const h = p.seriesHash();
    const slot = this.series.get(h);
    if (slot === undefined) this.series.set(h, entry);
    else if (Array.isArray(slot)) slot.push(entry);
    else this.series.set(h, [slot, entry]);
  }

  /** Records that the entry was appended without an explicit timestamp in this scrape. */
  track(e: CacheEntry): void {
    if (e.trackedGen === this.gen) return;
    e.trackedGen = this.gen;
    this.cur.push(e);
  }

  /** Forgets what this scrape tracked (its appends were rolled back). */
  resetCurrent(): void {
    this.gen++;
    this.cur = [];
  }

  /** Label sets of the last scrape that this scrape did not append. */
  staleSeries(): Labels[] {
    const out: Labels[] = [];
    let stillThere: Set<number> | undefined;
    for (const e of this.prev) {
      if (e.trackedGen === this.gen || e.labels === undefined) continue;
      // Another series text may have produced the same labels this time (relabeling).
      stillThere ??= new Set(this.cur.map((c) => c.labelsHash));
      if (!stillThere.has(e.labelsHash)) out.push(e.labels);
    }
    return out;
  }

  setMetadata(name: string, update: Partial<Pick<MetricMetadata, "type" | "help" | "unit">>): void {
    let m = this.metadata.get(name);
    if (!m) {
      m = { type: "unknown", help: "", unit: "", lastIter: this.iter };
      this.metadata.set(name, m);
    }
    Object.assign(m, update);
    m.lastIter = this.iter;
  }

  /**
   * Ends a scrape. After a successful one, forgets series and metadata not seen in the last
   * two scrapes (bounded memory for churning targets); always rotates the staleness sets.
   */
  iterDone(flush: boolean): void {
    if (flush) {
      const keepAfter = this.iter - 2;
      for (const [h, slot] of this.series) {
        if (!Array.isArray(slot)) {
          if (slot.lastIter < keepAfter) this.series.delete(h);
          continue;
        }
        const kept = slot.filter((e) => e.lastIter >= keepAfter);
        if (kept.length === 0) this.series.delete(h);
        else this.series.set(h, kept.length === 1 ? kept[0]! : kept);
      }
      for (const [name, m] of this.metadata) if (m.lastIter < keepAfter) this.metadata.delete(name);
    }
    this.prev = this.cur;
    this.cur = [];
    this.gen++;
    this.iter++;
  }
}
