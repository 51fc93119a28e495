// Summary: quantiles over a sliding time window (maxAgeMs split into ageBuckets streams that
// rotate), plus the all-time sum and count. Observations are buffered and merged in batches;
// a due rotation first merges the buffer, so each observation lands in the right windows.
import type { Labels } from "../model/labels.js";
import type { Desc } from "./desc.js";
import { coarseClock, startCoarseClock } from "./coarse-clock.js";
import { InvalidValueError } from "./errors.js";
import type { Metric, MetricFamily, Quantile } from "./interface.js";
import { QuantileStream, type Target } from "./quantile-stream.js";
import { nowSeconds } from "./timer.js";
import {
  constIdentity, descFromOptions, MetricVec, registerAll,
  type ChildIdentity, type VecParent, type MetricOptions,
} from "./vec.js";

export interface SummaryOptions extends MetricOptions {
  /** Quantile -> allowed absolute rank error, e.g. { 0.5: 0.05, 0.99: 0.001 }. None by default. */
  readonly objectives?: Readonly<Record<number, number>>;
  /** How long an observation counts towards the quantiles (default 10 minutes). */
  readonly maxAgeMs?: number;
  /** Streams the window rotates through (default 5). */
  readonly ageBuckets?: number;
  /** Observations buffered before they are merged (default 500). */
  readonly bufferSize?: number;
  /** Clock in ms since epoch; Date.now by default (tests pass their own). */
  readonly now?: () => number;
}

export interface SummaryVecOptions extends SummaryOptions {
  readonly labelNames: readonly string[];
}

export const DEFAULT_MAX_AGE_MS = 10 * 60_000;
export const DEFAULT_AGE_BUCKETS = 5;
export const DEFAULT_BUFFER_SIZE = 500;

interface SummaryConfig {
  readonly targets: readonly Target[];
  readonly maxAgeMs: number;
  readonly ageBuckets: number;
  readonly bufferSize: number;
  /** Injected clock; when absent, observe() reads the coarse clock and the rest Date.now(). */
  readonly now: (() => number) | undefined;
}

function summaryConfig(name: string, opts: SummaryOptions): SummaryConfig {
  const targets: Target[] = [];
  for (const [q, e] of Object.entries(opts.objectives ?? {})) {
    const quantile = Number(q);
    if (!(quantile >= 0 && quantile <= 1) || !(e >= 0 && e <= 1)) {
      throw new InvalidValueError(`summary ${name}: objective ${q}: ${e} must have quantile and error in [0, 1]`);
    }
    targets.push({ quantile, error: e });
  }
  targets.sort((a, b) => a.quantile - b.quantile);
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const ageBuckets = opts.ageBuckets ?? DEFAULT_AGE_BUCKETS;
  const bufferSize = opts.bufferSize ?? DEFAULT_BUFFER_SIZE;
  if (!(maxAgeMs > 0) || !(ageBuckets >= 1) || !(bufferSize >= 1)) {
    throw new InvalidValueError(`summary ${name}: maxAgeMs, ageBuckets and bufferSize must be positive`);
  }
  if (targets.length > 0 && opts.now === undefined) startCoarseClock();
  return { targets, maxAgeMs, ageBuckets, bufferSize, now: opts.now };
}

export interface SummaryChildOptions extends ChildIdentity {
  readonly config: SummaryConfig;
}

export class SummaryChild {
  readonly labels: Labels;
  readonly labelText: string;
  private readonly cfg: SummaryConfig;
  private readonly streams: QuantileStream[];
  /** Index of the oldest stream: the one answering queries, covering up to maxAgeMs. */
  private head = 0;
  private nextRotateMs: number;
  private readonly buf: Float64Array;
  private bufLen = 0;
  private sum = 0;
  private count = 0;
  private createdMs: number;

  constructor(opts: SummaryChildOptions) {
    this.labels = opts.labels;
    this.labelText = opts.labelText;
    this.cfg = opts.config;
    const withQuantiles = this.cfg.targets.length > 0;
    this.streams = withQuantiles ? Array.from({ length: this.cfg.ageBuckets }, () => new QuantileStream(this.cfg.targets)) : [];
    this.buf = new Float64Array(withQuantiles ? this.cfg.bufferSize : 0);
    this.createdMs = this.now();
    this.nextRotateMs = this.createdMs + this.cfg.maxAgeMs / this.cfg.ageBuckets;
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    const buf = this.buf;
    if (buf.length === 0) return;
    // Everything buffered so far belongs before the rotation that is due, so merge it first.
    const nowMs = this.cfg.now === undefined ? coarseClock.nowMs : this.cfg.now();
    if (nowMs >= this.nextRotateMs) this.flush();
    buf[this.bufLen++] = v;
    if (this.bufLen === buf.length) this.flush();
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

  reset(): void {
    this.bufLen = 0;
    this.sum = 0;
    this.count = 0;
    for (const s of this.streams) s.reset();
    this.createdMs = this.now();
    this.head = 0;
    this.nextRotateMs = this.createdMs + this.cfg.maxAgeMs / this.cfg.ageBuckets;
  }

  /** Current quantile estimates in ascending quantile order; NaN for an empty window. */
  quantiles(): Quantile[] {
    if (this.streams.length === 0) return [];
    this.flush();
    const stream = this.streams[this.head];
    return this.cfg.targets.map((t) => ({ quantile: t.quantile, value: stream.query(t.quantile) }));
  }

  get(): { readonly sum: number; readonly count: number; readonly quantiles: readonly Quantile[] } {
    return { sum: this.sum, count: this.count, quantiles: this.quantiles() };
  }

  metric(): Metric {
    return {
      labels: this.labels,
      labelText: this.labelText,
      summary: { quantiles: this.quantiles(), sum: this.sum, count: this.count },
      createdMs: this.createdMs,
    };
  }

  private now(): number {
    return this.cfg.now === undefined ? Date.now() : this.cfg.now();
  }

  /** Merges buffered observations into every stream, then drops streams older than the window. */
  private flush(): void {
    const n = this.bufLen;
    if (n > 0) {
      // A full buffer (the observe path) sorts in place without creating a view.
      const batch = n === this.buf.length ? this.buf.sort() : this.buf.subarray(0, n).sort();
      for (const s of this.streams) s.insertSorted(batch, n);
      this.bufLen = 0;
    }
    this.rotate(this.now());
  }

  private rotate(nowMs: number): void {
    const step = this.cfg.maxAgeMs / this.cfg.ageBuckets;
    let turns = 0;
    while (nowMs >= this.nextRotateMs && turns < this.streams.length) {
      this.streams[this.head].reset();
      this.head = (this.head + 1) % this.streams.length;
      this.nextRotateMs += step;
      turns++;
    }
    if (nowMs >= this.nextRotateMs) {
      // Idle for longer than the whole window: every stream is empty now; realign the schedule.
      this.nextRotateMs = nowMs + step;
    }
  }
}

/** A summary without variable labels. */
export class Summary extends SummaryChild {
  readonly desc: Desc;

  constructor(opts: SummaryOptions) {
    const desc = descFromOptions(opts, [], ["quantile"]);
    super({ ...constIdentity(desc), config: summaryConfig(desc.fqName, opts) });
    this.desc = desc;
    registerAll(this, opts);
  }

  describe(): Iterable<Desc> {
    return [this.desc];
  }

  collect(): Iterable<MetricFamily> {
    return [{ name: this.desc.fqName, help: this.desc.help, type: "summary", metrics: [this.metric()] }];
  }
}

/** Summaries partitioned by label values; all share objectives and window. */
export class SummaryVec extends MetricVec<SummaryChild, SummaryVecOptions> {
  readonly type = "summary" as const;
  private readonly config: SummaryConfig;

  constructor(opts: SummaryVecOptions, parent?: VecParent<SummaryChild>) {
    super(opts, descFromOptions(opts, opts.labelNames, ["quantile"]), parent);
    this.config = summaryConfig(this.desc.fqName, opts);
    if (!parent) registerAll(this, opts);
  }

  protected newChild(id: ChildIdentity): SummaryChild {
    return new SummaryChild({ ...id, config: this.config });
  }
}
