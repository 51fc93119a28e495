// Median latency of fixed instant and range queries over 10k series x 2h of 15s data held in
// memory. Run with `npm run bench:promql` after `npx tsc -p tsconfig.json`.
import { Engine } from "../../src/promql/engine.js";
import { BenchQueryable, generateSeries } from "./memory-queryable.js";

const END = 1_700_000_000_000;
const HOUR = 3_600_000;

const QUERIES: readonly { name: string; query: string; range: boolean }[] = [
  { name: "selector", query: "memory_bytes", range: false },
  { name: "rate", query: "rate(http_requests_total[5m])", range: false },
  { name: "sum by job rate", query: "sum by (job) (rate(http_requests_total[5m]))", range: false },
  { name: "topk", query: "topk(10, memory_bytes)", range: false },
  { name: "binary on instance", query: "rate(http_requests_total[5m]) / on(instance, job, shard) memory_bytes", range: false },
  { name: "quantile_over_time", query: "quantile_over_time(0.9, memory_bytes[10m])", range: false },
  { name: "range: sum rate (1h, 60s)", query: "sum by (job) (rate(http_requests_total[5m]))", range: true },
  { name: "range: avg_over_time (1h, 60s)", query: "avg(avg_over_time(memory_bytes[5m]))", range: true },
  { name: "range: subquery (1h, 60s)", query: "max_over_time(sum(rate(http_requests_total[5m]))[10m:1m])", range: true },
];

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const queryable = new BenchQueryable(generateSeries(10_000, END, 2 * HOUR));
  const engine = new Engine({});
  const rows: { query: string; ms: string }[] = [];
  for (const q of QUERIES) {
    const run = () => (q.range ? engine.rangeQuery(queryable, q.query, END - HOUR, END, 60_000) : engine.instantQuery(queryable, q.query, END));
    await run();
    rows.push({ query: q.name, ms: (await median(5, run)).toFixed(1) });
  }
  engine.close();
  const width = Math.max(...rows.map((r) => r.query.length));
  process.stdout.write(`${"query".padEnd(width)}  median ms\n`);
  for (const r of rows) process.stdout.write(`${r.query.padEnd(width)}  ${r.ms.padStart(9)}\n`);
}

await main();
