// Metrics whose values a custom collector computes at collection time (client_golang's
// MustNewConstMetric & co.). Each returns a one-metric family; the registry merges families
// that share a name.
import type { Label } from "../model/labels.js";
import type { Desc } from "./desc.js";
import { LabelValuesError } from "./errors.js";
import { labelPairsText } from "./format.js";
import type { Bucket, MetricFamily, Quantile } from "./interface.js";

export type ConstValueType = "counter" | "gauge" | "untyped";

export interface ConstMetricExtras {
  readonly timestampMs?: number;
  readonly createdMs?: number;
}

function labelsFor(desc: Desc, labelValues: readonly string[]) {
  if (labelValues.length !== desc.variableLabels.length) {
    throw new LabelValuesError(
      `metric ${desc.fqName}: expected ${desc.variableLabels.length} label values (${desc.variableLabels.join(", ")}), got ${labelValues.length}`,
    );
  }
  const labels: Label[] = [...desc.constLabels];
  desc.variableLabels.forEach((name, i) => labels.push({ name, value: labelValues[i] }));
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { labels, labelText: labelPairsText(labels) };
}

export function newConstMetric(
  desc: Desc,
  valueType: ConstValueType,
  value: number,
  labelValues: readonly string[] = [],
  extras: ConstMetricExtras = {},
): MetricFamily {
  const metric = { ...labelsFor(desc, labelValues), value, ...extras };
  return { name: desc.fqName, help: desc.help, type: valueType, metrics: [metric] };
}

/** buckets: upper bound -> cumulative count (the +Inf bucket is `count`). */
export function newConstHistogram(
  desc: Desc,
  count: number,
  sum: number,
  buckets: ReadonlyMap<number, number>,
  labelValues: readonly string[] = [],
  extras: ConstMetricExtras = {},
): MetricFamily {
  const list: Bucket[] = [...buckets]
    .filter(([upperBound]) => upperBound !== Infinity)
    .sort((a, b) => a[0] - b[0])
    .map(([upperBound, cumulativeCount]) => ({ upperBound, cumulativeCount }));
  const metric = { ...labelsFor(desc, labelValues), histogram: { buckets: list, sum, count }, ...extras };
  return { name: desc.fqName, help: desc.help, type: "histogram", metrics: [metric] };
}

/** quantiles: quantile -> value. */
export function newConstSummary(
  desc: Desc,
  count: number,
  sum: number,
  quantiles: ReadonlyMap<number, number>,
  labelValues: readonly string[] = [],
  extras: ConstMetricExtras = {},
): MetricFamily {
  const list: Quantile[] = [...quantiles].sort((a, b) => a[0] - b[0]).map(([quantile, value]) => ({ quantile, value }));
  const metric = { ...labelsFor(desc, labelValues), summary: { quantiles: list, sum, count }, ...extras };
  return { name: desc.fqName, help: desc.help, type: "summary", metrics: [metric] };
}
