// Float helpers shared by aggregations and range functions, with Prometheus' numerics.

export interface KahanState {
  sum: number;
  c: number;
}

// One shared result object so hot loops do not allocate; read it before the next call.
const kahanOut: KahanState = { sum: 0, c: 0 };

/** Neumaier-compensated addition: returns the new sum and compensation (shared object). */
export function kahanSumInc(inc: number, sum: number, c: number): KahanState {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  kahanOut.sum = t;
  kahanOut.c = c;
  return kahanOut;
}

let sortScratch = new Float64Array(1024);

/**
 * The φ-quantile of values[lo, hi) with linear interpolation between ranks, NaN ranking
 * lowest as in Prometheus. The values are copied and sorted natively (NaN last, so the
 * ranks are shifted by the NaN count) instead of through a comparator; values are unchanged.
 */
export function quantileOfRange(q: number, values: ArrayLike<number>, lo: number, hi: number): number {
  const n = hi - lo;
  if (n <= 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (sortScratch.length < n) sortScratch = new Float64Array(Math.max(n, 2 * sortScratch.length));
  const a = sortScratch.subarray(0, n);
  for (let k = 0; k < n; k++) a[k] = values[lo + k];
  a.sort();
  let nans = 0;
  while (nans < n && Number.isNaN(a[n - 1 - nans])) nans++;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  const low = lower < nans ? NaN : a[lower - nans];
  const high = upper < nans ? NaN : a[upper - nans];
  return low * (1 - weight) + high * weight;
}

/** The φ-quantile of all values (see quantileOfRange). */
export function quantileOf(q: number, values: ArrayLike<number>): number {
  return quantileOfRange(q, values, 0, values.length);
}

/** Almost-equal with a relative tolerance, as Prometheus' util/almost does. */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  const minNormal = 2.2250738585072014e-308;
  if (a === b) return true;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
