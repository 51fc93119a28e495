// The query engine: parses, limits concurrency, tracks active queries, enforces timeouts
// and sample limits, and turns the evaluator's step series into API values.
import { compareLabels } from "../model/labels.js";
import type { Logger } from "../log/logger.js";
import type { Queryable } from "../storage/interface.js";
import { ActiveQueryTracker } from "./active-query-tracker.js";
import { Annotations } from "./annotations.js";
import { EvalError, QueryCanceledError, QueryTimeoutError } from "./errors.js";
import { makeSteps, windowEnd, type EvalValue, type Steps } from "./eval-types.js";
import { Evaluator } from "./evaluator.js";
import { extendedPoints } from "./extended-range.js";
import { dropFlaggedNames } from "./series-set.js";
import { parseExpr, type ParseOptions } from "./parser/parse.js";
import type { Matrix, MatrixSeries, QueryResult, QueryStats, QueryValue, VectorSample } from "./value.js";

export interface EngineOptions {
  readonly lookbackDeltaMs?: number;
  readonly timeoutMs?: number;
  readonly maxSamples?: number;
  readonly maxConcurrency?: number;
  /** Where queries.active is kept; queries left from a crashed run are logged at construction. */
  readonly activeQueryTrackerDir?: string;
  readonly noStepSubqueryIntervalMs?: number;
  readonly logger?: Logger;
  /**
   * Prometheus' promql-delayed-name-removal feature: __name__ (with __type__/__unit__) is kept
   * through the query and dropped from the result, so label_replace can still read it. Off by default.
   */
  readonly delayedNameRemoval?: boolean;
  /** Prometheus' experimental PromQL feature flags for the parser; all off by default. */
  readonly parseOptions?: ParseOptions;
}

export const ENGINE_DEFAULTS = {
  lookbackDeltaMs: 300_000,
  timeoutMs: 120_000,
  maxSamples: 50_000_000,
  maxConcurrency: 20,
  noStepSubqueryIntervalMs: 60_000,
} as const;

export interface QueryOptions {
  readonly signal?: AbortSignal;
  readonly lookbackDeltaMs?: number;
  /** A shorter limit for this query (the API's timeout parameter); the engine's own caps it. */
  readonly timeoutMs?: number;
}

export class Engine {
  private readonly opts: Required<Omit<EngineOptions, "activeQueryTrackerDir" | "logger" | "parseOptions">>;
  private readonly parseOptions: ParseOptions;
  private readonly tracker: ActiveQueryTracker | undefined;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(opts: EngineOptions = {}) {
    this.opts = {
      lookbackDeltaMs: opts.lookbackDeltaMs ?? ENGINE_DEFAULTS.lookbackDeltaMs,
      timeoutMs: opts.timeoutMs ?? ENGINE_DEFAULTS.timeoutMs,
      maxSamples: opts.maxSamples ?? ENGINE_DEFAULTS.maxSamples,
      maxConcurrency: opts.maxConcurrency ?? ENGINE_DEFAULTS.maxConcurrency,
      noStepSubqueryIntervalMs: opts.noStepSubqueryIntervalMs ?? ENGINE_DEFAULTS.noStepSubqueryIntervalMs,
      delayedNameRemoval: opts.delayedNameRemoval ?? false,
    };
    this.parseOptions = opts.parseOptions ?? {};
    if (opts.activeQueryTrackerDir !== undefined) {
      this.tracker = new ActiveQueryTracker({ dir: opts.activeQueryTrackerDir, logger: opts.logger?.with({ component: "activeQueryTracker" }) });
    }
  }

  instantQuery(q: Queryable, query: string, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    return this.exec(q, query, timeMs, timeMs, 0, true, opts);
  }

  rangeQuery(q: Queryable, query: string, startMs: number, endMs: number, stepMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    if (!(stepMs > 0)) throw new EvalError("zero or negative query resolution step widths are not accepted. Try a positive integer");
    if (endMs < startMs) throw new EvalError("end timestamp must not be before start time");
    return this.exec(q, query, startMs, endMs, stepMs, false, opts);
  }

  close(): void {
    this.closed = true;
  }

  private async exec(q: Queryable, query: string, start: number, end: number, step: number, instant: boolean, opts: QueryOptions): Promise<QueryResult> {
    if (this.closed) throw new Error("query engine is closed");
    const t0 = performance.now();
    const expr = parseExpr(query, this.parseOptions);
    const controller = new AbortController();
    let timedOut = false;
    // The only timeout layer, as in Prometheus: callers pass theirs in opts.timeoutMs.
    const timeoutMs = opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? Math.min(opts.timeoutMs, this.opts.timeoutMs) : this.opts.timeoutMs;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.acquire(controller.signal, () => timedOut);
      const tQueued = performance.now();
      const trackId = this.tracker?.insert(query);
      try {
        const annotations = new Annotations(query);
        const ev = new Evaluator({
          queryable: q,
          lookbackDeltaMs: opts.lookbackDeltaMs ?? this.opts.lookbackDeltaMs,
          noStepSubqueryIntervalMs: this.opts.noStepSubqueryIntervalMs,
          maxSamples: this.opts.maxSamples,
          delayedNameRemoval: this.opts.delayedNameRemoval,
          queryStart: start,
          queryEnd: end,
          queryStepMs: step,
          annotations,
          signal: controller.signal,
          timedOut: () => timedOut,
        });
        const steps = makeSteps(start, end, step);
        const tEval = performance.now();
        let v: EvalValue;
        try {
          v = await ev.evalQuery(expr, steps);
        } finally {
          await ev.close();
        }
        if (this.opts.delayedNameRemoval && v.kind === "vector") v = { kind: "vector", series: dropFlaggedNames(v.series, steps.n) };
        const tInner = performance.now();
        if (!instant && (v.kind === "matrix" || v.kind === "string")) {
          throw new EvalError(`invalid expression type "${v.kind === "matrix" ? "range vector" : "string"}" for range query, must be Scalar or instant Vector`);
        }
        const value = instant ? toInstantValue(v, steps) : toMatrix(v, steps);
        const tSorted = performance.now();
        const stats: QueryStats = {
          timings: {
            evalTotalTime: (tSorted - tEval) / 1000,
            resultSortTime: (tSorted - tInner) / 1000,
            queryPreparationTime: (tEval - tQueued) / 1000,
            innerEvalTime: (tInner - tEval) / 1000,
            execQueueTime: (tQueued - t0) / 1000,
            execTotalTime: (tSorted - t0) / 1000,
          },
          samples: { totalQueryableSamples: ev.totalSamples, peakSamples: ev.peakSamples },
        };
        return { value, warnings: [...annotations.warnings], infos: [...annotations.infos], stats };
      } finally {
        if (trackId !== undefined) this.tracker?.delete(trackId);
        this.release();
      }
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  private acquire(signal: AbortSignal, timedOut: () => boolean): Promise<void> {
    if (this.running < this.opts.maxConcurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener("abort", abort);
        this.running++;
        resolve();
      };
      const abort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(timedOut() ? new QueryTimeoutError("queue") : new QueryCanceledError("queue"));
      };
      signal.addEventListener("abort", abort, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    this.running--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

function toInstantValue(v: EvalValue, steps: Steps): QueryValue {
  const t = steps.start;
  switch (v.kind) {
    case "scalar":
      return { type: "scalar", t, v: v.vals[0] };
    case "string":
      return { type: "string", t, v: v.v };
    case "vector": {
      const samples: VectorSample[] = [];
      for (const s of v.series) if (s.has[0]) samples.push({ metric: s.metric, t, v: s.vals[0] });
      return { type: "vector", samples };
    }
    case "matrix": {
      const src = v.source;
      const hi = windowEnd(src, t);
      const lo = hi - src.rangeMs;
      const series: MatrixSeries[] = [];
      for (const s of src.series) {
        if (src.mode) {
          const ext = extendedPoints(s.ts, s.vs, lo, hi, src.mode === "smoothed");
          if (ext.ts.length > 0) series.push({ metric: s.metric, ...ext });
          continue;
        }
        let a = 0;
        while (a < s.ts.length && s.ts[a] <= lo) a++;
        let b = a;
        while (b < s.ts.length && s.ts[b] <= hi) b++;
        if (b > a) series.push({ metric: s.metric, ts: s.ts.slice(a, b), vs: s.vs.slice(a, b) });
      }
      series.sort((x, y) => compareLabels(x.metric, y.metric));
      return { type: "matrix", series };
    }
  }
}

function toMatrix(v: EvalValue, steps: Steps): Matrix {
  if (v.kind === "scalar") return { type: "matrix", series: [{ metric: [], ts: steps.times.slice(), vs: v.vals.slice() }] };
  if (v.kind !== "vector") throw new EvalError(`unexpected ${v.kind} result for a range query`);
  const series: MatrixSeries[] = [];
  for (const s of v.series) {
    let c = 0;
    for (let i = 0; i < steps.n; i++) c += s.has[i];
    if (c === 0) continue;
    const ts = new Float64Array(c);
    const vs = new Float64Array(c);
    let k = 0;
    for (let i = 0; i < steps.n; i++) {
      if (!s.has[i]) continue;
      ts[k] = steps.times[i];
      vs[k++] = s.vals[i];
    }
    series.push({ metric: s.metric, ts, vs });
  }
  series.sort((a, b) => compareLabels(a.metric, b.metric));
  return { type: "matrix", series };
}
