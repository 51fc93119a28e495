// What every part of the client library agrees on: a Collector describes its metrics up front
// and, on each scrape, yields metric families. Iteration plays the role of client_golang's channels.
import type { Labels } from "../model/labels.js";
import type { Desc } from "./desc.js";

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  /** When the exemplar was observed (ms since epoch), if known. */
  readonly timestampMs?: number;
}

export interface Bucket {
  readonly upperBound: number;
  /** Observations <= upperBound, cumulative as exposed. */
  readonly cumulativeCount: number;
  readonly exemplar?: Exemplar;
}

export interface HistogramValue {
  /** Ascending upper bounds; the +Inf bucket is implied by `count` and written by the writers. */
  readonly buckets: readonly Bucket[];
  readonly sum: number;
  readonly count: number;
  /** The +Inf bucket's exemplar, if any. */
  readonly infExemplar?: Exemplar;
}

export interface Quantile {
  readonly quantile: number;
  readonly value: number;
}

export interface SummaryValue {
  readonly quantiles: readonly Quantile[];
  readonly sum: number;
  readonly count: number;
}

/** One series (or, for histograms and summaries, one group of series) at collection time. */
export interface Metric {
  /** Sorted label set, constant labels included. */
  readonly labels: Labels;
  /** Pre-escaped `a="x",b="y"` for `labels`; writers compute it when absent. */
  readonly labelText?: string;
  /** counter, gauge and untyped */
  readonly value?: number;
  readonly histogram?: HistogramValue;
  readonly summary?: SummaryValue;
  /** Counter exemplar (OpenMetrics only). */
  readonly exemplar?: Exemplar;
  readonly timestampMs?: number;
  /** Creation time of counters, histograms and summaries, written as `_created` in OpenMetrics. */
  readonly createdMs?: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly metrics: readonly Metric[];
}

export interface Collector {
  /** Every descriptor this collector can produce; none makes it an unchecked collector. */
  describe(): Iterable<Desc>;
  /** Current values. Called on every gather; must not keep references to what it yields. */
  collect(): Iterable<MetricFamily>;
}

/** Anything that can produce the families to expose: a Registry, or several merged. */
export interface Gatherer {
  gather(): MetricFamily[];
}

/** Where metrics get registered; Registry implements it. */
export interface Registerer {
  register(collector: Collector): void;
  unregister(collector: Collector): boolean;
}
