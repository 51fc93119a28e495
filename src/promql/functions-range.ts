// Functions over range vectors: rate and friends, *_over_time, deriv, predict_linear,
// double_exponential_smoothing. Kernels read samples [lo, hi) of a series' arrays in place.
import { getLabel, METRIC_NAME, type Labels } from "../model/labels.js";
import { EvalError } from "./errors.js";
import { newSeries, windowEnd, type RangeSource, type StepSeries, type Steps } from "./eval-types.js";
import { countingStart, extendedRate, type RangeMode } from "./extended-range.js";
import { kahanSumInc, quantileOf, quantileOfRange } from "./float-math.js";
import { mergeSameLabels, nameDroppingSeries } from "./series-set.js";

/** What a kernel knows about the current window besides the samples. */
export interface Window {
  /** Window bounds (ms): samples are in (start, end]. */
  start: number;
  end: number;
  rangeMs: number;
  /** Evaluation time of the step (ms). */
  stepTime: number;
  step: number;
  /** Scalar arguments, one value per step. */
  args: Float64Array[];
  /** Anchored or smoothed range: [lo, hi) then also holds samples from the lookback around it. */
  mode: RangeMode | undefined;
}

export type RangeKernel = (ts: Float64Array, vs: Float64Array, lo: number, hi: number, w: Window) => number | undefined;

/**
 * Runs a kernel over every series and step. The name is kept (last_over_time and similar),
 * dropped, or flagged for delayed removal.
 */
export function evalRangeFunction(src: RangeSource, steps: Steps, kernel: RangeKernel, name: "keep" | "drop" | "flag", args: Float64Array[], onSeries?: (metric: Labels) => void): StepSeries[] {
  const out: StepSeries[] = [];
  const w: Window = { start: 0, end: 0, rangeMs: src.rangeMs, stepTime: 0, step: 0, args, mode: src.mode };
  const before = src.mode ? src.lookbackMs ?? 0 : 0;
  const after = src.mode === "smoothed" ? src.lookbackMs ?? 0 : 0;
  for (const s of src.series) {
    const r = name === "keep" ? newSeries(s.metric, steps.n) : nameDroppingSeries(s.metric, steps.n, name === "flag");
    let lo = 0;
    let hi = 0;
    let any = false;
    for (let i = 0; i < steps.n; i++) {
      const end = windowEnd(src, steps.times[i]);
      const start = end - src.rangeMs;
      while (hi < s.ts.length && s.ts[hi] <= end + after) hi++;
      while (lo < hi && s.ts[lo] <= start - before) lo++;
      if (lo >= hi) continue;
      w.start = start;
      w.end = end;
      w.stepTime = steps.times[i];
      w.step = i;
      const v = kernel(s.ts, s.vs, lo, hi, w);
      if (v === undefined) continue;
      r.vals[i] = v;
      r.has[i] = 1;
      any = true;
    }
    if (any) {
      onSeries?.(s.metric);
      out.push(r);
    }
  }
  return name === "drop" ? mergeSameLabels(out, steps.n) : out;
}

function extrapolatedRate(isCounter: boolean, isRate: boolean): RangeKernel {
  const extended = extendedRate(isCounter, isRate);
  return (ts, vs, lo, hi, w) => {
    if (w.mode) return extended(ts, vs, lo, hi, w);
    const count = hi - lo;
    if (count < 2) return undefined;
    const first = vs[lo];
    let result = vs[hi - 1] - first;
    if (isCounter) {
      let prev = first;
      for (let k = lo + 1; k < hi; k++) {
        if (vs[k] < prev) result += prev;
        prev = vs[k];
      }
    }
    const firstT = ts[lo];
    const lastT = ts[hi - 1];
    let durationToStart = (firstT - w.start) / 1000;
    let durationToEnd = (w.end - lastT) / 1000;
    const sampledInterval = (lastT - firstT) / 1000;
    const averageBetween = sampledInterval / (count - 1);
    // Extrapolate to the window's edges only when samples come close enough to them;
    // otherwise assume the series starts or ends half an interval beyond its samples.
    const threshold = averageBetween * 1.1;
    if (durationToStart >= threshold) durationToStart = averageBetween / 2;
    if (isCounter && result > 0 && first >= 0) {
      // A counter cannot go below zero: do not extrapolate past its zero point.
      const durationToZero = sampledInterval * (first / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    if (durationToEnd >= threshold) durationToEnd = averageBetween / 2;
    let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) factor /= w.rangeMs / 1000;
    return result * factor;
  };
}

function instantValue(isRate: boolean): RangeKernel {
  return (ts, vs, lo, hi) => {
    if (hi - lo < 2) return undefined;
    const a = vs[hi - 2];
    const b = vs[hi - 1];
    let result = isRate && b < a ? b : b - a;
    const interval = ts[hi - 1] - ts[hi - 2];
    if (interval === 0) return undefined;
    if (isRate) result /= interval / 1000;
    return result;
  };
}

const regression = { slope: 0, intercept: 0 };

function linearRegression(ts: Float64Array, vs: Float64Array, lo: number, hi: number, interceptTime: number): void {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = vs[lo];
  let constY = true;
  for (let k = lo; k < hi; k++) {
    const y = vs[k];
    if (constY && k > lo && y !== initY) constY = false;
    n++;
    const x = (ts[k] - interceptTime) / 1000;
    let r = kahanSumInc(x, sumX, cX);
    sumX = r.sum;
    cX = r.c;
    r = kahanSumInc(y, sumY, cY);
    sumY = r.sum;
    cY = r.c;
    r = kahanSumInc(x * y, sumXY, cXY);
    sumXY = r.sum;
    cXY = r.c;
    r = kahanSumInc(x * x, sumX2, cX2);
    sumX2 = r.sum;
    cX2 = r.c;
  }
  if (constY) {
    const inf = initY === Infinity || initY === -Infinity;
    regression.slope = inf ? NaN : 0;
    regression.intercept = inf ? NaN : initY;
    return;
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  regression.slope = covXY / varX;
  regression.intercept = sumY / n - (regression.slope * sumX) / n;
}

const deriv: RangeKernel = (ts, vs, lo, hi) => {
  if (hi - lo < 2) return undefined;
  linearRegression(ts, vs, lo, hi, ts[lo]);
  return regression.slope;
};

const predictLinear: RangeKernel = (ts, vs, lo, hi, w) => {
  if (hi - lo < 2) return undefined;
  linearRegression(ts, vs, lo, hi, w.stepTime);
  return regression.slope * w.args[0][w.step] + regression.intercept;
};

const doubleExponentialSmoothing: RangeKernel = (_ts, vs, lo, hi, w) => {
  const sf = w.args[0][w.step];
  const tf = w.args[1][w.step];
  if (!(sf > 0 && sf < 1)) throw new EvalError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  if (!(tf > 0 && tf < 1)) throw new EvalError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  if (hi - lo < 2) return undefined;
  let s0 = 0;
  let s1 = vs[lo];
  let b = vs[lo + 1] - vs[lo];
  for (let k = lo + 1; k < hi; k++) {
    const x = sf * vs[k];
    if (k > lo + 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
};

const sumOverTime: RangeKernel = (_ts, vs, lo, hi) => {
  let sum = 0;
  let c = 0;
  for (let k = lo; k < hi; k++) {
    const r = kahanSumInc(vs[k], sum, c);
    sum = r.sum;
    c = r.c;
  }
  return sum === Infinity || sum === -Infinity ? sum : sum + c;
};

const avgOverTime: RangeKernel = (_ts, vs, lo, hi) => {
  let sum = vs[lo];
  let count = 1;
  let mean = 0;
  let c = 0;
  let incremental = false;
  for (let k = lo + 1; k < hi; k++) {
    const f = vs[k];
    count = k - lo + 1;
    if (!incremental) {
      const r = kahanSumInc(f, sum, c);
      if (Number.isFinite(r.sum) || Number.isNaN(r.sum)) {
        sum = r.sum;
        c = r.c;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    const r = kahanSumInc(f / count, q * mean, q * c);
    mean = r.sum;
    c = r.c;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
};

function stdvarOverTime(sqrt: boolean): RangeKernel {
  return (_ts, vs, lo, hi) => {
    let count = 0;
    let mean = 0;
    let cMean = 0;
    let aux = 0;
    let cAux = 0;
    for (let k = lo; k < hi; k++) {
      const f = vs[k];
      count++;
      const delta = f - (mean + cMean);
      let r = kahanSumInc(delta / count, mean, cMean);
      mean = r.sum;
      cMean = r.c;
      r = kahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
      aux = r.sum;
      cAux = r.c;
    }
    const v = (aux + cAux) / count;
    return sqrt ? Math.sqrt(v) : v;
  };
}

const scratch: number[] = [];

function collect(vs: Float64Array, lo: number, hi: number): number[] {
  scratch.length = 0;
  for (let k = lo; k < hi; k++) scratch.push(vs[k]);
  return scratch;
}

const madOverTime: RangeKernel = (_ts, vs, lo, hi) => {
  // A NaN sample makes the deviation undefined; Prometheus returns NaN rather than skip it.
  for (let k = lo; k < hi; k++) if (Number.isNaN(vs[k])) return NaN;
  const values = collect(vs, lo, hi);
  const median = quantileOf(0.5, values);
  for (let k = 0; k < values.length; k++) values[k] = Math.abs(values[k] - median);
  return quantileOf(0.5, values);
};

function extreme(max: boolean, timestamp: boolean): RangeKernel {
  return (ts, vs, lo, hi) => {
    let best = vs[lo];
    let bestT = ts[lo];
    for (let k = lo + 1; k < hi; k++) {
      const f = vs[k];
      // Later samples win ties so the timestamp variant reports the last occurrence.
      if ((max ? f >= best : f <= best) || Number.isNaN(best)) {
        if (f !== best || timestamp) {
          best = f;
          bestT = ts[k];
        }
      }
    }
    return timestamp ? bestT / 1000 : best;
  };
}

const changes: RangeKernel = (ts, vs, lo, hi, w) => {
  const from = countingStart(ts, lo, hi, w.start, w.mode);
  if (from === undefined) return undefined;
  let c = 0;
  let prev = vs[from];
  for (let k = from + 1; k < hi; k++) {
    const cur = vs[k];
    if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) c++;
    prev = cur;
  }
  return c;
};

const resets: RangeKernel = (ts, vs, lo, hi, w) => {
  const from = countingStart(ts, lo, hi, w.start, w.mode);
  if (from === undefined) return undefined;
  let c = 0;
  let prev = vs[from];
  for (let k = from + 1; k < hi; k++) {
    if (vs[k] < prev) c++;
    prev = vs[k];
  }
  return c;
};

export interface RangeFunction {
  readonly kernel: RangeKernel;
  /** Index of the range-vector argument; the others are scalars. */
  readonly matrixArg: number;
  readonly keepName?: boolean;
}

export const RANGE_FUNCTIONS: Readonly<Record<string, RangeFunction>> = {
  rate: { kernel: extrapolatedRate(true, true), matrixArg: 0 },
  increase: { kernel: extrapolatedRate(true, false), matrixArg: 0 },
  delta: { kernel: extrapolatedRate(false, false), matrixArg: 0 },
  irate: { kernel: instantValue(true), matrixArg: 0 },
  idelta: { kernel: instantValue(false), matrixArg: 0 },
  deriv: { kernel: deriv, matrixArg: 0 },
  predict_linear: { kernel: predictLinear, matrixArg: 0 },
  double_exponential_smoothing: { kernel: doubleExponentialSmoothing, matrixArg: 0 },
  holt_winters: { kernel: doubleExponentialSmoothing, matrixArg: 0 },
  changes: { kernel: changes, matrixArg: 0 },
  resets: { kernel: resets, matrixArg: 0 },
  sum_over_time: { kernel: sumOverTime, matrixArg: 0 },
  avg_over_time: { kernel: avgOverTime, matrixArg: 0 },
  count_over_time: { kernel: (_t, _v, lo, hi) => hi - lo, matrixArg: 0 },
  min_over_time: { kernel: extreme(false, false), matrixArg: 0 },
  max_over_time: { kernel: extreme(true, false), matrixArg: 0 },
  ts_of_min_over_time: { kernel: extreme(false, true), matrixArg: 0 },
  ts_of_max_over_time: { kernel: extreme(true, true), matrixArg: 0 },
  last_over_time: { kernel: (_t, vs, _lo, hi) => vs[hi - 1], matrixArg: 0, keepName: true },
  first_over_time: { kernel: (_t, vs, lo) => vs[lo], matrixArg: 0, keepName: true },
  ts_of_last_over_time: { kernel: (ts, _v, _lo, hi) => ts[hi - 1] / 1000, matrixArg: 0 },
  ts_of_first_over_time: { kernel: (ts, _v, lo) => ts[lo] / 1000, matrixArg: 0 },
  present_over_time: { kernel: () => 1, matrixArg: 0 },
  stddev_over_time: { kernel: stdvarOverTime(true), matrixArg: 0 },
  stdvar_over_time: { kernel: stdvarOverTime(false), matrixArg: 0 },
  mad_over_time: { kernel: madOverTime, matrixArg: 0 },
  quantile_over_time: { kernel: (_t, vs, lo, hi, w) => quantileOfRange(w.args[0][w.step], vs, lo, hi), matrixArg: 1 },
};

const COUNTER_SUFFIXES = ["_total", "_sum", "_count", "_bucket"];

/** The metric name when it does not look like a counter's, for rate/increase's info annotation. */
export function nonCounterName(metric: Labels): string | undefined {
  const name = getLabel(metric, METRIC_NAME);
  if (name === "" || COUNTER_SUFFIXES.some((s) => name.endsWith(s))) return undefined;
  return name;
}
