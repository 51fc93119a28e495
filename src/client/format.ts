// Number and string formatting shared by the exposition writers: floats exactly as Go's
// strconv.FormatFloat(f, 'g', -1, 64) prints them (what Prometheus clients emit), and escaping.
import { formatFloatG as formatFloat } from "../model/go-format.js";

export { formatFloat };

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
