// histogram_quantile and histogram_fraction over classic histograms: series with an `le`
// label, grouped by their other labels (without __name__).
import { goParseFloat } from "../model/go-float.js";
import { getLabel, labelsKey, METRIC_NAME, type Labels } from "../model/labels.js";
import type { Annotations } from "./annotations.js";
import { newSeries, type StepSeries } from "./eval-types.js";
import { almostEqual } from "./float-math.js";
import { mergeSameLabels } from "./series-set.js";
import type { Call } from "./parser/ast.js";

interface Bucket {
  upper: number;
  count: number;
}

interface Grouped {
  groups: Labels[];
  groupOf: Int32Array;
  upper: Float64Array;
}

function groupBuckets(an: Annotations, call: Call, input: StepSeries[]): Grouped {
  const groupOf = new Int32Array(input.length).fill(-1);
  const upper = new Float64Array(input.length);
  const groups: Labels[] = [];
  const byKey = new Map<string, number>();
  for (let k = 0; k < input.length; k++) {
    const metric = input[k].metric;
    const le = goParseFloat(getLabel(metric, "le"));
    if (le === undefined) {
      if (input[k].has.some((h) => h === 1)) {
        an.warn(`bucket label "le" is missing or has a malformed value of ${JSON.stringify(getLabel(metric, "le"))} for metric name ${JSON.stringify(getLabel(metric, METRIC_NAME))}`, call.args[call.args.length - 1].pos);
      }
      continue;
    }
    // Histograms are told apart by name too; equal outputs once the name is gone are an error.
    const key = labelsKey(metric.filter((l) => l.name !== "le"));
    const g = metric.filter((l) => l.name !== "le" && l.name !== METRIC_NAME);
    let id = byKey.get(key);
    if (id === undefined) {
      id = groups.length;
      byKey.set(key, id);
      groups.push(g);
    }
    groupOf[k] = id;
    upper[k] = le;
  }
  return { groups, groupOf, upper };
}

/** Sorted by upper bound, equal bounds merged; undefined when the +Inf bucket is missing. */
function prepare(buckets: Bucket[]): Bucket[] | undefined {
  buckets.sort((a, b) => a.upper - b.upper);
  if (buckets.length === 0 || buckets[buckets.length - 1].upper !== Infinity) return undefined;
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else out.push({ upper: b.upper, count: b.count });
  }
  return out;
}

/** Returns true when a decrease had to be removed (tiny float noise is fixed silently). */
function ensureMonotonic(buckets: Bucket[]): boolean {
  let forced = false;
  let prev = buckets[0].count;
  for (let i = 1; i < buckets.length; i++) {
    const cur = buckets[i].count;
    if (cur === prev) continue;
    if (almostEqual(prev, cur, 1e-12)) {
      buckets[i].count = prev;
      continue;
    }
    if (cur < prev) {
      buckets[i].count = prev;
      forced = true;
      continue;
    }
    prev = cur;
  }
  return forced;
}

function bucketQuantile(q: number, raw: Bucket[]): { v: number; forced: boolean } {
  if (Number.isNaN(q)) return { v: NaN, forced: false };
  if (q < 0) return { v: -Infinity, forced: false };
  if (q > 1) return { v: Infinity, forced: false };
  const buckets = prepare(raw);
  if (!buckets) return { v: NaN, forced: false };
  const forced = ensureMonotonic(buckets);
  if (buckets.length < 2) return { v: NaN, forced };
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return { v: NaN, forced };
  let rank = q * observations;
  let b = 0;
  while (b < buckets.length - 1 && !(buckets[b].count >= rank)) b++;
  if (b === buckets.length - 1) return { v: buckets[buckets.length - 2].upper, forced };
  if (b === 0 && buckets[0].upper <= 0) return { v: buckets[0].upper, forced };
  let start = 0;
  const end = buckets[b].upper;
  let count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return { v: start + (end - start) * (rank / count), forced };
}

function bucketFraction(lower: number, upper: number, raw: Bucket[]): number {
  const buckets = prepare(raw);
  if (!buckets) return NaN;
  ensureMonotonic(buckets);
  const count = buckets[buckets.length - 1].count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    // The first bucket starts at 0 when its bound is positive, as for quantiles.
    const lowerBound = i > 0 ? buckets[i - 1].upper : b.upper > 0 ? 0 : -Infinity;
    const upperBound = b.upper;
    // No interpolation in a bucket of infinite width: its observations count as lying below
    // any finite bound when it starts at -Inf (and above, via a zero share, when it ends at +Inf).
    const interpolate = (v: number) => (lowerBound === -Infinity ? b.count : rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound));
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

function perGroup(an: Annotations, call: Call, input: StepSeries[], n: number, compute: (buckets: Bucket[], i: number, g: Labels) => number): StepSeries[] {
  const { groups, groupOf, upper } = groupBuckets(an, call, input);
  const out = groups.map((g) => newSeries(g, n));
  const lists: Bucket[][] = groups.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const l of lists) l.length = 0;
    for (let k = 0; k < input.length; k++) {
      if (groupOf[k] < 0 || !input[k].has[i]) continue;
      lists[groupOf[k]].push({ upper: upper[k], count: input[k].vals[i] });
    }
    for (let g = 0; g < groups.length; g++) {
      if (lists[g].length === 0) continue;
      out[g].vals[i] = compute(lists[g], i, groups[g]);
      out[g].has[i] = 1;
    }
  }
  return mergeSameLabels(
    out.filter((s) => s.has.some((h) => h === 1)),
    n,
  );
}

export function histogramQuantile(an: Annotations, call: Call, q: Float64Array, input: StepSeries[], n: number): StepSeries[] {
  for (let i = 0; i < n; i++) {
    if (!(q[i] >= 0 && q[i] <= 1)) {
      an.warn(`quantile value should be between 0 and 1, got ${Number.isNaN(q[i]) ? "NaN" : String(q[i])}`, call.args[0].pos);
      break;
    }
  }
  return perGroup(an, call, input, n, (buckets, i, g) => {
    const r = bucketQuantile(q[i], buckets);
    if (r.forced) {
      const name = input.find((s) => s.has[i] && g.every((l) => getLabel(s.metric, l.name) === l.value))?.metric;
      an.info(
        `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${JSON.stringify(name ? getLabel(name, METRIC_NAME) : "")}`,
        call.args[1].pos,
      );
    }
    return r.v;
  });
}

export function histogramFraction(an: Annotations, call: Call, lower: Float64Array, upper: Float64Array, input: StepSeries[], n: number): StepSeries[] {
  return perGroup(an, call, input, n, (buckets, i) => bucketFraction(lower[i], upper[i], buckets));
}
