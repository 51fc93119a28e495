// Bulk encode (encodeXorMany), runs of repeated samples in the decoder, and the result
// pool / persistent scratch the codec uses between calls.
import { describe, expect, test } from "vitest";
import {
  CorruptChunkError,
  InvalidInputError,
  decodeXor,
  decodeXorMany,
  decodeXorRange,
  encodeXor,
  encodeXorMany,
  intersectPostings,
} from "../../src/wasm/index.js";
import { decodeXorBaseline, encodeXorBaseline } from "../../bench/baseline/xor.js";
import { bitsOf, fromBits, series } from "./gen.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("encodeXorMany", () => {
  test("cuts a series into chunks byte-identical to the independent TS encoder on each range", () => {
    for (const shape of ["gauge", "counter", "noisy"] as const) {
      const { ts, vs } = series(shape, 1000, 17);
      for (const per of [1, 7, 120, 999, 1000, 65535]) {
        const chunks = encodeXorMany(ts, vs, per);
        expect(chunks.length).toBe(Math.ceil(1000 / per));
        for (let k = 0; k < chunks.length; k++) {
          const a = k * per;
          const b = Math.min(1000, a + per);
          expect(hex(chunks[k]!)).toBe(hex(encodeXorBaseline(ts.subarray(a, b), vs.subarray(a, b))));
        }
      }
    }
  });

  test("honours [start, end), returns [] for no samples and rejects bad input", () => {
    const { ts, vs } = series("counter", 500, 3);
    const chunks = encodeXorMany(ts, vs, 120, 130, 400);
    expect(chunks.map((c) => c.length)).toEqual([0, 1, 2].map((k) => encodeXor(ts, vs, 130 + k * 120, Math.min(400, 130 + (k + 1) * 120)).length));
    const back = decodeXorMany(chunks);
    expect(Array.from(back.ts)).toEqual(Array.from(ts.subarray(130, 400)));
    expect(bitsOf(back.vs)).toEqual(bitsOf(vs.subarray(130, 400)));
    expect(encodeXorMany(ts, vs, 120, 10, 10)).toEqual([]);
    expect(() => encodeXorMany(ts, vs, 0)).toThrow(RangeError);
    expect(() => encodeXorMany(ts, vs, 65536)).toThrow(RangeError);
    expect(() => encodeXorMany(ts, vs, 120, 400, 130)).toThrow(RangeError);
    const bad = ts.slice();
    bad[250] = 1.5;
    expect(() => encodeXorMany(bad, vs, 120)).toThrow(InvalidInputError);
  });
});

describe("runs of repeated samples", () => {
  // Same interval and value for long stretches ('0' '0' per sample), broken by changes.
  function runs(n: number): { ts: Float64Array; vs: Float64Array } {
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    let t = 1_000_000;
    let d = 1000;
    let v = 5;
    for (let i = 0; i < n; i++) {
      if (i % 97 === 50) d += 3;
      if (i % 41 === 40) v += 0.5;
      ts[i] = t;
      vs[i] = v;
      t += d;
    }
    return { ts, vs };
  }

  test("runs longer than one 64-bit read, across value and interval changes, decode exactly", () => {
    for (const n of [2, 3, 31, 32, 33, 64, 65, 120, 500, 4000]) {
      const { ts, vs } = runs(n);
      const chunk = encodeXor(ts, vs);
      expect(hex(chunk)).toBe(hex(encodeXorBaseline(ts, vs)));
      const d = decodeXor(chunk);
      expect(Array.from(d.ts)).toEqual(Array.from(ts));
      expect(bitsOf(d.vs)).toEqual(bitsOf(vs));
    }
  });

  test("a range that starts and ends inside a run keeps exactly mint <= t <= maxt", () => {
    const { ts, vs } = runs(120);
    const chunk = encodeXor(ts, vs);
    for (const [a, b] of [[3, 17], [0, 119], [42, 42], [60, 100]] as const) {
      const d = decodeXorRange(chunk, ts[a]!, ts[b]!);
      expect(Array.from(d.ts)).toEqual(Array.from(ts.subarray(a, b + 1)));
      expect(bitsOf(d.vs)).toEqual(bitsOf(vs.subarray(a, b + 1)));
    }
  });

  test("cutting a run-heavy chunk anywhere, or claiming more samples, is CorruptChunkError", () => {
    const { ts, vs } = runs(400);
    const chunk = encodeXor(ts, vs);
    for (let cut = 2; cut < chunk.length - 1; cut++) {
      expect(() => decodeXor(chunk.subarray(0, cut))).toThrow(CorruptChunkError);
    }
    const more = chunk.slice();
    more[1] = more[1]! + 40;
    expect(() => decodeXor(more)).toThrow(CorruptChunkError);
  });
});

describe("regular counters (the encoder's same-interval, same-window loop)", () => {
  function counter(n: number, t0: number, seed: number): { ts: Float64Array; vs: Float64Array } {
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    let x = seed;
    const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    let c = 0;
    for (let i = 0; i < n; i++) {
      ts[i] = t0 + i * 15_000 + (i % 53 === 52 ? 7 : 0);
      const r = next();
      // Mostly small increments; sometimes a reset, a huge jump, a repeat (r > 0.97) or a
      // stale marker.
      if (r < 0.02) c = 0;
      else if (r < 0.04) c += 2 ** 40 * next();
      else if (r <= 0.97) c += 10 + Math.floor(next() * 5);
      vs[i] = r > 0.99 ? fromBits([0x7ff8000000000002n])[0]! : c;
    }
    return { ts, vs };
  }

  test("bytes equal the TS encoder's and decode back, also just below 2^53 ms", () => {
    for (const t0 of [1_700_000_000_000, 2 ** 53 - 120 * 15_000 - 7, -(2 ** 52)]) {
      for (let seed = 1; seed <= 20; seed++) {
        const { ts, vs } = counter(120, t0, seed);
        const chunk = encodeXor(ts, vs);
        expect(hex(chunk)).toBe(hex(encodeXorBaseline(ts, vs)));
        const d = decodeXor(chunk);
        expect(Array.from(d.ts)).toEqual(Array.from(ts));
        const canonical = bitsOf(vs).map((b) => (b === 0x7ff8000000000002n ? 0x7ff0000000000002n : b));
        expect(bitsOf(d.vs)).toEqual(canonical);
      }
    }
  });

  test("decoding: ranges ending inside a stretch, cuts anywhere and overclaimed counts", () => {
    const { ts, vs } = counter(120, 1_700_000_000_000, 5);
    const chunk = encodeXor(ts, vs);
    for (const [a, b] of [[0, 10], [17, 63], [5, 119]] as const) {
      const d = decodeXorRange(chunk, ts[a]!, ts[b]!);
      expect(Array.from(d.ts)).toEqual(Array.from(ts.subarray(a, b + 1)));
    }
    for (let cut = 2; cut < chunk.length - 1; cut++) {
      expect(() => decodeXor(chunk.subarray(0, cut))).toThrow(CorruptChunkError);
    }
    const more = chunk.slice();
    more[1] = more[1]! + 10;
    expect(() => decodeXor(more)).toThrow(CorruptChunkError);
  });

  test("a non-integral or out-of-range timestamp inside a regular run is still rejected", () => {
    const { ts, vs } = counter(120, 1_000_000, 3);
    const half = ts.slice();
    half[60] = half[60]! + 0.5;
    expect(() => encodeXor(half, vs)).toThrow(InvalidInputError);
    const nan = ts.slice();
    nan[90] = NaN;
    expect(() => encodeXor(nan, vs)).toThrow(InvalidInputError);
  });
});

describe("results and scratch across calls", () => {
  test("small results stay intact and independent while later calls reuse pool and scratch", () => {
    const { ts, vs } = series("noisy", 1200, 8);
    const chunks = encodeXorMany(ts, vs, 120);
    const decoded = chunks.map((c) => decodeXor(c));
    const encodedAgain = chunks.map((_, k) => encodeXor(ts, vs, k * 120, (k + 1) * 120));
    decoded[3]!.ts.fill(0);
    decoded[3]!.vs.fill(0);
    for (let round = 0; round < 50; round++) decodeXorMany(chunks);
    for (let k = 0; k < chunks.length; k++) {
      expect(hex(encodedAgain[k]!)).toBe(hex(chunks[k]!));
      if (k === 3) continue;
      expect(Array.from(decoded[k]!.ts)).toEqual(Array.from(ts.subarray(k * 120, (k + 1) * 120)));
      expect(bitsOf(decoded[k]!.vs)).toEqual(bitsOf(vs.subarray(k * 120, (k + 1) * 120)));
    }
  });

  test("other kernels resetting the arena and memory growth between calls do not disturb decoding", () => {
    const small = series("counter", 120, 4);
    const chunk = encodeXor(small.ts, small.vs);
    const before = decodeXor(chunk);
    const a = Uint32Array.from({ length: 50_000 }, (_, i) => i * 2);
    const b = Uint32Array.from({ length: 50_000 }, (_, i) => i * 3);
    expect(intersectPostings([a, b]).length).toBe(16_667);
    // A 65535-sample chunk needs more scratch than any call so far.
    const big = series("noisy", 65535, 5);
    const bigChunk = encodeXor(big.ts, big.vs);
    const bigBack = decodeXor(bigChunk);
    expect(bitsOf(bigBack.vs)).toEqual(bitsOf(big.vs));
    const after = decodeXor(chunk);
    expect(Array.from(after.ts)).toEqual(Array.from(before.ts));
    expect(bitsOf(after.vs)).toEqual(bitsOf(small.vs));
    const oracle = decodeXorBaseline(chunk);
    expect(bitsOf(oracle.vs)).toEqual(bitsOf(after.vs));
  });
});
