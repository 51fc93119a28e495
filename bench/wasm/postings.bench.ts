// Postings set operations: WASM (src/wasm) vs the plain-TS baseline, same process, same
// seeded lists. Prints operations/s and the WASM/TS ratio.
// Run: npx tsc -p tsconfig.json && node build/dist/bench/wasm/postings.bench.js
import Benchmark from "benchmark";
import { differencePostings, intersectPostings, unionPostings } from "../../src/wasm/index.js";
import { differenceBaseline, intersectBaseline, unionBaseline } from "../baseline/postings.js";
import { rng } from "../helpers/random.js";

/** A sorted list holding each ref in [0, range) with probability density. */
function list(r: () => number, range: number, density: number): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < range; i++) if (r() < density) out.push(i);
  return Uint32Array.from(out);
}

function hz(fn: () => void): number {
  const b = new Benchmark(fn, { minSamples: 10, maxTime: 0.5 });
  b.run();
  return b.hz;
}

// Alternating rounds, best of each, so a busy machine skews both sides alike.
function pair(wasm: () => void, ts: () => void): [number, number] {
  let w = 0;
  let t = 0;
  for (let i = 0; i < 3; i++) {
    w = Math.max(w, hz(wasm));
    t = Math.max(t, hz(ts));
  }
  return [w, t];
}

const r = rng(1);
const big = list(r, 1_000_000, 0.5);
const mid = list(r, 1_000_000, 0.1);
const small = list(r, 1_000_000, 0.001);
const many = Array.from({ length: 200 }, () => list(r, 1_000_000, 0.0005));
let sink = 0;

const cases: [string, () => void, () => void][] = [
  ["intersect 500k & 100k", () => (sink += intersectPostings([big, mid]).length), () => (sink += intersectBaseline([big, mid]).length)],
  ["intersect 500k & 1k (gallop)", () => (sink += intersectPostings([big, small]).length), () => (sink += intersectBaseline([big, small]).length)],
  ["union of 200 lists x 500", () => (sink += unionPostings(many).length), () => (sink += unionBaseline(many).length)],
  ["difference 500k \\ 100k", () => (sink += differencePostings(big, mid).length), () => (sink += differenceBaseline(big, mid).length)],
];

const lines = ["| operation | WASM ops/s | TS ops/s | WASM/TS |", "| --- | ---: | ---: | ---: |"];
for (const [name, wasm, ts] of cases) {
  const [w, t] = pair(wasm, ts);
  lines.push(`| ${name} | ${w.toFixed(0)} | ${t.toFixed(0)} | ${(w / t).toFixed(1)}x |`);
}
process.stdout.write(lines.join("\n") + "\n");
if (sink === -1) process.stdout.write("\n");
