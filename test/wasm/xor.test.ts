import { describe, expect, test } from "vitest";
import {
  CorruptChunkError,
  InvalidInputError,
  XorIterator,
  decodeXor,
  decodeXorInto,
  decodeXorMany,
  decodeXorRange,
  encodeXor,
  xorSampleCount,
} from "../../src/wasm/index.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { decodeXorBaseline, encodeXorBaseline } from "../../bench/baseline/xor.js";
import { bitsOf, fromBits, rng, series } from "./gen.js";

function roundTrip(ts: Float64Array, vs: Float64Array): Uint8Array {
  const chunk = encodeXor(ts, vs);
  const d = decodeXor(chunk);
  expect(Array.from(d.ts)).toEqual(Array.from(ts));
  expect(bitsOf(d.vs)).toEqual(bitsOf(vs));
  // The independent plain-TS codec writes the same bytes and reads the WASM bytes.
  expect(Buffer.from(encodeXorBaseline(ts, vs)).toString("hex")).toBe(Buffer.from(chunk).toString("hex"));
  const b = decodeXorBaseline(chunk);
  expect(Array.from(b.ts)).toEqual(Array.from(ts));
  expect(bitsOf(b.vs)).toEqual(bitsOf(vs));
  return chunk;
}

describe("XOR chunk round trip", () => {
  test("known bytes for a small chunk (count, varint t0, raw v0, uvarint delta, dod buckets)", () => {
    const chunk = encodeXor(new Float64Array([1000, 2000, 3000]), new Float64Array([1, 1, 1]));
    // 0003 count; d00f = zigzag varint 1000; 3ff0000000000000 = 1.0; e807 = uvarint 1000;
    // then '0' (same value), '0' (dod 0), '0' (same value) -> 000 padded.
    expect(Buffer.from(chunk).toString("hex")).toBe("0003d00f3ff0000000000000e80700");
    expect(xorSampleCount(chunk)).toBe(3);
    // A stream ending with a byte-aligned whole-byte write carries one trailing zero byte,
    // as Prometheus' bstream leaves it.
    const one = encodeXor(new Float64Array([1000]), new Float64Array([1]));
    expect(Buffer.from(one).toString("hex")).toBe("0001d00f3ff000000000000000");
  });

  test("empty, one sample, two samples", () => {
    const empty = encodeXor(new Float64Array(0), new Float64Array(0));
    expect(Array.from(empty)).toEqual([0, 0]);
    expect(decodeXor(empty).ts.length).toBe(0);
    roundTrip(new Float64Array([5]), new Float64Array([3.25]));
    roundTrip(new Float64Array([-5, 7]), new Float64Array([3.25, -1e300]));
  });

  test("seeded random shapes, 120 samples per chunk", () => {
    for (let seed = 1; seed <= 30; seed++) {
      for (const shape of ["gauge", "counter", "noisy"] as const) {
        const { ts, vs } = series(shape, 120, seed);
        roundTrip(ts, vs);
      }
    }
  });

  test("random timestamps with every delta-of-delta bucket, including the bucket edges", () => {
    const edges = [0, 1, -1, 8191, -8191, 8192, -8192, 8193, 65535, -65535, 65536, -65536, 65537, 524287, -524287, 524288, -524288, 524289];
    const r = rng(7);
    for (let round = 0; round < 20; round++) {
      const n = 2 + Math.floor(r() * 200);
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      let t = Math.floor(r() * 2e12) - 1e12;
      let d = Math.floor(r() * 1e5);
      for (let i = 0; i < n; i++) {
        ts[i] = t;
        vs[i] = r() < 0.3 ? vs[Math.max(0, i - 1)]! : (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10);
        d += r() < 0.5 ? edges[Math.floor(r() * edges.length)]! : Math.floor((r() - 0.5) * 2 ** Math.floor(r() * 40));
        t += d;
      }
      roundTrip(ts, vs);
    }
  });

  test("huge, negative and irregular timestamps use the 64-bit dod and 10-byte uvarint paths", () => {
    roundTrip(new Float64Array([-1e15, 1e15, -1e15, 2 ** 52, -(2 ** 52)]), new Float64Array([1, 2, 3, 4, 5]));
    roundTrip(new Float64Array([0, -1, -2, 1_000_000, 999_999]), new Float64Array([0, 0, 0, 0, 0]));
  });

  test("special values keep their exact bits: NaN payloads, +-Inf, -0, repeats, extremes", () => {
    const special = [
      0x7ff8000000000001n, 0xfff8000000000000n, 0x7ff4000000000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn,
      0x7ff0000000000000n, 0xfff0000000000000n, 0x8000000000000000n, 0n, 1n, 0x7fefffffffffffffn, 0x0000000000000001n,
    ];
    const r = rng(3);
    for (let round = 0; round < 20; round++) {
      const n = 1 + Math.floor(r() * 130);
      const bits: bigint[] = [];
      for (let i = 0; i < n; i++) {
        const pick = r();
        if (pick < 0.5) bits.push(special[Math.floor(r() * special.length)]!);
        else if (pick < 0.7 && i > 0) bits.push(bits[i - 1]!);
        else bits.push(BigInt(Math.floor(r() * 2 ** 32)) << 32n | BigInt(Math.floor(r() * 2 ** 32)));
      }
      const ts = new Float64Array(n).map((_, i) => i * 1000 + Math.floor(r() * 10));
      roundTrip(ts, fromBits(bits));
    }
  });

  test("stale markers in either NaN form are written as 0x7ff0000000000002", () => {
    const ts = new Float64Array([1, 2, 3, 4]);
    const canonical = fromBits([0x3ff0000000000000n, 0x7ff0000000000002n, 0x4000000000000000n, 0x7ff0000000000002n]);
    const quieted = fromBits([0x3ff0000000000000n, 0x7ff8000000000002n, 0x4000000000000000n, 0x7ff8000000000002n]);
    const a = encodeXor(ts, canonical);
    const b = encodeXor(ts, quieted);
    expect(Buffer.from(b).toString("hex")).toBe(Buffer.from(a).toString("hex"));
    const d = decodeXor(b);
    expect(bitsOf(d.vs)).toEqual(bitsOf(canonical));
    expect(isStaleNaN(d.vs[1]!)).toBe(true);
    // The exported constant, however the engine stored it, round-trips as stale.
    const viaConst = decodeXor(encodeXor(new Float64Array([1]), new Float64Array([STALE_NAN])));
    expect(bitsOf(viaConst.vs)).toEqual([0x7ff0000000000002n]);
  });

  test("65535 samples fit; 65536 and bad timestamps are rejected with InvalidInputError", () => {
    const { ts, vs } = series("noisy", 65536, 11);
    const chunk = encodeXor(ts, vs, 0, 65535);
    expect(xorSampleCount(chunk)).toBe(65535);
    expect(bitsOf(decodeXor(chunk).vs)).toEqual(bitsOf(vs.subarray(0, 65535)));
    expect(() => encodeXor(ts, vs)).toThrow(InvalidInputError);
    expect(() => encodeXor(new Float64Array([1, 2.5]), new Float64Array([1, 2]))).toThrow(InvalidInputError);
    expect(() => encodeXor(new Float64Array([1, NaN]), new Float64Array([1, 2]))).toThrow(InvalidInputError);
    expect(() => encodeXor(new Float64Array([2 ** 63]), new Float64Array([1]))).toThrow(InvalidInputError);
    expect(() => encodeXor(ts, vs, 5, 3)).toThrow(RangeError);
  });

  test("encodes a sub-range [start, end)", () => {
    const { ts, vs } = series("counter", 300, 5);
    const d = decodeXor(encodeXor(ts, vs, 100, 220));
    expect(Array.from(d.ts)).toEqual(Array.from(ts.subarray(100, 220)));
    expect(bitsOf(d.vs)).toEqual(bitsOf(vs.subarray(100, 220)));
  });
});

describe("XOR decode variants", () => {
  const { ts, vs } = series("counter", 120, 9);
  const chunk = encodeXor(ts, vs);

  test("decodeXorRange keeps only mint <= t <= maxt", () => {
    const mint = ts[10]!;
    const maxt = ts[50]! - 1;
    const d = decodeXorRange(chunk, mint, maxt);
    expect(Array.from(d.ts)).toEqual(Array.from(ts.subarray(10, 50)));
    expect(bitsOf(d.vs)).toEqual(bitsOf(vs.subarray(10, 50)));
    expect(decodeXorRange(chunk, ts[119]! + 1, Infinity).ts.length).toBe(0);
    expect(decodeXorRange(chunk, -Infinity, ts[0]! - 1).ts.length).toBe(0);
  });

  test("decodeXorMany concatenates chunks in order and applies the range", () => {
    const parts = [0, 40, 80, 120].slice(0, -1).map((s) => encodeXor(ts, vs, s, s + 40));
    const all = decodeXorMany(parts);
    expect(Array.from(all.ts)).toEqual(Array.from(ts));
    expect(bitsOf(all.vs)).toEqual(bitsOf(vs));
    const some = decodeXorMany(parts, ts[30]!, ts[90]!);
    expect(Array.from(some.ts)).toEqual(Array.from(ts.subarray(30, 91)));
    expect(decodeXorMany([]).ts.length).toBe(0);
  });

  test("decodeXorInto writes into caller arrays at an offset and checks capacity", () => {
    const parts = [encodeXor(ts, vs, 0, 60), encodeXor(ts, vs, 60, 120)];
    const outTs = new Float64Array(130).fill(-1);
    const outVs = new Float64Array(130).fill(-1);
    expect(decodeXorInto(parts, outTs, outVs, 5)).toBe(120);
    expect(Array.from(outTs.subarray(5, 125))).toEqual(Array.from(ts));
    expect(bitsOf(outVs.subarray(5, 125))).toEqual(bitsOf(vs));
    expect(outTs[4]).toBe(-1);
    expect(outTs[125]).toBe(-1);
    expect(decodeXorInto(parts, outTs, outVs, 0, ts[100]!, Infinity)).toBe(20);
    expect(Array.from(outTs.subarray(0, 20))).toEqual(Array.from(ts.subarray(100)));
    expect(() => decodeXorInto(parts, outTs, outVs, 11)).toThrow(RangeError);
    expect(() => decodeXorInto(parts, outTs, new Float64Array(100))).toThrow(RangeError);
  });

  test("XorIterator.reset reuses the iterator on another chunk", () => {
    const it = new XorIterator(encodeXor(ts, vs, 0, 10));
    while (it.next());
    it.reset(encodeXor(ts, vs, 10, 130 > ts.length ? ts.length : 130));
    expect(it.length).toBe(110);
    expect(it.next()).toBe(true);
    expect(it.t).toBe(ts[10]);
    it.reset(encodeXor(ts, vs, 0, 3));
    expect(it.length).toBe(3);
    expect(it.seek(ts[2]!)).toBe(true);
    expect(it.v).toBe(vs[2]);
    expect(it.next()).toBe(false);
  });

  test("XorIterator: next, seek forward only, accessors", () => {
    const it = new XorIterator(chunk);
    expect(it.length).toBe(120);
    expect(it.next()).toBe(true);
    expect(it.t).toBe(ts[0]);
    expect(it.seek(ts[5]! - 1)).toBe(true);
    expect(it.at()).toEqual({ t: ts[5], v: vs[5] });
    // Seeking backwards stays put, like Prometheus' iterators.
    expect(it.seek(ts[0]!)).toBe(true);
    expect(it.t).toBe(ts[5]);
    expect(it.next()).toBe(true);
    expect(it.v).toBe(vs[6]);
    expect(it.seek(ts[119]!)).toBe(true);
    expect(it.next()).toBe(false);
    expect(it.next()).toBe(false);
    expect(new XorIterator(chunk).seek(ts[119]! + 1)).toBe(false);
  });

  test("truncated or malformed chunks raise CorruptChunkError, never garbage", () => {
    expect(() => decodeXor(new Uint8Array([0]))).toThrow(CorruptChunkError);
    expect(() => decodeXor(new Uint8Array([0, 5]))).toThrow(CorruptChunkError);
    for (let cut = 2; cut < chunk.length - 1; cut++) {
      expect(() => decodeXor(chunk.subarray(0, cut))).toThrow(CorruptChunkError);
    }
    // Claims more samples than the data holds (the zero padding bits of the last byte can
    // legitimately read as a few repeated samples, so claim well beyond them).
    const more = chunk.slice();
    more[1] = more[1]! + 10;
    expect(() => decodeXor(more)).toThrow(CorruptChunkError);
    // An 11-byte varint is malformed.
    expect(() => decodeXor(new Uint8Array([0, 1, ...new Array(11).fill(0xff), 0]))).toThrow(CorruptChunkError);
  });

  test("random bytes either decode or fail with CorruptChunkError", () => {
    const r = rng(99);
    for (let i = 0; i < 500; i++) {
      const bytes = new Uint8Array(2 + Math.floor(r() * 60)).map(() => Math.floor(r() * 256));
      bytes[0] = 0;
      try {
        const d = decodeXor(bytes);
        expect(d.ts.length).toBe(xorSampleCount(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(CorruptChunkError);
      }
    }
  });
});
