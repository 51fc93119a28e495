// promwasm/client: Prometheus instrumentation for Node services.
export type { Bucket, Collector, Exemplar, Gatherer, HistogramValue, Metric, MetricFamily, MetricType, Quantile, Registerer, SummaryValue } from "./interface.js";
export { Desc, buildFqName, isValidLabelName, isValidMetricName, type DescOptions } from "./desc.js";
export { AlreadyRegisteredError, ClientError, GatherError, InvalidNameError, InvalidValueError, LabelValuesError, PushError, RegistrationError } from "./errors.js";
export { Registry, defaultRegistry } from "./registry.js";
export { MetricVec, type LabelValues, type MetricOptions, type VecOptions } from "./vec.js";
export { Counter, CounterChild, CounterVec } from "./counter.js";
export { Gauge, GaugeChild, GaugeVec } from "./gauge.js";
export { Histogram, HistogramChild, HistogramVec, type HistogramOptions, type HistogramVecOptions } from "./histogram.js";
export { Summary, SummaryChild, SummaryVec, type SummaryOptions, type SummaryVecOptions } from "./summary.js";
export { DEFAULT_BUCKETS, exponentialBuckets, exponentialBucketsRange, linearBuckets } from "./buckets.js";
export { EXEMPLAR_MAX_RUNES, type ExemplarLabels } from "./exemplar.js";
export { newConstHistogram, newConstMetric, newConstSummary, type ConstMetricExtras, type ConstValueType } from "./const-metric.js";
export {
  OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, contentTypeOf, negotiate, writeExposition, writeOpenMetrics, writeText,
  type ExpositionFormat, type OpenMetricsOptions,
} from "./exposition.js";
export { formatFloat, formatOpenMetricsFloat } from "./format.js";
export { koaMetrics, metricsHandler, renderMetrics, type HandlerOptions, type KoaMetricsOptions, type RenderedMetrics } from "./http-handler.js";
export { deleteGroup, groupPath, push, pushAdd, pushgateway, type PushOptions } from "./push.js";
export { ProcessCollector, type ProcessCollectorOptions } from "./process-collector.js";
export { NodeCollector, type NodeCollectorOptions } from "./node-collector.js";
export { collectDefaultMetrics, type DefaultMetrics, type DefaultMetricsOptions } from "./default-metrics.js";
