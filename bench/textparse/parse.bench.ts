// Exposition parsing throughput on a 10k-series text body: the WASM lexer (src/textparse)
// vs a plain-TS parser (baseline-parser.ts), same process, same seeded body. Also the
// steady-state scrape cost per sample (warm series cache, no-op storage).
// Run: npm run build:wasm && npx tsc -p tsconfig.json && npm run bench:parse
import Benchmark from "benchmark";
import type { Appendable } from "../../src/storage/interface.js";
import { appendScrape } from "../../src/scrape/append.js";
import { ScrapeCache } from "../../src/scrape/cache.js";
import { populateTarget } from "../../src/scrape/target.js";
import { Entry } from "../../src/textparse/interface.js";
import { newParser } from "../../src/textparse/new-parser.js";
import { parseTextBaseline } from "./baseline-parser.js";
import { rng } from "../helpers/random.js";

const SERIES = 10_000;

/** node_exporter-like families: HELP/TYPE, 2-4 labels, mixed integer and float values. */
function makeBody(): Buffer {
  const r = rng(42);
  const lines: string[] = [];
  let n = 0;
  for (let f = 0; n < SERIES; f++) {
    const name = `node_family_${f}_total`;
    lines.push(`# HELP ${name} Family number ${f} of the benchmark body.`, `# TYPE ${name} counter`);
    for (let k = 0; k < 50 && n < SERIES; k++, n++) {
      const v = r() < 0.5 ? String(Math.floor(r() * 1e6)) : (r() * 1e4).toFixed(6);
      lines.push(`${name}{device="sd${k % 8}",mode="m${k}",cpu="${k % 16}"} ${v}`);
    }
  }
  return Buffer.from(lines.join("\n") + "\n");
}

const body = makeBody();
const contentType = "text/plain; version=0.0.4";

function wasmValuesOnly(): number {
  const p = newParser(body, contentType);
  let sum = 0;
  for (let e = p.next(); e !== Entry.none; e = p.next()) if (e === Entry.series) sum += p.value() + p.seriesHash();
  return sum;
}

function wasmWithLabels(): number {
  const p = newParser(body, contentType);
  let n = 0;
  for (let e = p.next(); e !== Entry.none; e = p.next()) if (e === Entry.series) n += p.labels().length;
  return n;
}

function baseline(): number {
  let n = 0;
  for (const s of parseTextBaseline(body)) n += s.labels.length;
  return n;
}

function hz(name: string, fn: () => unknown): number {
  const b = new Benchmark(name, fn, { minSamples: 15, maxTime: 3 });
  b.run();
  return b.hz;
}

// Steady state: a target whose cache already knows every series; appends go nowhere.
const noop: Appendable = { appender: () => ({ append: (ref) => ref || 1, commit: async () => {}, rollback: async () => {} }) };
const job = { jobName: "bench", scrapeIntervalMs: 15_000, scrapeTimeoutMs: 10_000 };
const populated = populateTarget(job, { source: "0", targets: [{ __address__: "127.0.0.1:9100" }], labels: {} }, { __address__: "127.0.0.1:9100" });
if (!("target" in populated)) throw new Error("bench target did not populate");
const target = populated.target;
const cache = new ScrapeCache();
let ts = 1_700_000_000_000;
function scrapeWarm(): void {
  ts += 15_000;
  appendScrape(noop.appender(), newParser(body, contentType), ts, cache, target, job);
  cache.iterDone(true);
}
scrapeWarm();

const mb = body.length / 1e6;
const rows = [
  ["WASM lexer, values + series hash (scrape fast path)", hz("wasm-values", wasmValuesOnly)],
  ["WASM lexer, building every label set", hz("wasm-labels", wasmWithLabels)],
  ["plain TS baseline, building every label set", hz("baseline", baseline)],
] as const;
console.log(`body: ${SERIES} series, ${(body.length / 1024).toFixed(0)} KiB`);
for (const [name, h] of rows) {
  console.log(`${name.padEnd(55)} ${(h * mb).toFixed(1).padStart(7)} MB/s ${((h * SERIES) / 1e6).toFixed(2).padStart(6)} M samples/s`);
}
console.log(`ratio WASM (fast path) / baseline: ${(rows[0][1] / rows[2][1]).toFixed(2)}x`);
console.log(`ratio WASM (with labels) / baseline: ${(rows[1][1] / rows[2][1]).toFixed(2)}x`);
const scrapeHz = hz("scrape-warm", scrapeWarm);
console.log(`steady-state scrape (parse + cache + append + staleness): ${(1e9 / (scrapeHz * SERIES)).toFixed(0)} ns/sample`);
