// Go's strconv.ParseFloat(s, 64), for text Prometheus hands to it unchecked (a bucket's `le`
// label): decimal and hexadecimal (0x1p-2) forms, underscores between digits, Inf/Infinity/NaN
// in any case. A magnitude beyond float64 is an error there, not an infinity.

const DECIMAL = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/;
const INF = /^[+-]?(?:inf|infinity)$/i;

/** The parsed value, or undefined where Go returns an error. */
export function goParseFloat(s: string): number | undefined {
  if (INF.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (s.includes("_") && !underscoresOk(s)) return undefined;
  let v: number;
  if (DECIMAL.test(s)) {
    v = Number(s.replace(/_/g, ""));
  } else {
    const m = HEX.exec(s);
    if (!m) return undefined;
    const int = m[2].replace(/_/g, "");
    const frac = (m[3] ?? "").replace(/_/g, "");
    if (int === "" && frac === "") return undefined;
    const mantissa = BigInt("0x" + (int + frac || "0"));
    const exp = Number(m[4].replace(/_/g, "")) - 4 * frac.length;
    v = scaleByPowerOfTwo(Number(mantissa), exp);
    if (m[1] === "-") v = -v;
  }
  return Number.isFinite(v) ? v : undefined;
}

/** x * 2^exp in steps, so neither factor overflows or underflows on its own. */
function scaleByPowerOfTwo(x: number, exp: number): number {
  let e = exp;
  let v = x;
  while (e > 1000 && v !== 0 && Number.isFinite(v)) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000 && v !== 0) {
    v *= 2 ** -1000;
    e += 1000;
  }
  return v * 2 ** e;
}

/** Go's rule: an underscore sits only between two digits, or between a base prefix and a digit. */
function underscoresOk(s: string): boolean {
  let rest = s.replace(/^[+-]/, "");
  let hex = false;
  let saw = "^";
  if (/^0[xX]/.test(rest)) {
    rest = rest.slice(2);
    saw = "0";
    hex = true;
  }
  for (const c of rest) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
    } else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}
