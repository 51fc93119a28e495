// Bucket layouts for histograms.
import { InvalidValueError } from "./errors.js";

/** client_golang's DefBuckets: request latencies in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** count buckets: start, start+width, ... */
export function linearBuckets(start: number, width: number, count: number): number[] {
  if (!(count >= 1) || !(width > 0)) throw new InvalidValueError(`linearBuckets needs count >= 1 and width > 0, got count ${count}, width ${width}`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(start + i * width);
  return out;
}

/** count buckets: start, start*factor, ... */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (!(count >= 1) || !(start > 0) || !(factor > 1)) {
    throw new InvalidValueError(`exponentialBuckets needs count >= 1, start > 0 and factor > 1, got ${count}, ${start}, ${factor}`);
  }
  const out: number[] = [];
  let v = start;
  for (let i = 0; i < count; i++, v *= factor) out.push(v);
  return out;
}

/** count buckets from min to max, each factor times the last. */
export function exponentialBucketsRange(min: number, max: number, count: number): number[] {
  if (!(count >= 1) || !(min > 0) || !(max > min)) {
    throw new InvalidValueError(`exponentialBucketsRange needs count >= 1 and 0 < min < max, got ${min}, ${max}, ${count}`);
  }
  const factor = Math.pow(max / min, 1 / (count - 1));
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(min * Math.pow(factor, i));
  return out;
}

/** Validates upper bounds (strictly increasing) and drops a trailing +Inf, which is always implied. */
export function checkBuckets(name: string, buckets: readonly number[]): Float64Array {
  const bounds = buckets.length > 0 && buckets[buckets.length - 1] === Infinity ? buckets.slice(0, -1) : buckets;
  for (let i = 0; i < bounds.length; i++) {
    if (Number.isNaN(bounds[i])) throw new InvalidValueError(`histogram ${name}: bucket bound is NaN`);
    if (i > 0 && !(bounds[i] > bounds[i - 1])) {
      throw new InvalidValueError(`histogram ${name}: buckets must be strictly increasing, got ${bounds[i - 1]} then ${bounds[i]}`);
    }
  }
  return Float64Array.from(bounds);
}
