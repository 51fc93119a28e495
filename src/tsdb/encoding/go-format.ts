// Text formatting that matches Go's fmt/strconv output, so that tool output
// (dump, list, analyze) is byte-identical to promtool's.


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
