// The Parser interface the scrape loop uses to iterate an exposition body without building
// a JS object per sample: next() moves a cursor, and accessors read the current entry.
import type { Labels } from "../model/labels.js";

/** What next() found; none means the body is exhausted. */
export const Entry = { none: 0, series: 1, help: 2, type: 3, unit: 4 } as const;
export type EntryKind = (typeof Entry)[keyof typeof Entry];

/** Metric types as Prometheus' metadata API names them (text "untyped" becomes "unknown"). */
export type MetricType = "counter" | "gauge" | "histogram" | "gaugehistogram" | "summary" | "info" | "stateset" | "unknown";

export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  /** ms since the epoch, when the exemplar carries one. */
  readonly ts?: number;
}

export interface Parser {
  /** Advances to the next entry. Throws ParseError for a malformed entry. */
  next(): EntryKind;

  // Series entries.
  /** A 30-bit hash of the series text (name and label block as written): a cache key (a small integer, cheap as a Map key). */
  seriesHash(): number;
  /** True when the series text equals the len bytes at off in view (a cache's copy). */
  seriesEquals(view: DataView, off: number, len: number): boolean;
  /** Bytes of the series text. */
  seriesLength(): number;
  /** Copies the series text's bytes into buf at off (seriesLength() bytes). */
  copySeries(buf: Uint8Array, off: number): void;
  /** The series text as a string (allocates; for logs and errors). */
  seriesText(): string;
  value(): number;
  /** The sample's timestamp in ms, or undefined when the line has none. */
  timestamp(): number | undefined;
  /** The sorted label set including __name__ (allocates: call on a cache miss). */
  labels(): Labels;
  /** The exemplar attached to the sample (OpenMetrics), if any. */
  exemplar(): Exemplar | undefined;

  // Metadata entries, and series entries for metricName().
  /** The metric (family) name of the current entry. */
  metricName(): string;
  /** Help text (unescaped) of a help entry. */
  help(): string;
  /** Type of a type entry. */
  type(): MetricType;
  /** Unit of a unit entry. */
  unit(): string;
}
