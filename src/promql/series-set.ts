// Operations on lists of step series that several evaluator parts share.
import { labelsKey, METRIC_NAME, type Labels } from "../model/labels.js";
import { EvalError } from "./errors.js";
import { newSeries, type StepSeries } from "./eval-types.js";

export function dropMetricName(labels: Labels): Labels {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i].name === METRIC_NAME) return labels.slice(0, i).concat(labels.slice(i + 1));
  }
  return labels;
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

export function copySeries(s: StepSeries, metric: Labels, n: number): StepSeries {
  const out = newSeries(metric, n);
  out.vals.set(s.vals);
  out.has.set(s.has);
  return out;
}

export function countPoints(series: readonly StepSeries[], n: number): number {
  let c = 0;
  for (const s of series) for (let i = 0; i < n; i++) c += s.has[i];
  return c;
}
