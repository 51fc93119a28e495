// A storage that keeps every sample in memory, for short-lived evaluations such as rule unit
// tests (promtool's test storage): no WAL, no chunks, no retention. Samples may arrive in any
// order; a later sample at the same time replaces the earlier one.
import { compareLabels, getLabel, labelsKey, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import { lowerBound } from "../model/sample.js";
import type { Appendable, Appender, Querier, Queryable, SelectHints, Series } from "./interface.js";

interface Stored {
  readonly labels: Labels;
  /** Sample times ascending, with values at the same index. */
  readonly ts: number[];
  readonly vs: number[];
}

export class MemoryStorage implements Appendable, Queryable {
  private readonly series = new Map<string, Stored>();

  /** Stores one sample at once (no transaction). */
  add(labels: Labels, t: number, v: number): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, ts: [], vs: [] };
      this.series.set(key, s);
    }
    const i = lowerBound(s.ts, t);
    if (s.ts[i] === t) s.vs[i] = v;
    else {
      s.ts.splice(i, 0, t);
      s.vs.splice(i, 0, v);
    }
  }

  appender(): Appender {
    const pending: [Labels, number, number][] = [];
    return {
      append: (_ref, labels, t, v) => {
        pending.push([labels, t, v]);
        return 0;
      },
      commit: async () => {
        for (const [labels, t, v] of pending.splice(0)) this.add(labels, t, v);
      },
      rollback: async () => {
        pending.length = 0;
      },
    };
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const matching = (matchers: readonly Matcher[]) => [...this.series.values()].filter((s) => matchers.every((m) => m.matches(getLabel(s.labels, m.name))));
    return {
      select: async (sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> => {
        const from = Math.max(mint, hints?.start ?? mint);
        const to = Math.min(maxt, hints?.end ?? maxt);
        const out: Series[] = [];
        for (const s of matching(matchers)) {
          const lo = lowerBound(s.ts, from);
          const hi = lowerBound(s.ts, to + 1);
          if (hi <= lo) continue;
          const batch = { ts: Float64Array.from(s.ts.slice(lo, hi)), vs: Float64Array.from(s.vs.slice(lo, hi)) };
          out.push({ labels: s.labels, samples: () => batch });
        }
        return sorted ? out.sort((a, b) => compareLabels(a.labels, b.labels)) : out;
      },
      labelNames: async (matchers: readonly Matcher[]) => [...new Set(matching(matchers).flatMap((s) => s.labels.map((l) => l.name)))].sort(),
      labelValues: async (name: string, matchers: readonly Matcher[]) =>
        [...new Set(matching(matchers).map((s) => getLabel(s.labels, name)))].filter((v) => v !== "").sort(),
      close: () => {},
    };
  }
}
