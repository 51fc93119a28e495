// The evaluator's internal values. Every expression is evaluated over all steps at once:
// a vector is a list of series whose labels are fixed, each with one slot per step, so
// labels, matching signatures and groups are computed once per series, not once per step.
import type { Labels } from "../model/labels.js";

/** Evaluation timestamps (ms): times[i] = start + i * interval. */
export interface Steps {
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly n: number;
  readonly times: Float64Array;
}

/** One output series; has[i] is 1 when the series has a value at step i. */
export interface StepSeries {
  metric: Labels;
  readonly vals: Float64Array;
  readonly has: Uint8Array;
  /** Delayed name removal: __name__ (and type/unit) are dropped when the result is assembled. */
  dropName?: boolean;
}

/** Raw samples of a series (stale markers removed), as range functions read them. */
export interface RawSeries {
  readonly metric: Labels;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

/** A range vector: raw series plus how to cut the window (evalTime - offset - range, evalTime - offset] per step. */
export interface RangeSource {
  readonly series: RawSeries[];
  readonly rangeMs: number;
  readonly offsetMs: number;
  /** Fixed evaluation time from @, in ms. */
  readonly atMs: number | undefined;
  /** Anchored/smoothed selectors: series also hold samples up to lookbackMs around the range. */
  readonly mode?: "anchored" | "smoothed";
  readonly lookbackMs?: number;
}

export type EvalValue =
  | { readonly kind: "scalar"; readonly vals: Float64Array }
  | { readonly kind: "string"; readonly v: string }
  | { readonly kind: "vector"; readonly series: StepSeries[] }
  | { readonly kind: "matrix"; readonly source: RangeSource };

export function makeSteps(start: number, end: number, interval: number): Steps {
  const n = interval > 0 ? Math.floor((end - start) / interval) + 1 : 1;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = start + i * interval;
  return { start, end, interval, n, times };
}

export function newSeries(metric: Labels, n: number): StepSeries {
  return { metric, vals: new Float64Array(n), has: new Uint8Array(n) };
}

/** Window bounds for step i: samples with ts in (lo, hi]. */
export function windowEnd(src: RangeSource, stepTime: number): number {
  return (src.atMs ?? stepTime) - src.offsetMs;
}
