// Seeded sample generators shared by the wasm tests.
import { rng } from "../../bench/helpers/random.js";

export { rng };

export function fromBits(bits: bigint[]): Float64Array {
  const out = new Float64Array(bits.length);
  new BigUint64Array(out.buffer).set(bits);
  return out;
}

export function bitsOf(a: Float64Array): bigint[] {
  return Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));
}

export type Shape = "gauge" | "counter" | "noisy";

/** n samples of a shape with a 15 s scrape interval and some jitter. */
export function series(shape: Shape, n: number, seed: number): { ts: Float64Array; vs: Float64Array } {
  const r = rng(seed);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let t = 1_700_000_000_000 + Math.floor(r() * 1e6);
  let c = 0;
  for (let i = 0; i < n; i++) {
    ts[i] = t;
    t += shape === "gauge" ? 15_000 : 15_000 + Math.floor(r() * 40) - 20;
    if (shape === "gauge") vs[i] = 42;
    else if (shape === "counter") vs[i] = c += Math.floor(r() * 100);
    else vs[i] = r() * 1000 - 500;
  }
  return { ts, vs };
}
