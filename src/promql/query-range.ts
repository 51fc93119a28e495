// The time range a whole query reads from storage, so the engine can open one querier
// for it (Prometheus' FindMinMaxTime). Each selector's window is widened by its offset,
// @ modifier, range, lookback and the subqueries around it, the way the evaluator
// widens it when it selects; the union of all windows is the query's range.
import type { AtModifier, DurationExpr, Expr, VectorSelector } from "./parser/ast.js";

/** What the walk needs from the evaluator: how @ and duration expressions resolve. */
export interface RangeContext {
  readonly lookbackDeltaMs: number;
  resolveAt(at: AtModifier | undefined): number | undefined;
  dur(ms: number, expr: DurationExpr | undefined): number;
}

/** Inclusive [mint, maxt] in ms; mint > maxt when the expression selects nothing. */
export interface TimeRange {
  mint: number;
  maxt: number;
}

/** The union of the windows every selector in expr reads when evaluated over [start, end]. */
export function queryTimeRange(expr: Expr, start: number, end: number, ctx: RangeContext): TimeRange {
  const r: TimeRange = { mint: Infinity, maxt: -Infinity };
  walk(expr, start, end, ctx, r);
  return r;
}

function widen(r: TimeRange, mint: number, maxt: number): void {
  if (mint < r.mint) r.mint = mint;
  if (maxt > r.maxt) r.maxt = maxt;
}

function selectorWindow(vs: VectorSelector, rangeMs: number, start: number, end: number, ctx: RangeContext, r: TimeRange): void {
  const at = ctx.resolveAt(vs.at);
  const offset = ctx.dur(vs.offsetMs, vs.offsetExpr);
  const lookback = ctx.lookbackDeltaMs;
  // Instant selectors look back; range selectors read their range, anchored and smoothed
  // ones a lookback beyond it, smoothed ones also a lookback after each step.
  const before = rangeMs > 0 ? rangeMs + (vs.anchored || vs.smoothed ? lookback : 0) : lookback;
  const after = vs.smoothed ? lookback : 0;
  widen(r, (at ?? start) - offset - before, (at ?? end) - offset + after);
}

function walk(e: Expr, start: number, end: number, ctx: RangeContext, r: TimeRange): void {
  switch (e.kind) {
    case "NumberLiteral":
    case "StringLiteral":
      return;
    case "VectorSelector":
      selectorWindow(e, 0, start, end, ctx, r);
      return;
    case "MatrixSelector":
      selectorWindow(e.vector, ctx.dur(e.rangeMs, e.rangeExpr), start, end, ctx, r);
      return;
    case "SubqueryExpr": {
      const at = ctx.resolveAt(e.at);
      const offset = ctx.dur(e.offsetMs, e.offsetExpr);
      const range = ctx.dur(e.rangeMs, e.rangeExpr);
      // The inner steps start after the window's start, so the window bounds them.
      walk(e.expr, (at ?? start) - offset - range, (at ?? end) - offset, ctx, r);
      return;
    }
    case "ParenExpr":
    case "StepInvariantExpr":
    case "UnaryExpr":
      walk(e.expr, start, end, ctx, r);
      return;
    case "BinaryExpr":
      walk(e.lhs, start, end, ctx, r);
      walk(e.rhs, start, end, ctx, r);
      return;
    case "AggregateExpr":
      if (e.param) walk(e.param, start, end, ctx, r);
      walk(e.expr, start, end, ctx, r);
      return;
    case "Call":
      for (const a of e.args) walk(a, start, end, ctx, r);
      return;
  }
}
