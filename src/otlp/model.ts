// OTLP metrics as the receiver uses them, after decoding either wire form (protobuf or
// JSON): attribute values already rendered as strings, times already in ms. Only what the
// translation to Prometheus series needs is kept; exemplars and min/max are dropped.

export interface Attribute {
  readonly key: string;
  /** The value as Prometheus renders an OTLP AnyValue in a label (arrays and maps as JSON). */
  readonly value: string;
}

export type Attributes = readonly Attribute[];

/** AggregationTemporality as numbered in metrics.proto. */
export const TEMPORALITY_UNSPECIFIED = 0;
export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;

/** DataPointFlags: the point stands for a missing value (a Prometheus stale marker). */
export const FLAG_NO_RECORDED_VALUE = 1;

interface PointBase {
  readonly attributes: Attributes;
  /** time_unix_nano truncated to ms, as Prometheus does. */
  readonly timeMs: number;
  readonly flags: number;
}

export interface NumberPoint extends PointBase {
  readonly value: number;
}

export interface HistogramPoint extends PointBase {
  readonly count: number;
  /** Undefined when the optional sum is absent (then no _sum series is written). */
  readonly sum: number | undefined;
  /** Per-bucket (not cumulative) counts; one more than bounds when complete. */
  readonly bucketCounts: readonly number[];
  readonly bounds: readonly number[];
}

export interface SummaryPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly quantiles: readonly { readonly quantile: number; readonly value: number }[];
}

export interface MetricBase {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
}

/** A metric's data field (the oneof in metrics.proto). */
export type MetricData =
  | { readonly kind: "gauge"; readonly points: readonly NumberPoint[] }
  | { readonly kind: "sum"; readonly temporality: number; readonly monotonic: boolean; readonly points: readonly NumberPoint[] }
  | { readonly kind: "histogram"; readonly temporality: number; readonly points: readonly HistogramPoint[] }
  /** Kept as point times only: they need native histograms, which promwasm has not got. */
  | { readonly kind: "exponential_histogram"; readonly temporality: number; readonly pointTimesMs: readonly number[] }
  | { readonly kind: "summary"; readonly points: readonly SummaryPoint[] }
  /** No data field set (or one newer than this receiver knows). */
  | { readonly kind: "empty" };

export type OtlpMetric = MetricBase & MetricData;

export interface ScopeMetrics {
  readonly name: string;
  readonly version: string;
  readonly schemaUrl: string;
  readonly attributes: Attributes;
  readonly metrics: readonly OtlpMetric[];
}

export interface ResourceMetrics {
  readonly attributes: Attributes;
  readonly scopes: readonly ScopeMetrics[];
}

/** An ExportMetricsServiceRequest. */
export interface MetricsRequest {
  readonly resources: readonly ResourceMetrics[];
}
