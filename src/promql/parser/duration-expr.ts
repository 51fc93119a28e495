// Evaluation of Prometheus 3.x duration expressions (`[5m+30s]`, `offset step()*2`). Arithmetic
// is done in seconds, as Prometheus does, and the result rounded to ms.
import type { DurationExpr } from "./ast.js";

export interface DurationContext {
  /** The query's resolution step (0 for instant queries). */
  readonly stepMs: number;
  /** The query's range, end - start (0 for instant queries). */
  readonly rangeMs: number;
}

export class DurationExprError extends Error {}

function seconds(e: DurationExpr, ctx: DurationContext | undefined): number | undefined {
  switch (e.kind) {
    case "DurationLiteral":
      return e.seconds;
    case "DurationParen":
      return seconds(e.expr, ctx);
    case "DurationUnary": {
      const v = seconds(e.expr, ctx);
      return v === undefined ? undefined : e.op === "-" ? -v : v;
    }
    case "DurationBinary": {
      const l = seconds(e.lhs, ctx);
      const r = seconds(e.rhs, ctx);
      if (l === undefined || r === undefined) return undefined;
      switch (e.op) {
        case "+":
          return l + r;
        case "-":
          return l - r;
        case "*":
          return l * r;
        case "/":
          if (r === 0) throw new DurationExprError("division by zero");
          return l / r;
        case "%":
          if (r === 0) throw new DurationExprError("modulo by zero");
          return l % r;
        case "^":
          return l ** r;
      }
      break;
    }
    case "DurationCall": {
      if (e.func === "step") return ctx === undefined ? undefined : ctx.stepMs / 1000;
      if (e.func === "range") return ctx === undefined ? undefined : ctx.rangeMs / 1000;
      const a = seconds(e.args[0], ctx);
      const b = seconds(e.args[1], ctx);
      if (a === undefined || b === undefined) return undefined;
      return e.func === "min_of" ? Math.min(a, b) : Math.max(a, b);
    }
  }
  return undefined;
}

/** The value in ms when the expression does not depend on step() or range(), else undefined. */
export function constantDurationMs(e: DurationExpr): number | undefined {
  try {
    const s = seconds(e, undefined);
    return s === undefined ? undefined : Math.round(s * 1000);
  } catch {
    return undefined;
  }
}

/** Evaluates the expression for a query; throws DurationExprError on division by zero. */
export function evalDurationExpr(e: DurationExpr, ctx: DurationContext): number {
  const s = seconds(e, ctx);
  if (s === undefined || !Number.isFinite(s)) throw new DurationExprError("duration expression is not a finite number");
  return Math.round(s * 1000);
}

/** True when the expression needs the query's step or range. */
export function usesQueryParams(e: DurationExpr): boolean {
  switch (e.kind) {
    case "DurationLiteral":
      return false;
    case "DurationParen":
    case "DurationUnary":
      return usesQueryParams(e.expr);
    case "DurationBinary":
      return usesQueryParams(e.lhs) || usesQueryParams(e.rhs);
    case "DurationCall":
      return e.func === "step" || e.func === "range" || e.args.some(usesQueryParams);
  }
}
