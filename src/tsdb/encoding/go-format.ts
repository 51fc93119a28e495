// Text formatting that matches Go's fmt/strconv output, so that tool output
// (dump, list, analyze) is byte-identical to promtool's.

/** Go's fmt "%g" for a float64: shortest digits, exponent form when the exponent is < -4 or >= 6. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const neg = v < 0;
  const [mant, expStr] = Math.abs(v).toExponential().split("e");
  const digits = mant.replace(".", "");
  const exp = Number(expStr);
  let out: string;
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const e = Math.abs(exp);
    out = `${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
  } else if (exp < 0) {
    out = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + "0".repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NAMED_ESCAPES: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };

/** Go's strconv.Quote. */
export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
      else out += `\\U${cp.toString(16).padStart(8, "0")}`;
    }
  }
  return `${out}"`;
}

/** Go's time.Duration.String() for a whole number of milliseconds. */
export function formatGoDurationMs(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) out = `${rest}ms`;
  else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    const frac = rest - s * 1000;
    const sec = frac === 0 ? `${s}` : `${s}.${String(frac).padStart(3, "0").replace(/0+$/, "")}`;
    out = h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
  }
  return neg ? `-${out}` : out;
}

/** Rows aligned as Go's text/tabwriter with minwidth, padding and ' ' padchar; the last cell is not padded. */
export function tabwrite(rows: readonly string[][], opts: { minWidth: number; padding: number }): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.length - 1; i++) widths[i] = Math.max(widths[i] ?? 0, Math.max(opts.minWidth, [...r[i]].length + opts.padding));
  }
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c + " ".repeat(widths[i] - [...c].length) : c)).join("") + "\n").join("");
}

/** alecthomas/units Base2Bytes.String(): 2044 -> "1KiB1020B". */
export function formatBase2Bytes(n: number): string {
  const mults = ["", "K", "M", "G", "T", "P", "E"];
  const parts: string[] = [];
  for (let i = 0; i < mults.length; i++) {
    const r = n % 1024;
    if (r !== 0 || (i === 0 && n === 0)) parts.unshift(`${r}${mults[i]}${i === 0 ? "B" : "iB"}`);
    n = Math.floor(n / 1024);
    if (n === 0) break;
  }
  return parts.join("");
}

/** Go's time.Time.String() for a UTC instant given in ms, truncated to seconds as promtool does. */
export function formatGoUtcSeconds(ms: number): string {
  const d = new Date(Math.trunc(ms / 1000) * 1000);
  const p = (x: number, n = 2): string => String(x).padStart(n, "0");
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}
