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

/** NaN sorts first, as Prometheus' value heap orders them. */
function byValueNaNFirst(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

/** The φ-quantile with linear interpolation between ranks; sorts values in place. */
export function quantileOf(q: number, values: number[] | Float64Array): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort(byValueNaNFirst);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
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
