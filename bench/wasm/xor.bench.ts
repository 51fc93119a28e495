// XOR codec throughput: WASM (src/wasm) vs the plain-TS baseline (bench/baseline), same
// process, same seeded data, three shapes of 100 chunks x 120 samples (Prometheus' chunk
// size). Every row calls both sides through the same API shape and both allocate their
// results the same way (small results from a shared pool, see src/wasm/result-pool.ts):
//   encode, 1 call/chunk     encodeXor              vs encodeXorBaseline, per 120-sample chunk
//   encode, 1 call/series    encodeXorMany(.., 120) vs encodeXorBaselineMany: all 100 chunks
//   decode, 1 call/chunk     decodeXor              vs decodeXorBaseline: fresh arrays per chunk
//   decode, 1 call/series    decodeXorMany          vs decodeXorBaselineMany: 100 chunks into one fresh pair
//   decode into reused arrays, 1 call/series  decodeXorInto vs decodeXorBaselineInto per chunk
// Times include copying into and out of WASM memory. Prints samples/s, WASM/TS and bytes/sample.
// Run: npm run build:wasm && npx tsc -p tsconfig.json && npm run bench:codec
import { cpus } from "node:os";
import Benchmark from "benchmark";
import { decodeXor, decodeXorInto, decodeXorMany, encodeXor, encodeXorMany } from "../../src/wasm/index.js";
import {
  decodeXorBaseline,
  decodeXorBaselineInto,
  decodeXorBaselineMany,
  encodeXorBaseline,
  encodeXorBaselineMany,
} from "../baseline/xor.js";
import { rng } from "../helpers/random.js";

const CHUNKS = 100;
const PER_CHUNK = 120;

type Shape = "constant gauge" | "regular counter" | "noisy float gauge";

function makeShape(shape: Shape, seed: number): { ts: Float64Array; vs: Float64Array } {
  const r = rng(seed);
  const n = CHUNKS * PER_CHUNK;
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let t = 1_700_000_000_000;
  let c = 0;
  for (let i = 0; i < n; i++) {
    ts[i] = t;
    if (shape === "constant gauge") {
      t += 15_000;
      vs[i] = 1;
    } else if (shape === "regular counter") {
      t += 15_000;
      vs[i] = c += 10 + Math.floor(r() * 5);
    } else {
      t += 15_000 + Math.floor(r() * 20) - 10;
      vs[i] = r() * 100;
    }
  }
  return { ts, vs };
}

interface Row {
  shape: Shape;
  op: string;
  wasm: number;
  ts: number;
  bytesPerSample: number;
}

// The machine may be shared, so WASM and TS runs alternate for a few rounds and each side
// keeps its best rate; the ratio then compares like with like.
const ROUNDS = 3;

function hz(name: string, fn: () => void): number {
  const bench = new Benchmark(name, fn, { minSamples: 10, maxTime: 0.5 });
  bench.run();
  return bench.hz;
}

function pair(name: string, wasm: () => void, ts: () => void): [wasmHz: number, tsHz: number] {
  let w = 0;
  let t = 0;
  for (let r = 0; r < ROUNDS; r++) {
    w = Math.max(w, hz(`${name} wasm`, wasm));
    t = Math.max(t, hz(`${name} ts`, ts));
  }
  return [w, t];
}

const rows: Row[] = [];
let sink = 0;
for (const shape of ["constant gauge", "regular counter", "noisy float gauge"] as Shape[]) {
  const { ts, vs } = makeShape(shape, 42);
  const chunks: Uint8Array[] = [];
  const cts: Float64Array[] = [];
  const cvs: Float64Array[] = [];
  for (let c = 0; c < CHUNKS; c++) {
    chunks.push(encodeXor(ts, vs, c * PER_CHUNK, (c + 1) * PER_CHUNK));
    cts.push(ts.subarray(c * PER_CHUNK, (c + 1) * PER_CHUNK));
    cvs.push(vs.subarray(c * PER_CHUNK, (c + 1) * PER_CHUNK));
  }
  const samples = CHUNKS * PER_CHUNK;
  const bytes = chunks.reduce((s, c) => s + c.length, 0);

  const encode = (): void => {
    for (let c = 0; c < CHUNKS; c++) sink += encodeXor(ts, vs, c * PER_CHUNK, (c + 1) * PER_CHUNK).length;
  };
  const encodeTs = (): void => {
    for (let c = 0; c < CHUNKS; c++) sink += encodeXorBaseline(cts[c]!, cvs[c]!).length;
  };
  const encodeMany = (): void => {
    sink += encodeXorMany(ts, vs, PER_CHUNK).length;
  };
  const encodeManyTs = (): void => {
    sink += encodeXorBaselineMany(ts, vs, PER_CHUNK).length;
  };
  const decode = (): void => {
    for (let c = 0; c < CHUNKS; c++) sink += decodeXor(chunks[c]!).ts.length;
  };
  const decodeTs = (): void => {
    for (let c = 0; c < CHUNKS; c++) sink += decodeXorBaseline(chunks[c]!).ts.length;
  };
  const decodeMany = (): void => {
    sink += decodeXorMany(chunks).ts.length;
  };
  const decodeManyTs = (): void => {
    sink += decodeXorBaselineMany(chunks).ts.length;
  };
  const outTs = new Float64Array(samples);
  const outVs = new Float64Array(samples);
  const decodeInto = (): void => {
    sink += decodeXorInto(chunks, outTs, outVs);
  };
  const decodeIntoTs = (): void => {
    let at = 0;
    for (let c = 0; c < CHUNKS; c++) at += decodeXorBaselineInto(chunks[c]!, outTs, outVs, at);
    sink += at;
  };
  const bps = bytes / samples;
  const add = (op: string, wasm: () => void, ts: () => void): void => {
    const [w, t] = pair(`${shape} ${op}`, wasm, ts);
    rows.push({ shape, op, wasm: w * samples, ts: t * samples, bytesPerSample: bps });
  };
  add("encode, 1 call/chunk", encode, encodeTs);
  add("encode, 1 call/series (100 chunks)", encodeMany, encodeManyTs);
  add("decode, 1 call/chunk", decode, decodeTs);
  add("decode, 1 call/series (100 chunks)", decodeMany, decodeManyTs);
  add("decode into reused arrays, 1 call/series", decodeInto, decodeIntoTs);
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(1)}M`;
const lines = [
  "| shape | operation | WASM samples/s | TS samples/s | WASM/TS | bytes/sample |",
  "| --- | --- | ---: | ---: | ---: | ---: |",
  ...rows.map((r) => `| ${r.shape} | ${r.op} | ${fmt(r.wasm)} | ${fmt(r.ts)} | ${(r.wasm / r.ts).toFixed(1)}x | ${r.bytesPerSample.toFixed(2)} |`),
];
const cpu = cpus();
process.stdout.write(
  `${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? "unknown CPU"}; ` +
    `${CHUNKS} chunks x ${PER_CHUNK} samples per shape; best of ${ROUNDS} alternating rounds\n\n`,
);
process.stdout.write(lines.join("\n") + "\n");
if (sink === -1) process.stdout.write("\n");
