// Bench data: a Queryable over generated series held in typed arrays (src/ cannot import test/).
import { compareLabels, type Labels } from "../../src/model/labels.js";
import type { Matcher } from "../../src/model/matcher.js";
import { lowerBound } from "../../src/model/sample.js";
import type { Querier, Queryable, SelectHints, Series } from "../../src/storage/interface.js";

interface BenchSeries {
  readonly labels: Labels;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

export class BenchQueryable implements Queryable {
  private readonly series: BenchSeries[];

  constructor(series: BenchSeries[]) {
    this.series = series;
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const get = (s: BenchSeries, name: string) => s.labels.find((l) => l.name === name)?.value ?? "";
    return {
      select: async (sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> => {
        const lo = Math.max(mint, hints?.start ?? mint);
        const hi = Math.min(maxt, hints?.end ?? maxt);
        const out: Series[] = [];
        for (const s of this.series) {
          if (!matchers.every((m) => m.matches(get(s, m.name)))) continue;
          const a = lowerBound(s.ts, lo);
          const b = lowerBound(s.ts, hi + 1);
          if (b <= a) continue;
          const batch = { ts: s.ts.subarray(a, b), vs: s.vs.subarray(a, b) };
          out.push({ labels: s.labels, samples: () => batch });
        }
        if (sorted) out.sort((x, y) => compareLabels(x.labels, y.labels));
        return out;
      },
      labelNames: async () => [],
      labelValues: async () => [],
      close: () => {},
    };
  }
}

/** n series (counters and gauges across jobs/instances) of 15s samples over durationMs ending at endMs. */
export function generateSeries(n: number, endMs: number, durationMs: number): BenchSeries[] {
  const points = Math.floor(durationMs / 15_000);
  const out: BenchSeries[] = [];
  let seed = 1;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < n; i++) {
    const counter = i % 2 === 0;
    const labels: Labels = [
      { name: "__name__", value: counter ? "http_requests_total" : "memory_bytes" },
      { name: "instance", value: `host-${Math.floor(i / 2) % 500}` },
      { name: "job", value: `job-${i % 10}` },
      { name: "shard", value: String(Math.floor(i / 1000)) },
    ];
    const ts = new Float64Array(points);
    const vs = new Float64Array(points);
    let v = 0;
    for (let k = 0; k < points; k++) {
      ts[k] = endMs - durationMs + (k + 1) * 15_000;
      v = counter ? v + Math.floor(rnd() * 10) : 1000 + rnd() * 100;
      vs[k] = v;
    }
    out.push({ labels, ts, vs });
  }
  return out;
}
