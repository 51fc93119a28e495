// Prometheus 3.x anchored and smoothed selectors (experimental; upstream's test harness turns
// them on). An anchored range also sees the last sample before its start, so its first value
// sits on the boundary; a smoothed range interpolates values at both boundaries, and a
// smoothed instant selector interpolates between the samples around each step.
import { EvalError } from "./errors.js";
import type { RangeKernel } from "./functions-range.js";

export type RangeMode = "anchored" | "smoothed";

const SAFE: Readonly<Record<RangeMode, readonly string[]>> = {
  anchored: ["changes", "delta", "increase", "rate", "resets"],
  smoothed: ["delta", "increase", "rate"],
};

/** Only some functions make sense over the samples outside the range these modes bring in. */
export function checkModeFunction(mode: RangeMode, func: string): void {
  if (!SAFE[mode].includes(func)) throw new EvalError(`${mode} modifier can only be used with: ${SAFE[mode].join(", ")} - not with ${func}`);
}

/** Linear interpolation at t; a counter that dropped is taken to restart from zero. */
function interpolate(t1: number, v1: number, t2: number, v2: number, t: number, isCounter: boolean): number {
  const y1 = isCounter && v2 < v1 ? 0 : v1;
  return y1 + ((v2 - y1) * (t - t1)) / (t2 - t1);
}

/** Index of the last sample at or before `start` in [lo, hi), or lo when every sample is later. */
function lastAtOrBefore(ts: Float64Array, lo: number, hi: number, start: number): number {
  let k = lo;
  while (k < hi - 1 && ts[k] <= start) k++;
  return Math.max(lo, k - 1);
}

/** Index of the first sample at or after `end` in [lo, hi), or hi - 1 when there is none. */
function firstAtOrAfter(ts: Float64Array, lo: number, hi: number, end: number): number {
  let k = lo;
  while (k < hi - 1 && ts[k] < end) k++;
  return k;
}

/** rate/increase/delta over an anchored or smoothed range: boundary values, no extrapolation. */
export function extendedRate(isCounter: boolean, isRate: boolean): RangeKernel {
  return (ts, vs, lo, hi, w) => {
    const smoothed = w.mode === "smoothed";
    let first = lastAtOrBefore(ts, lo, hi, w.start);
    let last = smoothed ? firstAtOrAfter(ts, lo, hi, w.end) : hi - 1;
    if (ts[last] <= w.start) return undefined;
    // Samples only after the range leave nothing to interpolate from.
    if (smoothed && ts[first] > w.end) return undefined;
    const left = smoothed && ts[first] < w.start ? interpolate(ts[first], vs[first], ts[first + 1], vs[first + 1], w.start, isCounter) : vs[first];
    const right = smoothed && last > lo && ts[last] > w.end ? interpolate(ts[last - 1], vs[last - 1], ts[last], vs[last], w.end, isCounter) : vs[last];
    let result = right - left;
    if (isCounter) {
      // Resets at the boundaries are in left and right already; look at the samples inside.
      if (ts[first] <= w.start) first++;
      if (ts[last] >= w.end) last--;
      let prev = left;
      for (let k = first; k <= last; k++) {
        if (vs[k] < prev) result += prev;
        prev = vs[k];
      }
      if (right < prev) result += prev;
    }
    return isRate ? result / (w.rangeMs / 1000) : result;
  };
}

/**
 * Where changes()/resets() start: with an anchored range, at the last sample at or before the
 * range start; undefined when no sample lies inside the range.
 */
export function countingStart(ts: Float64Array, lo: number, hi: number, start: number, mode: RangeMode | undefined): number | undefined {
  if (mode !== "anchored") return lo;
  if (ts[hi - 1] <= start) return undefined;
  return lastAtOrBefore(ts, lo, hi, start);
}

/**
 * A smoothed instant selector's value at t from the samples in [lo, hi) (the lookback window
 * on both sides): the sample at t, else interpolated between its neighbours, else the last
 * value before t; undefined when every sample is after t.
 */
export function smoothedValue(ts: Float64Array, vs: Float64Array, lo: number, hi: number, t: number): number | undefined {
  let i = lo;
  while (i < hi && ts[i] < t) i++;
  if (i < hi && ts[i] === t) return vs[i];
  if (i > lo && i < hi) return interpolate(ts[i - 1], vs[i - 1], ts[i], vs[i], t, false);
  if (i > lo) return vs[i - 1];
  return undefined;
}

/**
 * An anchored or smoothed range selector returned as a query result: the samples strictly
 * inside (mint, maxt) plus synthetic points at both boundaries.
 */
export function extendedPoints(ts: Float64Array, vs: Float64Array, mint: number, maxt: number, smoothed: boolean): { ts: Float64Array; vs: Float64Array } {
  const empty = { ts: new Float64Array(0), vs: new Float64Array(0) };
  const hi = ts.length;
  if (hi === 0) return empty;
  let first = lastAtOrBefore(ts, 0, hi, mint);
  let last = smoothed ? firstAtOrAfter(ts, 0, hi, maxt) : hi - 1;
  if (ts[last] <= mint) return empty;
  const left = smoothed && ts[first] < mint ? interpolate(ts[first], vs[first], ts[first + 1], vs[first + 1], mint, false) : vs[first];
  const right = smoothed && last > 0 && ts[last] > maxt ? interpolate(ts[last - 1], vs[last - 1], ts[last], vs[last], maxt, false) : vs[last];
  if (ts[first] <= mint) first++;
  if (ts[last] >= maxt) last--;
  const inner = Math.max(last - first + 1, 0);
  const outTs = new Float64Array(inner + 2);
  const outVs = new Float64Array(inner + 2);
  outTs[0] = mint;
  outVs[0] = left;
  for (let k = 0; k < inner; k++) {
    outTs[k + 1] = ts[first + k];
    outVs[k + 1] = vs[first + k];
  }
  outTs[inner + 1] = maxt;
  outVs[inner + 1] = right;
  return { ts: outTs, vs: outVs };
}
