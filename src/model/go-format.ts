// Numbers and strings printed exactly as Go's strconv prints them. Prometheus' API
// JSON, promtool's output, exposition text and PromQL's String() all come from Go, so
// every subsystem that must match them byte for byte uses these.

/** strconv.FormatFloat(v, 'g', -1, 64): shortest digits, exponent form below 1e-4 and from 1e+06 (1e+06, 1.5e-07, 123456). */
export function formatFloatG(v: number): string {
  if (Number.isInteger(v)) {
    if (v === 0) return Object.is(v, -0) ? "-0" : "0";
    if (v < 1e6 && v > -1e6) return String(v);
  } else if (v !== v) {
    return "NaN";
  } else if (v === Infinity) {
    return "+Inf";
  } else if (v === -Infinity) {
    return "-Inf";
  } else {
    const a = v < 0 ? -v : v;
    // JS and Go agree on the shortest digits; only the switch to exponent form and its width differ.
    if (a >= 1e-4 && a < 1e6) return String(v);
  }
  const s = v.toExponential();
  const e = s.indexOf("e");
  // Go pads the exponent to two digits: 1e+6 -> 1e+06.
  return s.length - e === 3 ? s.slice(0, e + 2) + "0" + s.slice(e + 2) : s;
}

/** strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatFloatF(v: number): string {
  if (v !== v) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const s = String(v);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const neg = s.startsWith("-");
  const mant = s.slice(neg ? 1 : 0, e);
  const dot = mant.indexOf(".");
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const pointAt = (dot < 0 ? mant.length : dot) + Number(s.slice(e + 1));
  let out: string;
  if (pointAt <= 0) out = "0." + "0".repeat(-pointAt) + digits;
  else if (pointAt >= digits.length) out = digits + "0".repeat(pointAt - digits.length);
  else out = digits.slice(0, pointAt) + "." + digits.slice(pointAt);
  return neg ? "-" + out : out;
}

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/**
 * strconv.Quote. Lone surrogates U+DC80..U+DCFF stand for the invalid UTF-8 bytes
 * 0x80..0xFF (that is how the PromQL parser keeps "\xff" escapes) and print as \xNN.
 */
export function quoteGo(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += `\\x${(cp - 0xdc00).toString(16)}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (NAMED_ESCAPES[ch] !== undefined) out += NAMED_ESCAPES[ch];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}
