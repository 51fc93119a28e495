// Walks the syntax tree and evaluates every node over all steps of the query at once.
// Each selector is read from storage once for the whole window the query needs.
import { isStaleNaN } from "../model/sample.js";
import type { Querier, Queryable, SampleScratch, Series } from "../storage/interface.js";
import { evalAggregate } from "./aggregate.js";
import type { Annotations } from "./annotations.js";
import { evalBinary } from "./binary.js";
import { EvalError, QueryCanceledError, QueryTimeoutError, TooManySamplesError } from "./errors.js";
import { makeSteps, newSeries, type EvalValue, type RangeSource, type RawSeries, type StepSeries, type Steps } from "./eval-types.js";
import { smoothedValue } from "./extended-range.js";
import { evalCall } from "./functions.js";
import type { AtModifier, DurationExpr, Expr, SubqueryExpr, VectorSelector } from "./parser/ast.js";
import { evalDurationExpr, usesQueryParams } from "./parser/duration-expr.js";
import { queryTimeRange, type TimeRange } from "./query-range.js";
import { dropFlaggedNames, mergeSameLabels, nameDroppingSeries } from "./series-set.js";

export interface EvaluatorOptions {
  readonly queryable: Queryable;
  readonly lookbackDeltaMs: number;
  readonly noStepSubqueryIntervalMs: number;
  readonly maxSamples: number;
  /** Prometheus' delayed __name__ removal: names are dropped at the end, not by each operation. */
  readonly delayedNameRemoval: boolean;
  /** The query's own start and end, which @ start() and @ end() refer to. */
  readonly queryStart: number;
  readonly queryEnd: number;
  /** The range query's step (0 for instant queries), for step() in duration expressions. */
  readonly queryStepMs: number;
  readonly annotations: Annotations;
  readonly signal: AbortSignal | undefined;
  /** Tells a timeout apart from a cancellation when the signal fires. */
  readonly timedOut: () => boolean;
}

export class Evaluator {
  readonly opts: EvaluatorOptions;
  readonly annotations: Annotations;
  /**
   * Samples the query touched, counted as Prometheus' stats do: one per series and step for
   * an instant selector, every sample in each step's window for a range.
   */
  totalSamples = 0;
  peakSamples = 0;
  private currentSamples = 0;
  /** The range every selector of the query falls in, and the one querier opened over it. */
  private range: TimeRange | undefined;
  private querier: Promise<Querier> | undefined;
  /** Arrays instant selectors decode series into, one series at a time. */
  private readonly scratch: SampleScratch = { ts: new Float64Array(0), vs: new Float64Array(0) };

  constructor(opts: EvaluatorOptions) {
    this.opts = opts;
    this.annotations = opts.annotations;
  }

  get lookbackDeltaMs(): number {
    return this.opts.lookbackDeltaMs;
  }

  /**
   * Evaluates expr at steps, reading storage through one querier over the range all its
   * selectors need; call close() when done with the result.
   */
  async evalQuery(expr: Expr, steps: Steps): Promise<EvalValue> {
    this.range = queryTimeRange(expr, steps.start, steps.end, this);
    return this.eval(expr, steps);
  }

  /** Closes the query's querier, if one was opened. */
  async close(): Promise<void> {
    const q = this.querier;
    this.querier = undefined;
    // A querier that failed to open has nothing to close; its error already failed the query.
    if (q) await q.then((x) => x.close(), () => undefined);
  }

  checkAbort(phase = "expression evaluation"): void {
    const signal = this.opts.signal;
    if (signal?.aborted) {
      if (this.opts.timedOut()) throw new QueryTimeoutError(phase);
      throw new QueryCanceledError(phase);
    }
  }

  /** Accounts samples held in memory; Prometheus' max-samples limit. */
  account(n: number): void {
    this.currentSamples += n;
    if (this.currentSamples > this.peakSamples) this.peakSamples = this.currentSamples;
    if (this.currentSamples > this.opts.maxSamples) throw new TooManySamplesError();
  }

  release(n: number): void {
    this.currentSamples -= n;
  }

  resolveAt(at: AtModifier | undefined): number | undefined {
    if (!at) return undefined;
    if (at.kind === "time") return at.ms;
    return at.kind === "start" ? this.opts.queryStart : this.opts.queryEnd;
  }

  /** A range/offset/step in ms, evaluating a duration expression that uses step() or range(). */
  dur(ms: number, expr: DurationExpr | undefined): number {
    if (!expr || !usesQueryParams(expr)) return ms;
    return evalDurationExpr(expr, { stepMs: this.opts.queryStepMs, rangeMs: this.opts.queryEnd - this.opts.queryStart });
  }

  async eval(expr: Expr, steps: Steps): Promise<EvalValue> {
    this.checkAbort();
    switch (expr.kind) {
      case "NumberLiteral":
        return { kind: "scalar", vals: new Float64Array(steps.n).fill(expr.value) };
      case "StringLiteral":
        return { kind: "string", v: expr.value };
      case "ParenExpr":
      case "StepInvariantExpr":
        return this.eval(expr.expr, steps);
      case "VectorSelector":
        return { kind: "vector", series: await this.evalVectorSelector(expr, steps, false) };
      case "MatrixSelector":
        return { kind: "matrix", source: await this.matrixFor(expr.vector, this.dur(expr.rangeMs, expr.rangeExpr), steps) };
      case "SubqueryExpr":
        return { kind: "matrix", source: await this.evalSubquery(expr, steps) };
      case "UnaryExpr":
        return this.evalUnary(expr.op, await this.eval(expr.expr, steps), steps);
      case "BinaryExpr":
        return evalBinary(this, expr, steps);
      case "AggregateExpr":
        return evalAggregate(this, expr, steps);
      case "Call":
        return evalCall(this, expr, steps);
    }
  }

  private evalUnary(op: "-" | "+", v: EvalValue, steps: Steps): EvalValue {
    if (op === "+") return v;
    if (v.kind === "scalar") return { kind: "scalar", vals: v.vals.map((x) => -x) };
    if (v.kind !== "vector") throw new EvalError(`unary expression only allowed on expressions of type scalar or instant vector`);
    const out: StepSeries[] = v.series.map((s) => {
      const r = nameDroppingSeries(s.metric, steps.n, this.opts.delayedNameRemoval);
      for (let i = 0; i < steps.n; i++) {
        r.vals[i] = -s.vals[i];
        r.has[i] = s.has[i];
      }
      return r;
    });
    // Series whose names differed join when they do not overlap in time, as in Prometheus.
    return { kind: "vector", series: mergeSameLabels(out, steps.n) };
  }

  /** Reads the series of a selector over [mint, maxt] (ms, inclusive). */
  async select(vs: VectorSelector, mint: number, maxt: number, func?: string): Promise<RawSeries[]> {
    return this.withSeries(vs, mint, maxt, func, (found) => {
      const out: RawSeries[] = [];
      for (const s of found) {
        const b = s.samples();
        if (b.ts.length > 0) out.push({ metric: s.labels, ts: b.ts, vs: b.vs });
      }
      return out;
    });
  }

  /** Selects a selector's series over [mint, maxt] and hands them, not yet decoded, to use while the querier is open. */
  private async withSeries<T>(vs: VectorSelector, mint: number, maxt: number, func: string | undefined, use: (found: Series[]) => T): Promise<T> {
    const r = this.range;
    const shared = r !== undefined && mint >= r.mint && maxt <= r.maxt;
    // A window the query's range does not cover (info()'s, which depends on data) gets a querier of its own.
    const querier = shared ? await (this.querier ??= this.opts.queryable.querier(r.mint, r.maxt)) : await this.opts.queryable.querier(mint, maxt);
    try {
      const found = await querier.select(false, { start: mint, end: maxt, func }, vs.matchers);
      // Storage may take long; a query that timed out meanwhile stops before decoding.
      this.checkAbort();
      return use(found);
    } finally {
      if (!shared) querier.close();
    }
  }

  /**
   * An instant vector selector at every step: the latest sample in (t - lookback, t],
   * unless it is a stale marker. With timestamps true, values are the samples' times (s).
   */
  async evalVectorSelector(vs: VectorSelector, steps: Steps, timestamps: boolean): Promise<StepSeries[]> {
    const at = this.resolveAt(vs.at);
    const lookback = this.opts.lookbackDeltaMs;
    const offset = this.dur(vs.offsetMs, vs.offsetExpr);
    const first = (at ?? steps.start) - offset;
    const last = (at ?? steps.end) - offset;
    if (vs.smoothed && !timestamps) return this.smoothedSelector(vs, steps, at, offset);
    const out = await this.withSeries(vs, first - lookback + 1, last, undefined, (found) => this.stepValues(found, steps, at, offset, timestamps));
    let points = 0;
    for (const r of out) for (let i = 0; i < steps.n; i++) points += r.has[i];
    this.account(points);
    this.totalSamples += points;
    return out;
  }

  /** The latest sample at or before each step (within the lookback) of each series. */
  private stepValues(found: readonly Series[], steps: Steps, at: number | undefined, offset: number, timestamps: boolean): StepSeries[] {
    const lookback = this.opts.lookbackDeltaMs;
    const out: StepSeries[] = [];
    // Each series is done with before the next, so its samples are decoded into reused arrays.
    const scratch = this.scratch;
    for (const s of found) {
      let len: number;
      let ts: Float64Array;
      let values: Float64Array;
      if (s.samplesInto) {
        len = s.samplesInto(scratch);
        ts = scratch.ts;
        values = scratch.vs;
      } else {
        const b = s.samples();
        len = b.ts.length;
        ts = b.ts;
        values = b.vs;
      }
      if (len === 0) continue;
      const r = newSeries(s.labels, steps.n);
      let j = 0;
      let any = false;
      for (let i = 0; i < steps.n; i++) {
        const t = (at ?? steps.times[i]) - offset;
        while (j < len && ts[j] <= t) j++;
        const k = j - 1;
        if (k < 0 || ts[k] <= t - lookback || isStaleNaN(values[k])) continue;
        r.has[i] = 1;
        r.vals[i] = timestamps ? ts[k] / 1000 : values[k];
        any = true;
      }
      if (any) out.push(r);
    }
    return out;
  }

  /** A smoothed instant selector: values interpolated at each step from the lookback on both sides. */
  private async smoothedSelector(vs: VectorSelector, steps: Steps, at: number | undefined, offset: number): Promise<StepSeries[]> {
    const lookback = this.opts.lookbackDeltaMs;
    const raw = await this.select(vs, (at ?? steps.start) - offset - lookback + 1, (at ?? steps.end) - offset + lookback);
    const out: StepSeries[] = [];
    let points = 0;
    for (const s of raw) {
      const { ts, vs: values } = dropStale(s);
      const r = newSeries(s.metric, steps.n);
      let lo = 0;
      let hi = 0;
      let any = false;
      for (let i = 0; i < steps.n; i++) {
        const t = (at ?? steps.times[i]) - offset;
        while (hi < ts.length && ts[hi] <= t + lookback) hi++;
        while (lo < hi && ts[lo] <= t - lookback) lo++;
        const v = smoothedValue(ts, values, lo, hi, t);
        if (v === undefined) continue;
        r.vals[i] = v;
        r.has[i] = 1;
        any = true;
        points++;
      }
      if (any) out.push(r);
    }
    this.account(points);
    this.totalSamples += points;
    return out;
  }

  /** A matrix selector's samples for all steps, stale markers dropped. */
  async matrixFor(vs: VectorSelector, rangeMs: number, steps: Steps): Promise<RangeSource> {
    const at = this.resolveAt(vs.at);
    const offset = this.dur(vs.offsetMs, vs.offsetExpr);
    const mode = vs.anchored ? "anchored" : vs.smoothed ? "smoothed" : undefined;
    const lookback = this.opts.lookbackDeltaMs;
    const first = (at ?? steps.start) - offset - rangeMs - (mode ? lookback : 0);
    const last = (at ?? steps.end) - offset + (mode === "smoothed" ? lookback : 0);
    const raw = await this.select(vs, first + 1, last);
    const series: RawSeries[] = [];
    let points = 0;
    for (const s of raw) {
      const clean = dropStale(s);
      if (clean.ts.length === 0) continue;
      points += clean.ts.length;
      series.push(clean);
    }
    this.account(points);
    this.totalSamples += windowSamples(series, steps, rangeMs, offset, at);
    return { series, rangeMs, offsetMs: offset, atMs: at, mode, lookbackMs: lookback };
  }

  async evalSubquery(sq: SubqueryExpr, steps: Steps): Promise<RangeSource> {
    const stepMs = this.dur(sq.stepMs, sq.stepExpr);
    const rangeMs = this.dur(sq.rangeMs, sq.rangeExpr);
    const offsetMs = this.dur(sq.offsetMs, sq.offsetExpr);
    const interval = stepMs > 0 ? stepMs : this.opts.noStepSubqueryIntervalMs;
    const at = this.resolveAt(sq.at);
    const evalStart = at ?? steps.start;
    const evalEnd = at ?? steps.end;
    const from = evalStart - offsetMs - rangeMs;
    // Inner steps are absolute multiples of the interval, first one after the window start.
    let start = interval * Math.trunc(from / interval);
    if (start <= from) start += interval;
    const end = evalEnd - offsetMs;
    if (end < start) return { series: [], rangeMs: rangeMs, offsetMs: offsetMs, atMs: at };
    const inner = makeSteps(start, end, interval);
    // Prometheus counts a subquery's points in each outer window, not the inner evaluation.
    const counted = this.totalSamples;
    const v = await this.eval(sq.expr, inner);
    this.totalSamples = counted;
    let stepSeries: StepSeries[];
    // A subquery's samples carry no pending name removal: it happens at the subquery's edge.
    if (v.kind === "vector") stepSeries = this.opts.delayedNameRemoval ? dropFlaggedNames(v.series, inner.n) : v.series;
    else if (v.kind === "scalar") stepSeries = [{ metric: [], vals: v.vals, has: new Uint8Array(inner.n).fill(1) }];
    else throw new EvalError(`subquery is only allowed on instant vector, got ${v.kind}`);
    const series: RawSeries[] = [];
    for (const s of stepSeries) {
      let c = 0;
      for (let i = 0; i < inner.n; i++) c += s.has[i];
      if (c === 0) continue;
      const ts = new Float64Array(c);
      const vals = new Float64Array(c);
      let k = 0;
      for (let i = 0; i < inner.n; i++) {
        if (!s.has[i]) continue;
        ts[k] = inner.times[i];
        vals[k++] = s.vals[i];
      }
      series.push({ metric: s.metric, ts, vs: vals });
    }
    this.totalSamples += windowSamples(series, steps, rangeMs, offsetMs, at);
    return { series, rangeMs: rangeMs, offsetMs: offsetMs, atMs: at };
  }
}

/** The samples in each step's window (t - offset - range, t - offset], summed over steps. */
function windowSamples(series: readonly RawSeries[], steps: Steps, rangeMs: number, offsetMs: number, at: number | undefined): number {
  let total = 0;
  for (const s of series) {
    const ts = s.ts;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < steps.n; i++) {
      const t = (at ?? steps.times[i]) - offsetMs;
      while (hi < ts.length && ts[hi] <= t) hi++;
      while (lo < hi && ts[lo] <= t - rangeMs) lo++;
      total += hi - lo;
    }
  }
  return total;
}

function dropStale(s: RawSeries): RawSeries {
  let stale = 0;
  for (let i = 0; i < s.vs.length; i++) if (isStaleNaN(s.vs[i])) stale++;
  if (stale === 0) return s;
  const ts = new Float64Array(s.ts.length - stale);
  const vs = new Float64Array(s.ts.length - stale);
  let k = 0;
  for (let i = 0; i < s.vs.length; i++) {
    if (isStaleNaN(s.vs[i])) continue;
    ts[k] = s.ts[i];
    vs[k++] = s.vs[i];
  }
  return { metric: s.metric, ts, vs };
}
