// Sample values shared by storage, PromQL and ingestion.

/** Prometheus' stale marker: a NaN with a specific payload that must survive every codec. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export const STALE_NAN: number = (() => {
  u32[0] = 0x00000002;
  u32[1] = 0x7ff00000;
  return f64[0];
})();

// V8 may set the quiet bit when a signalling NaN passes through a JS number
// (0x7ff0... becomes 0x7ff8...), so both forms count as stale; encoders write
// the canonical 0x7ff0000000000002 back to disk.
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  f64[0] = v;
  return u32[0] === 0x00000002 && (u32[1] & 0xfff7ffff) === 0x7ff00000;
}

/** A batch of samples, timestamps in ms since the epoch, sorted ascending. */
export interface SampleBatch {
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

/** Index of the first of ascending times ts that is >= t (ts.length when none is). */
export function lowerBound(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
