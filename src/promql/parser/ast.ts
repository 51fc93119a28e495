// The PromQL syntax tree, shared by the parser (grammar/promql.peggy via
// parse.ts), the formatter and the engine. Positions are character offsets
// into the query string. Durations and offsets are in ms.
import type { Matcher } from "../../model/matcher.js";

export type ValueType = "scalar" | "vector" | "matrix" | "string";

export interface PosRange {
  readonly start: number;
  readonly end: number;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | Call
  | StepInvariantExpr;

export interface NumberLiteral {
  readonly kind: "NumberLiteral";
  readonly value: number;
  /** True when written as a duration (`5m`); value is then in seconds and prints as a duration. */
  readonly duration?: boolean;
  readonly pos: PosRange;
}

export interface StringLiteral {
  readonly kind: "StringLiteral";
  readonly value: string;
  readonly pos: PosRange;
}

/** `@` modifier: a fixed timestamp (ms), or the query's start()/end(). */
export type AtModifier = { readonly kind: "time"; readonly ms: number } | { readonly kind: "start" } | { readonly kind: "end" };

export interface VectorSelector {
  readonly kind: "VectorSelector";
  /** Metric name if given outside braces (or in braces as a bare quoted name), else "". */
  readonly name: string;
  /** All matchers, including one for __name__ when a name was given. */
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
  readonly pos: PosRange;
  /** Offset written as a duration expression; offsetMs holds its value unless it uses step()/range(). */
  readonly offsetExpr?: DurationExpr;
  /** Prometheus 3.x extended range selectors (experimental). */
  readonly anchored?: boolean;
  readonly smoothed?: boolean;
}

export interface MatrixSelector {
  readonly kind: "MatrixSelector";
  readonly vector: VectorSelector;
  readonly rangeMs: number;
  readonly pos: PosRange;
  /** Range written as a duration expression; rangeMs holds its value unless it uses step()/range(). */
  readonly rangeExpr?: DurationExpr;
}

export interface SubqueryExpr {
  readonly kind: "SubqueryExpr";
  readonly expr: Expr;
  readonly rangeMs: number;
  /** 0 when the step was omitted (the engine then uses the default evaluation interval). */
  readonly stepMs: number;
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
  readonly pos: PosRange;
  readonly rangeExpr?: DurationExpr;
  readonly stepExpr?: DurationExpr;
  readonly offsetExpr?: DurationExpr;
}

/**
 * Prometheus 3.x duration expressions (experimental) in ranges, subquery steps and offsets:
 * arithmetic over literals (seconds), step(), range(), min_of() and max_of(). Constant ones are
 * folded into the node's ms field at parse time; evalDurationExpr (duration-expr.ts) evaluates
 * the others once the query's step and range are known.
 */
export type DurationExpr =
  | { readonly kind: "DurationLiteral"; readonly seconds: number; readonly duration: boolean; readonly pos: PosRange }
  | { readonly kind: "DurationParen"; readonly expr: DurationExpr; readonly pos: PosRange }
  | { readonly kind: "DurationUnary"; readonly op: "+" | "-"; readonly expr: DurationExpr; readonly pos: PosRange }
  | {
      readonly kind: "DurationBinary";
      readonly op: "+" | "-" | "*" | "/" | "%" | "^";
      readonly lhs: DurationExpr;
      readonly rhs: DurationExpr;
      readonly pos: PosRange;
    }
  | { readonly kind: "DurationCall"; readonly func: "step" | "range" | "min_of" | "max_of"; readonly args: readonly DurationExpr[]; readonly pos: PosRange };

export interface ParenExpr {
  readonly kind: "ParenExpr";
  readonly expr: Expr;
  readonly pos: PosRange;
}

export interface UnaryExpr {
  readonly kind: "UnaryExpr";
  readonly op: "-" | "+";
  readonly expr: Expr;
  readonly pos: PosRange;
}

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%" | "^" | "atan2";
export type ComparisonOp = "==" | "!=" | ">" | "<" | ">=" | "<=";
export type SetOp = "and" | "or" | "unless";
/** Native histogram trim operators (Prometheus 3.x): `</` keeps observations below, `>/` above. */
export type TrimOp = "</" | ">/";
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | TrimOp;

export interface VectorMatching {
  readonly card: "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";
  /** Labels of on(...) when on is true, of ignoring(...) otherwise. */
  readonly matchingLabels: readonly string[];
  readonly on: boolean;
  /** Extra labels named in group_left(...)/group_right(...). */
  readonly include: readonly string[];
  /** Prometheus 3.x fill/fill_left/fill_right modifiers (experimental): values for missing sides. */
  readonly fillValues?: { readonly lhs: number | undefined; readonly rhs: number | undefined };
}

export interface BinaryExpr {
  readonly kind: "BinaryExpr";
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** Set when both sides are vectors (always set for set operators). */
  readonly matching: VectorMatching | undefined;
  readonly returnBool: boolean;
  readonly pos: PosRange;
}

export type AggregateOp =
  | "sum" | "avg" | "count" | "min" | "max" | "group" | "stddev" | "stdvar"
  | "topk" | "bottomk" | "count_values" | "quantile" | "limitk" | "limit_ratio";

export interface AggregateExpr {
  readonly kind: "AggregateExpr";
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** The parameter of topk/bottomk/quantile/count_values/limitk/limit_ratio. */
  readonly param: Expr | undefined;
  readonly grouping: readonly string[];
  readonly without: boolean;
  /** True when by/without was written (even with an empty list). */
  readonly hasGrouping: boolean;
  readonly pos: PosRange;
}

export interface Call {
  readonly kind: "Call";
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PosRange;
}

/** Inserted by the engine's preprocessing for subtrees that give the same result at every step. */
export interface StepInvariantExpr {
  readonly kind: "StepInvariantExpr";
  readonly expr: Expr;
  readonly pos: PosRange;
}

export class ParseError extends Error {
  readonly pos: PosRange;
  readonly query: string;
  /** The message without the "line:col: parse error: " prefix. */
  readonly detail: string;
  constructor(message: string, pos: PosRange, query: string, detail: string = message) {
    super(message);
    this.name = "ParseError";
    this.pos = pos;
    this.query = query;
    this.detail = detail;
  }
}
