// A small in-memory Queryable for the PromQL tests: series in a map, samples kept sorted.
import { compareLabels, labelsKey, type Labels } from "../../src/model/labels.js";
import type { Matcher } from "../../src/model/matcher.js";
import { isStaleNaN, STALE_NAN, type SampleBatch } from "../../src/model/sample.js";
import type { Appender, Querier, Queryable, SelectHints, Series, SeriesRef } from "../../src/storage/interface.js";

interface StoredSeries {
  readonly labels: Labels;
  ts: number[];
  vs: number[];
  /**
   * Timestamps of stale markers. Plain JS arrays may canonicalise NaN payloads, so the marker
   * is kept apart and written back into the Float64Array a select returns.
   */
  stale: Set<number>;
  sorted: boolean;
}

export class MemoryStorage implements Queryable {
  private readonly series = new Map<string, StoredSeries>();

  /** Adds one sample; a later sample at the same timestamp replaces the earlier one. */
  add(labels: Labels, t: number, v: number): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, ts: [], vs: [], stale: new Set(), sorted: true };
      this.series.set(key, s);
    }
    if (isStaleNaN(v)) s.stale.add(t);
    else s.stale.delete(t);
    const n = s.ts.length;
    if (n > 0 && s.ts[n - 1] >= t) s.sorted = false;
    s.ts.push(t);
    s.vs.push(v);
  }

  appender(): Appender {
    const pending: { labels: Labels; t: number; v: number }[] = [];
    return {
      append: (_ref: SeriesRef, labels: Labels, t: number, v: number) => {
        pending.push({ labels, t, v });
        return 0;
      },
      commit: async () => {
        for (const p of pending.splice(0)) this.add(p.labels, p.t, p.v);
      },
      rollback: async () => {
        pending.length = 0;
      },
    };
  }

  clear(): void {
    this.series.clear();
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const all = [...this.series.values()].map((s) => this.normalize(s));
    const matching = (matchers: readonly Matcher[]) =>
      all.filter((s) => matchers.every((m) => m.matches(labelValue(s.labels, m.name))));
    return {
      select: async (sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> => {
        const lo = Math.max(mint, hints?.start ?? -Infinity);
        const hi = Math.min(maxt, hints?.end ?? Infinity);
        const out: Series[] = [];
        for (const s of matching(matchers)) {
          const batch = window(s, lo, hi);
          if (batch.ts.length === 0) continue;
          out.push({ labels: s.labels, samples: () => batch });
        }
        if (sorted) out.sort((a, b) => compareLabels(a.labels, b.labels));
        return out;
      },
      labelNames: async (matchers: readonly Matcher[]) => {
        const names = new Set<string>();
        for (const s of matching(matchers)) for (const l of s.labels) names.add(l.name);
        return [...names].sort();
      },
      labelValues: async (name: string, matchers: readonly Matcher[]) => {
        const values = new Set<string>();
        for (const s of matching(matchers)) {
          const v = labelValue(s.labels, name);
          if (v !== "") values.add(v);
        }
        return [...values].sort();
      },
      close: () => {},
    };
  }

  private normalize(s: StoredSeries): StoredSeries {
    if (s.sorted) return s;
    const byT = new Map<number, number>();
    for (let i = 0; i < s.ts.length; i++) byT.set(s.ts[i], s.vs[i]);
    const ts = [...byT.keys()].sort((a, b) => a - b);
    s.ts = ts;
    s.vs = ts.map((t) => byT.get(t)!);
    s.sorted = true;
    return s;
  }
}

function labelValue(labels: Labels, name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return "";
}

function window(s: StoredSeries, lo: number, hi: number): SampleBatch {
  let a = 0;
  while (a < s.ts.length && s.ts[a] < lo) a++;
  let b = a;
  while (b < s.ts.length && s.ts[b] <= hi) b++;
  const ts = Float64Array.from(s.ts.slice(a, b));
  const vs = Float64Array.from(s.vs.slice(a, b));
  if (s.stale.size > 0) for (let i = 0; i < ts.length; i++) if (s.stale.has(ts[i])) vs[i] = STALE_NAN;
  return { ts, vs };
}
