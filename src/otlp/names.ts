// OTLP metric and attribute names -> Prometheus metric and label names, per translation
// strategy, following Prometheus' OTLP guide and the OpenTelemetry compatibility spec:
// escaping replaces characters Prometheus' legacy names do not allow with "_"; suffixes add
// the unit (UCUM "s" -> "seconds", "By/s" -> "bytes_per_second", "{annotations}" dropped),
// "_total" for monotonic sums and "_ratio" for gauges of unit "1".
import type { TranslationStrategy } from "../config/otlp.js";

export function strategyEscapes(s: TranslationStrategy): boolean {
  return s === "UnderscoreEscapingWithSuffixes" || s === "UnderscoreEscapingWithoutSuffixes";
}

export function strategyAddsSuffixes(s: TranslationStrategy): boolean {
  return s === "UnderscoreEscapingWithSuffixes" || s === "NoUTF8EscapingWithSuffixes";
}

/** What decides a metric's suffixes: monotonic sums count, gauges may be ratios. */
export type NameKind = "gauge" | "counter" | "updown" | "histogram" | "summary";

export interface NamingOptions {
  readonly strategy: TranslationStrategy;
  /** label_name_underscore_sanitization: "_x" becomes "key_x" (escaping strategies only). */
  readonly underscoreSanitization: boolean;
  /** label_name_preserve_multiple_underscores: "a__b" stays as it is (escaping strategies only). */
  readonly preserveMultipleUnderscores: boolean;
}

export class NameError extends Error {}

const UNITS: Readonly<Record<string, string>> = {
  d: "days", h: "hours", min: "minutes", s: "seconds", ms: "milliseconds", us: "microseconds", ns: "nanoseconds",
  By: "bytes", KiBy: "kibibytes", MiBy: "mebibytes", GiBy: "gibibytes", TiBy: "tibibytes",
  KBy: "kilobytes", MBy: "megabytes", GBy: "gigabytes", TBy: "terabytes",
  m: "meters", V: "volts", A: "amperes", J: "joules", W: "watts", g: "grams",
  Cel: "celsius", Hz: "hertz", "1": "", "%": "percent",
};

const PER_UNITS: Readonly<Record<string, string>> = { s: "second", m: "minute", h: "hour", d: "day", w: "week", mo: "month", y: "year" };

/** The unit's main and "per" parts as words ("By/s" -> ["bytes", "per_second"]); annotated parts ({...}) are dropped. */
function unitWords(unit: string): [string, string] {
  const slash = unit.indexOf("/");
  const mainPart = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perPart = slash < 0 ? "" : unit.slice(slash + 1).trim();
  const usable = (u: string): boolean => u !== "" && !/[{}]/.test(u);
  const main = usable(mainPart) ? (UNITS[mainPart] ?? mainPart) : "";
  const perWord = usable(perPart) ? (PER_UNITS[perPart] ?? perPart) : "";
  return [main, perWord === "" ? "" : "per_" + perWord];
}

/** Metric name tokens: runs of [a-zA-Z0-9:], so "_" also splits and repeated separators collapse. */
function tokens(s: string): string[] {
  return s.split(/[^a-zA-Z0-9:]+/u).filter((t) => t !== "");
}

function cleanUnit(u: string): string {
  return u.replace(/[^a-zA-Z0-9:]/gu, "_").replace(/__+/g, "_").replace(/^_/, "");
}

export function metricName(name: string, unit: string, kind: NameKind, opts: NamingOptions): string {
  const s = opts.strategy;
  const out = strategyEscapes(s) ? escapedMetricName(name, unit, kind, strategyAddsSuffixes(s)) : strategyAddsSuffixes(s) ? utf8MetricName(name, unit, kind) : name;
  if (out === "") throw new NameError(`normalization for metric ${JSON.stringify(name)} resulted in empty name`);
  if (out !== name && /^_+$/.test(out)) throw new NameError(`normalization for metric ${JSON.stringify(name)} resulted in invalid name ${JSON.stringify(out)}`);
  return out;
}

function escapedMetricName(name: string, unit: string, kind: NameKind, suffixes: boolean): string {
  let out: string;
  if (!suffixes) {
    out = name.split(/[^a-zA-Z0-9:_]+/u).filter((t) => t !== "").join("_");
  } else {
    let parts = tokens(name);
    const [main, per] = unitWords(unit);
    let m = cleanUnit(main);
    let p = cleanUnit(per);
    if (parts.includes(m)) m = "";
    if (p === "per_") p = "";
    else {
      p = p.replace(/_$/, "");
      if (parts.includes(p)) p = "";
    }
    if (p !== "") m = m.replace(/_$/, "");
    if (m !== "") parts.push(m);
    if (p !== "") parts.push(p);
    if (kind === "counter") parts = [...parts.filter((t) => t !== "total"), "total"];
    if (unit === "1" && kind === "gauge") parts = [...parts.filter((t) => t !== "ratio"), "ratio"];
    out = parts.join("_");
  }
  return /^[0-9]/.test(out) ? "_" + out : out;
}

/** With UTF-8 allowed the name is kept and suffixes are appended unless it already ends with them. */
function utf8MetricName(name: string, unit: string, kind: NameKind): string {
  const trim = (n: string, suffix: string): string => (n.endsWith(suffix) && n.length > suffix.length + 1 ? n.slice(0, -(suffix.length + 1)) : n);
  const ratio = unit === "1" && kind === "gauge";
  const total = kind === "counter";
  let out = name;
  if (ratio) out = trim(out, "ratio");
  if (total) out = trim(out, "total");
  const [main, per] = unitWords(unit);
  if (per !== "") out = trim(out, per);
  if (main !== "" && !out.endsWith(main)) out += "_" + main;
  if (per !== "") out += "_" + per;
  if (total) out += "_total";
  if (ratio) out += "_ratio";
  return out;
}

/** A Prometheus label name for an attribute key; throws NameError when nothing usable is left. */
export function labelName(key: string, opts: NamingOptions): string {
  if (!strategyEscapes(opts.strategy) || key === "") {
    if (key === "") throw new NameError(`normalization for label name "" resulted in empty name`);
    return key;
  }
  let out = key.replace(/[^a-zA-Z0-9_]/gu, "_");
  if (!opts.preserveMultipleUnderscores) out = out.replace(/__+/g, "_");
  if (/^[0-9]/.test(out)) out = "key_" + out;
  else if (opts.underscoreSanitization && out.startsWith("_") && !out.startsWith("__")) out = "key" + out;
  if (out !== key && /^_+$/.test(out)) throw new NameError(`normalization for label name ${JSON.stringify(key)} resulted in invalid name ${JSON.stringify(out)}`);
  return out;
}

