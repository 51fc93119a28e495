// promwasm/promql: the PromQL parser and engine as a library. A thin, stable facade over
// src/promql (engine.ts, parser/); results keep the engine's typed arrays, and
// toPrometheusJSON writes the bytes Prometheus' HTTP API would.
import { labelsToRecord, type Labels } from "../model/labels.js";
import { Engine as InnerEngine } from "../promql/engine.js";
import { QueryCanceledError } from "../promql/errors.js";
import type { Expr } from "../promql/parser/ast.js";
import { formatExpr } from "../promql/parser/format.js";
import { parseExpr, positionString, type ParseOptions } from "../promql/parser/parse.js";
import type { QueryResult } from "../promql/value.js";
import type { Queryable } from "../storage/interface.js";
import { queryDataJSON } from "../web/format.js";

export type {
  AggregateExpr, AggregateOp, AtModifier, BinaryExpr, BinaryOp, Call, DurationExpr, Expr, MatrixSelector, NumberLiteral, ParenExpr,
  PosRange, StepInvariantExpr, StringLiteral, SubqueryExpr, UnaryExpr, ValueType, VectorMatching, VectorSelector,
} from "../promql/parser/ast.js";
export { ParseError } from "../promql/parser/ast.js";
export type { Matrix, MatrixSeries, QueryResult, QueryStats, QueryValue, ScalarValue, StringValue, Vector, VectorSample } from "../promql/value.js";
export { EvalError, QueryCanceledError, QueryError, QueryTimeoutError, TooManySamplesError } from "../promql/errors.js";
export { Matcher, type MatchType } from "../model/matcher.js";
export type { Label, Labels } from "../model/labels.js";
export type { SampleBatch } from "../model/sample.js";
export type { Querier, Queryable, SelectHints, Series } from "../storage/interface.js";
export { ChunksQueryable, type ChunksQueryableOptions } from "./chunks-queryable.js";

/** Prometheus' PromQL feature flags (`--enable-feature=...`); all off by default, as in Prometheus. */
export interface Features {
  /** promql-experimental-functions: sort_by_label, limitk, limit_ratio, mad_over_time, ... */
  readonly experimentalFunctions?: boolean;
  /** promql-duration-expr: arithmetic in ranges, offsets and subquery steps. */
  readonly durationExpressions?: boolean;
  /** promql-extended-range-selectors: `anchored` and `smoothed`. */
  readonly extendedRangeSelectors?: boolean;
  /** promql-binop-fill-modifiers: fill(), fill_left(), fill_right(). */
  readonly binopFillModifiers?: boolean;
  /** promql-delayed-name-removal: __name__ is dropped from results only at the end. Engine only. */
  readonly delayedNameRemoval?: boolean;
}

function parseOptions(f: Features | undefined): ParseOptions {
  return {
    experimentalFunctions: f?.experimentalFunctions ?? false,
    durationExpressions: f?.durationExpressions ?? false,
    extendedRangeSelectors: f?.extendedRangeSelectors ?? false,
    binopFillModifiers: f?.binopFillModifiers ?? false,
  };
}

/**
 * Parses and type-checks an expression. Throws ParseError, whose message is Prometheus'
 * ("1:5: parse error: unexpected ...") and whose pos is the offending range of the query.
 */
export function parse(query: string, opts: { readonly features?: Features } = {}): Expr {
  return parseExpr(query, parseOptions(opts.features));
}

/** The canonical text of an expression (or of a query, parsed first), as /api/v1/format_query answers. */
export function format(expr: Expr | string, opts: { readonly features?: Features } = {}): string {
  return formatExpr(typeof expr === "string" ? parse(expr, opts) : expr);
}

/** 1-based line and column of an offset in a query; columns count UTF-8 bytes, as Prometheus' messages do. */
export function lineColumn(query: string, offset: number): { readonly line: number; readonly column: number } {
  const [line, column] = positionString(query, offset).split(":").map(Number);
  return { line, column };
}

export interface EngineOptions {
  /** How far back an instant selector looks for a sample; default 5m. */
  readonly lookbackDeltaMs?: number;
  /** Per query; default 2m. A query past it rejects with QueryTimeoutError. */
  readonly timeoutMs?: number;
  /** Most samples a query may hold in memory at once; default 50M. More rejects with TooManySamplesError. */
  readonly maxSamples?: number;
  /** Queries evaluated at once; more wait in a queue (counted in the timeout). Default 20. */
  readonly maxConcurrency?: number;
  /** Step of subqueries written without one (`x[1h:]`); default 1m. */
  readonly defaultSubqueryStepMs?: number;
  readonly features?: Features;
}

export interface QueryOptions {
  /** Aborting rejects the query with QueryCanceledError. */
  readonly signal?: AbortSignal;
  /** Overrides the engine's lookback for this query. */
  readonly lookbackDeltaMs?: number;
}

export interface RangeOptions {
  readonly start: number | Date;
  readonly end: number | Date;
  readonly stepMs: number;
}

// The engine listens for "abort", which a signal aborted before the call never fires.
function notAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new QueryCanceledError("queue");
}

const ms = (t: number | Date): number => (typeof t === "number" ? t : t.getTime());

/** Evaluates PromQL over any Queryable: a TSDB, a MemoryStore, or your own. */
export class Engine {
  private readonly inner: InnerEngine;

  constructor(opts: EngineOptions = {}) {
    this.inner = new InnerEngine({
      lookbackDeltaMs: opts.lookbackDeltaMs,
      timeoutMs: opts.timeoutMs,
      maxSamples: opts.maxSamples,
      maxConcurrency: opts.maxConcurrency,
      noStepSubqueryIntervalMs: opts.defaultSubqueryStepMs,
      delayedNameRemoval: opts.features?.delayedNameRemoval ?? false,
      parseOptions: parseOptions(opts.features),
    });
  }

  /** Evaluates at one time (ms or Date). Rejects with ParseError, QueryError subclasses or storage errors. */
  async instantQuery(queryable: Queryable, query: string, time: number | Date, opts: QueryOptions = {}): Promise<QueryResult> {
    notAborted(opts.signal);
    return this.inner.instantQuery(queryable, query, ms(time), opts);
  }

  /** Evaluates at start, start + step, ... up to end; the result is always a matrix. */
  async rangeQuery(queryable: Queryable, query: string, range: RangeOptions, opts: QueryOptions = {}): Promise<QueryResult> {
    notAborted(opts.signal);
    return this.inner.rangeQuery(queryable, query, ms(range.start), ms(range.end), range.stepMs, opts);
  }

  /** Later queries reject; running ones finish. */
  close(): void {
    this.inner.close();
  }
}

/**
 * The body Prometheus' /api/v1/query or /api/v1/query_range answers for this result, byte
 * for byte (values as Go formats them, times as float seconds); withStats adds `stats`.
 */
export function toPrometheusJSON(result: QueryResult, opts: { readonly withStats?: boolean } = {}): string {
  let body = `{"status":"success","data":${queryDataJSON(result.value, opts.withStats ? result.stats : undefined)}`;
  if (result.warnings.length > 0) body += `,"warnings":${JSON.stringify(result.warnings)}`;
  if (result.infos.length > 0) body += `,"infos":${JSON.stringify(result.infos)}`;
  return body + "}";
}

/** A result's label set as a plain object. */
export function labelsOf(metric: Labels): Record<string, string> {
  return labelsToRecord(metric);
}
