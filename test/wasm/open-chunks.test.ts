// The head's open-chunk store appends samples one commit at a time into XOR chunks in
// WASM memory. Its bytes must be what the bulk encoder (checked against promtool's
// blocks in promtool-compat.test.ts) writes for the same samples, at every length, and
// full chunks must be cut where the head's rules say.
import { describe, expect, it } from "vitest";
import { STALE_NAN } from "../../src/model/sample.js";
import { decodeXor, encodeXor } from "../../src/wasm/xor.js";
import { OpenChunks } from "../../src/wasm/open-chunks.js";
import { bitsOf, rng } from "./gen.js";

type Gen = (i: number, rnd: () => number) => [number, number];

const SHAPES: Record<string, Gen> = {
  counter: (i) => [1_700_000_000_000 + i * 15_000, i * 3],
  "jittery gauge": (i, rnd) => [1_700_000_000_000 + i * 15_000 + Math.floor(rnd() * 200) - 100, rnd() * 1000],
  constant: (i) => [1_000 + i * 1_000, 42],
  "stale markers": (i) => [1_000 + i * 1_000, i % 5 === 4 ? STALE_NAN : i],
  // Every delta-of-delta bucket up to 64 bits, inside the 2^31 ms a chunk may span.
  "time jumps": (i, rnd) => [i * 1_000 + (i % 7 === 0 ? 3e6 : 0) + i * i * 37_000, rnd() < 0.5 ? -0 : Number.MAX_VALUE * rnd()],
  "negative times": (i) => [-1_000_000 + i * 999, Math.sin(i)],
  "special values": (i) => [i * 10, [Infinity, -Infinity, NaN, 0, -0, 1e-300, 2 ** 53][i % 7]],
};

function series(gen: Gen, n: number, seed: number): { ts: Float64Array; vs: Float64Array } {
  const rnd = rng(seed);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    const [t, v] = gen(i, rnd);
    ts[i] = Math.max(t, last + 1);
    last = ts[i];
    vs[i] = v;
  }
  return { ts, vs };
}

describe("open chunks in WASM memory", () => {
  for (const [name, gen] of Object.entries(SHAPES)) {
    it(`encode ${name} byte for byte as the bulk encoder, after every sample`, () => {
      const store = new OpenChunks(120, 1e15);
      const { ts, vs } = series(gen, 120, 7);
      for (let n = 1; n <= 120; n++) {
        const input = store.input(1);
        input.ids[0] = 3;
        input.ts[0] = ts[n - 1];
        input.vs[0] = vs[n - 1];
        expect(store.append(1)).toBe(0);
        expect(store.count(3)).toBe(n);
        expect(store.bytes(3), `${name}, ${n} samples`).toEqual(encodeXor(ts, vs, 0, n));
      }
      expect(store.mint(3)).toBe(ts[0]);
    });
  }

  it("appends interleaved series in one call and cuts at samples per chunk and at the chunk range", () => {
    const perChunk = 10;
    const range = 100_000;
    const store = new OpenChunks(perChunk, range);
    store.ensure(5000);
    const ids = [1, 4999, 2, 3];
    const n = 57;
    const shape = Object.values(SHAPES);
    const data = ids.map((id, k) => series(shape[k], n, id));
    // Series 3 crosses a chunk range boundary (at 100 s) after 4 samples.
    data[3] = { ts: Float64Array.from({ length: n }, (_, i) => 60_000 + i * 10_000), vs: Float64Array.from({ length: n }, (_, i) => i) };
    const input = store.input(n * ids.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < ids.length; k++) {
        input.ids[i * ids.length + k] = ids[k];
        input.ts[i * ids.length + k] = data[k].ts[i];
        input.vs[i * ids.length + k] = data[k].vs[i];
      }
    }
    const cuts = store.append(n * ids.length);
    const got = new Map<number, { mint: number; maxt: number; data: Uint8Array }[]>();
    for (let c = 0; c < cuts; c++) {
      const cut = store.cut(c);
      got.set(cut.id, [...(got.get(cut.id) ?? []), { mint: cut.mint, maxt: cut.maxt, data: cut.data.slice() }]);
    }
    store.releaseCuts();
    for (let k = 0; k < ids.length; k++) {
      const { ts, vs } = data[k];
      // Where the head cuts: every perChunk samples, and before a sample past the range's end.
      const bounds: number[] = [0];
      for (let i = 1; i < n; i++) {
        const start = bounds[bounds.length - 1];
        if (i - start >= perChunk || ts[i] >= (Math.floor(ts[start] / range) + 1) * range) bounds.push(i);
      }
      const want = bounds.slice(0, -1).map((b, j) => ({ mint: ts[b], maxt: ts[bounds[j + 1] - 1], data: encodeXor(ts, vs, b, bounds[j + 1]) }));
      expect(got.get(ids[k]) ?? [], `series ${ids[k]}`).toEqual(want);
      const open = store.bytes(ids[k])!;
      expect(open).toEqual(encodeXor(ts, vs, bounds[bounds.length - 1], n));
      const decoded = decodeXor(open);
      expect(bitsOf(decoded.vs)).toEqual(bitsOf(vs.subarray(bounds[bounds.length - 1])));
    }
  });

  it("reuses freed buffers and starts over after a drop", () => {
    const store = new OpenChunks(120, 1e15);
    store.ensure(100);
    for (let round = 0; round < 3; round++) {
      for (let id = 1; id < 100; id++) {
        const input = store.input(50);
        for (let i = 0; i < 50; i++) {
          input.ids[i] = id;
          input.ts[i] = round * 1e6 + i * 1000;
          input.vs[i] = Math.random();
        }
        store.append(50);
      }
      const size = store.memoryBytes();
      for (let id = 1; id < 100; id++) store.drop(id);
      expect(store.count(50)).toBe(0);
      expect(store.bytes(50)).toBeUndefined();
      // Later rounds live in the freed blocks: memory stops growing.
      if (round > 0) expect(store.memoryBytes()).toBe(size);
    }
  });
});
