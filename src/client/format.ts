// Number and string formatting shared by the exposition writers: floats exactly as Go's
// strconv.FormatFloat(f, 'g', -1, 64) prints them (what Prometheus clients emit), and escaping.

/** Shortest round-trip float in Go's %g style: 1e+06, 1.5e-07, 123456, 0.0001, +Inf, NaN. */
export function formatFloat(v: number): string {
  if (Number.isInteger(v)) {
    if (v < 1e6 && v > -1e6) return v === 0 ? "0" : String(v);
  } else if (v !== v) {
    return "NaN";
  } else if (v === Infinity) {
    return "+Inf";
  } else if (v === -Infinity) {
    return "-Inf";
  } else {
    const a = v < 0 ? -v : v;
    // JavaScript and Go agree on the shortest digits; only the %e/%f switch-over and exponent width differ.
    if (a >= 1e-4 && a < 1e6) return String(v);
  }
  return goExponent(v.toExponential());
}

/** OpenMetrics float: like formatFloat but integers keep a ".0" (le="1.0", 0.0). */
export function formatOpenMetricsFloat(v: number): string {
  const s = formatFloat(v);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // '.', 'e', 'I' (Inf) and 'N' (NaN) already make it a float literal.
    if (c === 46 || c === 101 || c === 73 || c === 78) return s;
  }
  return s + ".0";
}

/** "1e+6" -> "1e+06": Go pads the exponent to at least two digits. */
function goExponent(s: string): string {
  const e = s.indexOf("e");
  if (s.length - e === 3) return s.slice(0, e + 2) + "0" + s.slice(e + 2);
  return s;
}

const LABEL_VALUE_SPECIAL = /[\\"\n]/;

/** Label values escape backslash, double quote and line feed (same in text 0.0.4 and OpenMetrics). */
export function escapeLabelValue(s: string): string {
  if (!LABEL_VALUE_SPECIAL.test(s)) return s;
  return s.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : "\\" + c));
}

/** HELP text in the 0.0.4 text format escapes backslash and line feed only. */
export function escapeHelpText(s: string): string {
  if (s.indexOf("\\") < 0 && s.indexOf("\n") < 0) return s;
  return s.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/** HELP text in OpenMetrics also escapes double quotes. */
export function escapeHelpOpenMetrics(s: string): string {
  return escapeLabelValue(s);
}

/** The inside of a label set's braces: a="x",b="y" (labels already sorted). */
export function labelPairsText(labels: readonly { readonly name: string; readonly value: string }[]): string {
  let s = "";
  for (let i = 0; i < labels.length; i++) {
    if (i > 0) s += ",";
    s += labels[i].name + '="' + escapeLabelValue(labels[i].value) + '"';
  }
  return s;
}

/** Unicode code points in s (surrogate pairs count once), as OpenMetrics counts exemplar runes. */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
