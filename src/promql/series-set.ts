// Operations on lists of step series that several evaluator parts share.
import { labelsKey, METRIC_NAME, type Labels } from "../model/labels.js";
import { EvalError } from "./errors.js";
import { newSeries, type StepSeries } from "./eval-types.js";

/** Labels that describe the metric rather than the series; they go when an operation changes what it measures. */
const METADATA_LABELS = new Set([METRIC_NAME, "__type__", "__unit__"]);

/** Drops __name__ and the type and unit labels that go with it (Prometheus 3's DropReserved). */
export function dropMetricName(labels: Labels): Labels {
  let i = 0;
  while (i < labels.length && !METADATA_LABELS.has(labels[i].name)) i++;
  if (i === labels.length) return labels;
  return labels.filter((l) => !METADATA_LABELS.has(l.name));
}

/**
 * A new series for an operation that drops the metric name. With delayed name removal
 * the labels stay (later label_replace/label_join may still read or keep __name__) and
 * the series is flagged; the flag is honoured by dropFlaggedNames.
 */
export function nameDroppingSeries(metric: Labels, n: number, delayed: boolean): StepSeries {
  const s = newSeries(delayed ? metric : dropMetricName(metric), n);
  s.dropName = true;
  return s;
}

/** Removes the names flagged for removal, then joins series with equal labels (error on overlap). */
export function dropFlaggedNames(series: StepSeries[], n: number): StepSeries[] {
  const out = series.map((s) => (s.dropName ? { metric: dropMetricName(s.metric), vals: s.vals, has: s.has } : s));
  return mergeSameLabels(out, n);
}

export const SAME_LABELSET = "vector cannot contain metrics with the same labelset";

/**
 * Joins series that ended up with equal labels (after a function dropped __name__, say).
 * Two of them with a value at the same step is the error Prometheus reports per step.
 * The first series of each label set is written into, so callers pass series they own.
 */
export function mergeSameLabels(series: StepSeries[], n: number): StepSeries[] {
  if (series.length < 2) return series;
  const byKey = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  for (const s of series) {
    const key = labelsKey(s.metric);
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, s);
      out.push(s);
      continue;
    }
    const target = prev;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (target.has[i]) throw new EvalError(SAME_LABELSET);
      target.has[i] = 1;
      target.vals[i] = s.vals[i];
    }
  }
  return out;
}

/** True when two series share a label set, regardless of steps (Prometheus' ContainsSameLabelset). */
export function containsSameLabelset(series: readonly StepSeries[]): boolean {
  const seen = new Set<string>();
  for (const s of series) {
    const key = labelsKey(s.metric);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** A copy with new labels; dropName marks the copy's name for removal, else it keeps the source's mark. */
export function copySeries(s: StepSeries, metric: Labels, n: number, dropName = s.dropName): StepSeries {
  const out = newSeries(metric, n);
  out.vals.set(s.vals);
  out.has.set(s.has);
  out.dropName = dropName;
  return out;
}

export function countPoints(series: readonly StepSeries[], n: number): number {
  let c = 0;
  for (const s of series) for (let i = 0; i < n; i++) c += s.has[i];
  return c;
}
