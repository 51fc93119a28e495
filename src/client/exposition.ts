// Writers for the Prometheus text format 0.0.4 and OpenMetrics 1.0, and content negotiation.
import { escapeHelpOpenMetrics, escapeHelpText, formatFloat, formatOpenMetricsFloat, labelPairsText } from "./format.js";
import type { Exemplar, Metric, MetricFamily } from "./interface.js";

export type ExpositionFormat = "text" | "openmetrics";

export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

export function contentTypeOf(format: ExpositionFormat): string {
  return format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/** Picks the format for an Accept header the way Prometheus' expfmt does; text when nothing fits. */
export function negotiate(accept: string | undefined): ExpositionFormat {
  if (!accept) return "text";
  const ranges: { type: string; version: string | undefined; q: number; i: number }[] = [];
  accept.split(",").forEach((part, i) => {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const eq = p.indexOf("=");
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
      if (key === "q") q = Number(value);
      else if (key === "version") version = value;
    }
    if (type && q > 0) ranges.push({ type: type.toLowerCase(), version, q, i });
  });
  ranges.sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.type === "application/openmetrics-text" && (r.version === undefined || r.version === "1.0.0" || r.version === "0.0.1")) {
      return "openmetrics";
    }
    if (r.type === "text/plain" && (r.version === undefined || r.version === "0.0.4")) return "text";
  }
  return "text";
}

export interface OpenMetricsOptions {
  /** Write `_created` samples for counters, histograms and summaries (default true). */
  readonly created?: boolean;
}

export function writeExposition(families: readonly MetricFamily[], format: ExpositionFormat, opts: OpenMetricsOptions = {}): string {
  return format === "openmetrics" ? writeOpenMetrics(families, opts) : writeText(families);
}

function braces(m: Metric): string {
  const t = m.labelText ?? labelPairsText(m.labels);
  return t === "" ? "" : "{" + t + "}";
}

/** `{a="x",le="0.5"}`: the metric's labels plus one more at the end, as client_golang orders them. */
function bracesWith(m: Metric, name: string, value: string): string {
  const t = m.labelText ?? labelPairsText(m.labels);
  return t === "" ? "{" + name + '="' + value + '"}' : "{" + t + "," + name + '="' + value + '"}';
}

/** Prometheus text format 0.0.4. */
export function writeText(families: readonly MetricFamily[]): string {
  let out = "";
  for (const fam of families) {
    const name = fam.name;
    out += "# HELP " + name + " " + escapeHelpText(fam.help) + "\n# TYPE " + name + " " + fam.type + "\n";
    const metrics = fam.metrics;
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i];
      const ts = m.timestampMs === undefined ? "\n" : " " + Math.round(m.timestampMs) + "\n";
      if (m.histogram !== undefined) {
        const h = m.histogram;
        for (const b of h.buckets) out += name + "_bucket" + bracesWith(m, "le", formatFloat(b.upperBound)) + " " + formatFloat(b.cumulativeCount) + ts;
        const lt = braces(m);
        out += name + "_bucket" + bracesWith(m, "le", "+Inf") + " " + formatFloat(h.count) + ts;
        out += name + "_sum" + lt + " " + formatFloat(h.sum) + ts;
        out += name + "_count" + lt + " " + formatFloat(h.count) + ts;
      } else if (m.summary !== undefined) {
        const s = m.summary;
        for (const q of s.quantiles) out += name + bracesWith(m, "quantile", formatFloat(q.quantile)) + " " + formatFloat(q.value) + ts;
        const lt = braces(m);
        out += name + "_sum" + lt + " " + formatFloat(s.sum) + ts;
        out += name + "_count" + lt + " " + formatFloat(s.count) + ts;
      } else {
        out += name + braces(m) + " " + formatFloat(m.value ?? NaN) + ts;
      }
    }
  }
  return out;
}

function exemplarText(e: Exemplar | undefined): string {
  if (e === undefined) return "";
  let s = " # {" + labelPairsText(e.labels) + "} " + formatOpenMetricsFloat(e.value);
  if (e.timestampMs !== undefined) s += " " + formatOpenMetricsFloat(e.timestampMs / 1000);
  return s;
}

/** Integer counts as OpenMetrics wants them (no ".0"); non-integers (from const metrics) as floats. */
function count(v: number): string {
  return Number.isInteger(v) ? String(v) : formatOpenMetricsFloat(v);
}

/** OpenMetrics 1.0 text, ending in `# EOF`. */
export function writeOpenMetrics(families: readonly MetricFamily[], opts: OpenMetricsOptions = {}): string {
  const withCreated = opts.created ?? true;
  let out = "";
  for (const fam of families) {
    const isCounter = fam.type === "counter";
    const name = isCounter && fam.name.endsWith("_total") ? fam.name.slice(0, -6) : fam.name;
    const type = fam.type === "untyped" ? "unknown" : fam.type;
    out += "# HELP " + name + " " + escapeHelpOpenMetrics(fam.help) + "\n# TYPE " + name + " " + type + "\n";
    for (const m of fam.metrics) {
      const ts = m.timestampMs === undefined ? "" : " " + formatOpenMetricsFloat(m.timestampMs / 1000);
      const lt = braces(m);
      const created =
        withCreated && m.createdMs !== undefined ? name + "_created" + lt + " " + formatOpenMetricsFloat(m.createdMs / 1000) + ts + "\n" : "";
      if (m.histogram !== undefined) {
        const h = m.histogram;
        for (const b of h.buckets) {
          out += name + "_bucket" + bracesWith(m, "le", formatOpenMetricsFloat(b.upperBound)) + " " + count(b.cumulativeCount) + ts + exemplarText(b.exemplar) + "\n";
        }
        out += name + "_bucket" + bracesWith(m, "le", "+Inf") + " " + count(h.count) + ts + exemplarText(h.infExemplar) + "\n";
        out += name + "_sum" + lt + " " + formatOpenMetricsFloat(h.sum) + ts + "\n";
        out += name + "_count" + lt + " " + count(h.count) + ts + "\n" + created;
      } else if (m.summary !== undefined) {
        const s = m.summary;
        for (const q of s.quantiles) {
          out += name + bracesWith(m, "quantile", formatOpenMetricsFloat(q.quantile)) + " " + formatOpenMetricsFloat(q.value) + ts + "\n";
        }
        out += name + "_sum" + lt + " " + formatOpenMetricsFloat(s.sum) + ts + "\n";
        out += name + "_count" + lt + " " + count(s.count) + ts + "\n" + created;
      } else if (isCounter) {
        out += name + "_total" + lt + " " + formatOpenMetricsFloat(m.value ?? NaN) + ts + exemplarText(m.exemplar) + "\n" + created;
      } else {
        out += name + lt + " " + formatOpenMetricsFloat(m.value ?? NaN) + ts + "\n";
      }
    }
  }
  return out + "# EOF\n";
}
