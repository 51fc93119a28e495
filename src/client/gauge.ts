// Gauge: a value that can go up and down.
import type { Labels } from "../model/labels.js";
import type { Desc } from "./desc.js";
import type { Metric, MetricFamily } from "./interface.js";
import { nowSeconds } from "./timer.js";
import {
  constIdentity, descFromOptions, MetricVec, registerAll,
  type ChildIdentity, type VecParent, type MetricOptions, type VecOptions,
} from "./vec.js";

export class GaugeChild {
  readonly labels: Labels;
  readonly labelText: string;
  private value = 0;

  constructor(id: ChildIdentity) {
    this.labels = id.labels;
    this.labelText = id.labelText;
  }

  set(v: number): void {
    this.value = v;
  }

  inc(v = 1): void {
    this.value += v;
  }

  dec(v = 1): void {
    this.value -= v;
  }

  add(v: number): void {
    this.value += v;
  }

  sub(v: number): void {
    this.value -= v;
  }

  /** Sets the gauge to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.value = Date.now() / 1000;
  }

  /** Returns a function that sets the gauge to the seconds elapsed since this call, and returns them. */
  startTimer(): () => number {
    const start = nowSeconds();
    return () => {
      const elapsed = nowSeconds() - start;
      this.value = elapsed;
      return elapsed;
    };
  }

  get(): number {
    return this.value;
  }

  metric(): Metric {
    return { labels: this.labels, labelText: this.labelText, value: this.value };
  }
}

/** A gauge without variable labels. */
export class Gauge extends GaugeChild {
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
    return [{ name: this.desc.fqName, help: this.desc.help, type: "gauge", metrics: [this.metric()] }];
  }
}

/** Gauges partitioned by label values. */
export class GaugeVec extends MetricVec<GaugeChild> {
  readonly type = "gauge" as const;

  constructor(opts: VecOptions, parent?: VecParent<GaugeChild>) {
    super(opts, descFromOptions(opts, opts.labelNames), parent);
    if (!parent) registerAll(this, opts);
  }

  protected newChild(id: ChildIdentity): GaugeChild {
    return new GaugeChild(id);
  }
}
