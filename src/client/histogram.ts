// Histogram: observations counted in buckets with fixed upper bounds, plus their sum and count.
import type { Labels } from "../model/labels.js";
import { checkBuckets, DEFAULT_BUCKETS } from "./buckets.js";
import type { Desc } from "./desc.js";
import { newExemplar, type ExemplarLabels } from "./exemplar.js";
import type { Bucket, Exemplar, Metric, MetricFamily } from "./interface.js";
import { nowSeconds } from "./timer.js";
import {
  constIdentity, descFromOptions, MetricVec, registerAll,
  type ChildIdentity, type VecParent, type MetricOptions,
} from "./vec.js";

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, strictly increasing; +Inf is implied. DEFAULT_BUCKETS when absent. */
  readonly buckets?: readonly number[];
}

export interface HistogramVecOptions extends HistogramOptions {
  readonly labelNames: readonly string[];
}

/** Above this many bounds a binary search beats a linear scan (client_golang uses the same cut). */
const LINEAR_SEARCH_MAX = 35;

export interface HistogramChildOptions extends ChildIdentity {
  readonly upperBounds: Float64Array;
}

export class HistogramChild {
  readonly labels: Labels;
  readonly labelText: string;
  private readonly bounds: Float64Array;
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf bucket. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;
  private createdMs = Date.now();
  private exemplars: (Exemplar | undefined)[] | undefined;

  constructor(opts: HistogramChildOptions) {
    this.labels = opts.labels;
    this.labelText = opts.labelText;
    this.bounds = opts.upperBounds;
    this.counts = new Float64Array(opts.upperBounds.length + 1);
  }

  observe(v: number): void {
    this.counts[this.bucketIndex(v)]++;
    this.sum += v;
    this.count++;
  }

  /** Observes v and keeps an exemplar for its bucket (exposed in OpenMetrics). */
  observeWithExemplar(v: number, exemplarLabels: ExemplarLabels): void {
    const ex = newExemplar(exemplarLabels, v, Date.now());
    const i = this.bucketIndex(v);
    this.counts[i]++;
    this.sum += v;
    this.count++;
    (this.exemplars ??= new Array(this.counts.length))[i] = ex;
  }

  /** Returns a function that observes the seconds elapsed since this call, and returns them. */
  startTimer(): () => number {
    const start = nowSeconds();
    return () => {
      const elapsed = nowSeconds() - start;
      this.observe(elapsed);
      return elapsed;
    };
  }

  /** Clears all observations. */
  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.createdMs = Date.now();
    this.exemplars = undefined;
  }

  get(): { readonly sum: number; readonly count: number; readonly counts: readonly number[] } {
    return { sum: this.sum, count: this.count, counts: Array.from(this.counts) };
  }

  metric(): Metric {
    const bounds = this.bounds;
    const buckets: Bucket[] = new Array(bounds.length);
    let cum = 0;
    for (let i = 0; i < bounds.length; i++) {
      cum += this.counts[i];
      const exemplar = this.exemplars?.[i];
      buckets[i] = exemplar ? { upperBound: bounds[i], cumulativeCount: cum, exemplar } : { upperBound: bounds[i], cumulativeCount: cum };
    }
    return {
      labels: this.labels,
      labelText: this.labelText,
      histogram: { buckets, sum: this.sum, count: this.count, infExemplar: this.exemplars?.[bounds.length] },
      createdMs: this.createdMs,
    };
  }

  private bucketIndex(v: number): number {
    const b = this.bounds;
    const n = b.length;
    if (n < LINEAR_SEARCH_MAX) {
      let i = 0;
      while (i < n && !(v <= b[i])) i++;
      return i;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= b[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** A histogram without variable labels. */
export class Histogram extends HistogramChild {
  readonly desc: Desc;

  constructor(opts: HistogramOptions) {
    const desc = descFromOptions(opts, [], ["le"]);
    super({ ...constIdentity(desc), upperBounds: checkBuckets(desc.fqName, opts.buckets ?? DEFAULT_BUCKETS) });
    this.desc = desc;
    registerAll(this, opts);
  }

  describe(): Iterable<Desc> {
    return [this.desc];
  }

  collect(): Iterable<MetricFamily> {
    return [{ name: this.desc.fqName, help: this.desc.help, type: "histogram", metrics: [this.metric()] }];
  }
}

/** Histograms partitioned by label values; all share one bucket layout. */
export class HistogramVec extends MetricVec<HistogramChild, HistogramVecOptions> {
  readonly type = "histogram" as const;
  private readonly bounds: Float64Array;

  constructor(opts: HistogramVecOptions, parent?: VecParent<HistogramChild>) {
    super(opts, descFromOptions(opts, opts.labelNames, ["le"]), parent);
    this.bounds = checkBuckets(this.desc.fqName, opts.buckets ?? DEFAULT_BUCKETS);
    if (!parent) registerAll(this, opts);
  }

  protected newChild(id: ChildIdentity): HistogramChild {
    return new HistogramChild({ ...id, upperBounds: this.bounds });
  }
}
