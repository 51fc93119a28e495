// Float syntax as Prometheus parses sample values: Go's strconv.ParseFloat without hex
// floats or underscores, and out-of-range magnitudes are errors rather than infinities.

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF = /^[+-]?(?:inf|infinity)$/i;
const NAN = /^nan$/i;

/** Parses a sample value or OpenMetrics timestamp; undefined when Prometheus would reject it. */
export function parseGoFloat(s: string): number | undefined {
  if (DECIMAL.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  if (INF.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  if (NAN.test(s)) return NaN;
  return undefined;
}
