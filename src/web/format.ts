// JSON for query results exactly as Prometheus writes it: values are strings in Go's
// strconv.FormatFloat(v, 'f', -1, 64) form, timestamps are float seconds.
import type { Labels } from "../model/labels.js";
import type { QueryStats, QueryValue } from "../promql/value.js";
import { formatFloatF } from "../model/go-format.js";

/** Sample values in the API are Go's strconv.FormatFloat(v, 'f', -1, 64): 1000000, +Inf, NaN. */
export const formatSampleValue = formatFloatF;

/** ms since epoch as Prometheus' JSON float seconds (1700000000.5, 1700000000). */
export function formatTimestamp(ms: number): string {
  const neg = ms < 0;
  const a = Math.abs(ms);
  const sec = Math.floor(a / 1000);
  const frac = a - sec * 1000;
  let s = String(sec);
  if (frac !== 0) s += "." + String(frac).padStart(3, "0").replace(/0+$/, "");
  return neg ? "-" + s : s;
}

export function labelsJSON(labels: Labels): string {
  let s = "{";
  for (let i = 0; i < labels.length; i++) {
    if (i > 0) s += ",";
    s += JSON.stringify(labels[i].name) + ":" + JSON.stringify(labels[i].value);
  }
  return s + "}";
}

function point(t: number, v: number): string {
  return `[${formatTimestamp(t)},"${formatSampleValue(v)}"]`;
}

/** The `data` object of a query response: resultType, result and optionally stats. */
export function queryDataJSON(value: QueryValue, stats: QueryStats | undefined): string {
  let result: string;
  switch (value.type) {
    case "scalar":
      result = point(value.t, value.v);
      break;
    case "string":
      result = `[${formatTimestamp(value.t)},${JSON.stringify(value.v)}]`;
      break;
    case "vector": {
      const parts: string[] = [];
      for (const s of value.samples) parts.push(`{"metric":${labelsJSON(s.metric)},"value":${point(s.t, s.v)}}`);
      result = `[${parts.join(",")}]`;
      break;
    }
    case "matrix": {
      const parts: string[] = [];
      for (const s of value.series) {
        const pts: string[] = new Array(s.ts.length);
        for (let i = 0; i < s.ts.length; i++) pts[i] = point(s.ts[i], s.vs[i]);
        parts.push(`{"metric":${labelsJSON(s.metric)},"values":[${pts.join(",")}]}`);
      }
      result = `[${parts.join(",")}]`;
      break;
    }
  }
  const statsPart = stats === undefined ? "" : `,"stats":${JSON.stringify(stats)}`;
  return `{"resultType":"${value.type}","result":${result}${statsPart}}`;
}
