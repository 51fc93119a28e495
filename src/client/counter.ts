// Counter: a value that only goes up (or resets to zero when the process restarts).
import type { Labels } from "../model/labels.js";
import type { Desc } from "./desc.js";
import { InvalidValueError } from "./errors.js";
import { newExemplar, type ExemplarLabels } from "./exemplar.js";
import type { Exemplar, Metric, MetricFamily } from "./interface.js";
import {
  constIdentity, descFromOptions, MetricVec, registerAll,
  type ChildIdentity, type VecParent, type MetricOptions, type VecOptions,
} from "./vec.js";

export class CounterChild {
  readonly labels: Labels;
  readonly labelText: string;
  private value = 0;
  private createdMs = Date.now();
  private exemplar: Exemplar | undefined;

  constructor(id: ChildIdentity) {
    this.labels = id.labels;
    this.labelText = id.labelText;
  }

  /** Adds v (default 1); throws InvalidValueError for negative values. */
  inc(v = 1): void {
    if (!(v >= 0)) throw new InvalidValueError(`counter cannot decrease: inc(${v})`);
    this.value += v;
  }

  /** Same as inc(v) with v required. */
  add(v: number): void {
    this.inc(v);
  }

  /** Adds v and records an exemplar (exposed in OpenMetrics). */
  incWithExemplar(exemplarLabels: ExemplarLabels, v = 1): void {
    const ex = newExemplar(exemplarLabels, v, Date.now());
    this.inc(v);
    this.exemplar = ex;
  }

  get(): number {
    return this.value;
  }

  /** Back to zero, as if just created. */
  reset(): void {
    this.value = 0;
    this.createdMs = Date.now();
    this.exemplar = undefined;
  }

  metric(): Metric {
    return { labels: this.labels, labelText: this.labelText, value: this.value, createdMs: this.createdMs, exemplar: this.exemplar };
  }
}

/** A counter without variable labels. */
export class Counter extends CounterChild {
  readonly desc: Desc;

  constructor(opts: MetricOptions) {
    const desc = descFromOptions(opts, []);
    super(constIdentity(desc));
    this.desc = desc;
    registerAll(this, opts);
  }

  describe(): Iterable<Desc> {
    return [this.desc];
  }

  collect(): Iterable<MetricFamily> {
    return [{ name: this.desc.fqName, help: this.desc.help, type: "counter", metrics: [this.metric()] }];
  }
}

/** Counters partitioned by label values. */
export class CounterVec extends MetricVec<CounterChild> {
  readonly type = "counter" as const;

  constructor(opts: VecOptions, parent?: VecParent<CounterChild>) {
    super(opts, descFromOptions(opts, opts.labelNames), parent);
    if (!parent) registerAll(this, opts);
  }

  protected newChild(id: ChildIdentity): CounterChild {
    return new CounterChild(id);
  }
}
