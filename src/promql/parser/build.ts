// Turns the grammar's raw tree into the AST, reporting Prometheus' construction-time errors
// (modifier placement, ranges, aggregation argument counts, unknown functions, feature flags)
// in source order. Type checks come later, in check.ts.
import { Matcher, type MatchType } from "../../model/matcher.js";
import type {
  AggregateExpr, AggregateOp, AtModifier, BinaryExpr, BinaryOp, Call, DurationExpr, Expr, MatrixSelector, PosRange,
  SubqueryExpr, UnaryExpr, VectorMatching, VectorSelector,
} from "./ast.js";
import { constantDurationMs } from "./duration-expr.js";
import { getFunction } from "./functions.js";

/** Prometheus' experimental PromQL features; all off by default, as in Prometheus. */
export interface ParseOptions {
  /** --enable-feature=promql-experimental-functions: experimental functions, limitk, limit_ratio. */
  readonly experimentalFunctions?: boolean;
  /** --enable-feature=promql-duration-expr: arithmetic, step(), range(), min_of/max_of in durations. */
  readonly durationExpressions?: boolean;
  /** --enable-feature=promql-extended-range-selectors: the anchored and smoothed modifiers. */
  readonly extendedRangeSelectors?: boolean;
  /** --enable-feature=promql-binop-fill-modifiers: fill, fill_left, fill_right. */
  readonly binopFillModifiers?: boolean;
}

export interface PendingError {
  readonly pos: PosRange;
  readonly message: string;
}

// The raw tree is peggy's untyped output; it never leaves this module.
type Raw = any;

const EXPERIMENTAL_AGGREGATES = new Set(["limitk", "limit_ratio"]);
const PARAM_AGGREGATES = new Set(["topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio"]);

export class AstBuilder {
  readonly errors: PendingError[] = [];
  private readonly options: ParseOptions;

  constructor(options: { parse: ParseOptions }) {
    this.options = options.parse;
  }

  private error(pos: PosRange, message: string): void {
    this.errors.push({ pos, message });
  }

  expr(raw: Raw): Expr {
    switch (raw.kind as string) {
      case "NumberLiteral":
        return raw.duration
          ? { kind: "NumberLiteral", value: raw.value, duration: true, pos: raw.pos }
          : { kind: "NumberLiteral", value: raw.value, pos: raw.pos };
      case "StringLiteral":
        return { kind: "StringLiteral", value: raw.value, pos: raw.pos };
      case "ParenExpr":
        return { kind: "ParenExpr", expr: this.expr(raw.expr), pos: raw.pos };
      case "RawUnary":
        return this.unary(raw);
      case "RawBinary":
        return this.binary(raw);
      case "RawAggregate":
        return this.aggregate(raw);
      case "RawCall":
        return this.call(raw);
      case "RawSelector":
        return this.selector(raw);
      case "RawRange":
        return this.range(raw);
      case "RawSubquery":
        return this.subquery(raw);
      case "RawOffset":
        return this.offset(raw);
      case "RawAt":
        return this.at(raw);
      case "RawAnchored":
      case "RawSmoothed":
        return this.extendedRange(raw);
      default:
        throw new Error(`promql parser: unknown raw node ${String(raw.kind)}`);
    }
  }

  private unary(raw: Raw): Expr {
    const inner = this.expr(raw.expr);
    const start = raw.pos.start as number;
    if (inner.kind === "NumberLiteral") {
      // Prometheus folds a sign into a number literal: -1 is a literal, not an operation.
      const value = raw.op === "-" ? -inner.value : inner.value;
      const pos = { start, end: inner.pos.end };
      return inner.duration ? { kind: "NumberLiteral", value, duration: true, pos } : { kind: "NumberLiteral", value, pos };
    }
    const node: UnaryExpr = { kind: "UnaryExpr", op: raw.op, expr: inner, pos: { start, end: inner.pos.end } };
    return node;
  }

  private binary(raw: Raw): Expr {
    const lhs = this.expr(raw.lhs);
    const rhs = this.expr(raw.rhs);
    const mod = raw.mod;
    const group = mod.matching?.group;
    let card: VectorMatching["card"] = "one-to-one";
    if (group) card = group.side === "left" ? "many-to-one" : "one-to-many";
    let fillValues: VectorMatching["fillValues"];
    for (const f of mod.fill as Array<{ side: string; value: number }>) {
      const prev = fillValues ?? { lhs: undefined, rhs: undefined };
      fillValues = {
        lhs: f.side === "right" ? prev.lhs : f.value,
        rhs: f.side === "left" ? prev.rhs : f.value,
      };
    }
    const matching: VectorMatching = {
      card,
      matchingLabels: mod.matching?.labels ?? [],
      on: mod.matching?.on ?? false,
      include: group?.include ?? [],
      ...(fillValues ? { fillValues } : {}),
    };
    const node: BinaryExpr = {
      kind: "BinaryExpr",
      op: raw.op as BinaryOp,
      lhs,
      rhs,
      matching,
      returnBool: mod.returnBool,
      pos: { start: lhs.pos.start, end: rhs.pos.end },
    };
    if (fillValues && !this.options.binopFillModifiers) {
      this.error(node.pos, "binop fill modifiers are experimental and not enabled");
    }
    return node;
  }

  private args(body: Raw): Expr[] {
    const args = (body.args as Raw[]).map((a) => this.expr(a));
    if (body.trailingComma) this.error(body.trailingComma, "trailing commas not allowed in function call args");
    return args;
  }

  private aggregate(raw: Raw): Expr {
    const op = raw.op.name as AggregateOp;
    const args = this.args(raw.body);
    const pos: PosRange = raw.pos;
    const grouping: string[] = raw.mod?.labels ?? [];
    const base = { kind: "AggregateExpr" as const, op, grouping, without: raw.mod?.without ?? false, hasGrouping: raw.mod != null, pos };
    const placeholder: Expr = { kind: "NumberLiteral", value: 0, pos };
    if (args.length === 0) {
      this.error(pos, "no arguments for aggregate expression provided");
      return { ...base, expr: placeholder, param: undefined };
    }
    let desired = 1;
    if (PARAM_AGGREGATES.has(op)) {
      if (EXPERIMENTAL_AGGREGATES.has(op) && !this.options.experimentalFunctions) {
        this.error(pos, `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`);
        return { ...base, expr: args[args.length - 1], param: args[0] };
      }
      desired = 2;
    }
    if (args.length !== desired) {
      this.error(pos, `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`);
      return { ...base, expr: args[args.length - 1], param: desired === 2 ? args[0] : undefined };
    }
    const node: AggregateExpr = { ...base, expr: args[desired - 1], param: desired === 2 ? args[0] : undefined };
    return node;
  }

  private call(raw: Raw): Expr {
    const fn = getFunction(raw.name);
    if (!fn) {
      this.error(raw.namePos, `unknown function with name ${JSON.stringify(raw.name)}`);
    } else if (fn.experimental && !this.options.experimentalFunctions) {
      this.error(raw.namePos, `function ${JSON.stringify(raw.name)} is not enabled`);
    }
    const node: Call = { kind: "Call", func: raw.name, args: this.args(raw.body), pos: raw.pos };
    return node;
  }

  private selector(raw: Raw): VectorSelector {
    const matchers: Matcher[] = [];
    for (const m of raw.matchers as Array<{ name: string; type: MatchType; value: string; pos: PosRange }>) {
      try {
        matchers.push(new Matcher(m.type, m.name, m.value));
      } catch (err) {
        const cause = (err as Error).cause;
        const detail = cause instanceof Error ? cause.message : (err as Error).message;
        this.error(m.pos, detail.startsWith("error parsing regexp") ? detail : `error parsing regexp: ${detail}`);
      }
    }
    let name = "";
    if (raw.name) {
      name = raw.name;
      matchers.push(new Matcher("=", "__name__", name));
    } else {
      const bare = (raw.matchers as Array<{ bare?: boolean; value: string }>).find((m) => m.bare);
      if (bare) name = bare.value;
    }
    return { kind: "VectorSelector", name, matchers, offsetMs: 0, at: undefined, pos: raw.pos };
  }

  /** A range, step or offset value: a literal (seconds) or, when enabled, a duration expression. */
  private durationArg(raw: Raw, positive: boolean): { ms: number; expr: DurationExpr | undefined } {
    const expr = this.durationExpr(raw);
    if (expr.kind === "DurationLiteral") {
      if (positive && expr.seconds <= 0) {
        this.error(expr.pos, "duration must be greater than 0");
        return { ms: 0, expr: undefined };
      }
      return { ms: Math.round(expr.seconds * 1000), expr: undefined };
    }
    if (!this.options.durationExpressions) this.error(expr.pos, "experimental duration expression is not enabled");
    return { ms: constantDurationMs(expr) ?? 0, expr };
  }

  private durationExpr(raw: Raw): DurationExpr {
    switch (raw.kind as string) {
      case "DurLiteral":
        return { kind: "DurationLiteral", seconds: raw.seconds, duration: raw.duration, pos: raw.pos };
      case "DurParen":
        return { kind: "DurationParen", expr: this.durationExpr(raw.expr), pos: raw.pos };
      case "DurUnary": {
        const inner = this.durationExpr(raw.expr);
        if (inner.kind === "DurationLiteral") {
          return { ...inner, seconds: raw.op === "-" ? -inner.seconds : inner.seconds, pos: raw.pos };
        }
        // A unary plus changes nothing (and Prometheus does not print it).
        if (raw.op === "+") return inner;
        return { kind: "DurationUnary", op: raw.op, expr: inner, pos: raw.pos };
      }
      case "DurBinary":
        return { kind: "DurationBinary", op: raw.op, lhs: this.durationExpr(raw.lhs), rhs: this.durationExpr(raw.rhs), pos: raw.pos };
      case "DurStep":
        return { kind: "DurationCall", func: "step", args: [], pos: raw.pos };
      case "DurRange":
        return { kind: "DurationCall", func: "range", args: [], pos: raw.pos };
      case "DurCall":
        return { kind: "DurationCall", func: raw.func, args: (raw.args as Raw[]).map((a) => this.durationExpr(a)), pos: raw.pos };
      default:
        throw new Error(`promql parser: unknown duration node ${String(raw.kind)}`);
    }
  }

  private range(raw: Raw): Expr {
    const inner = this.expr(raw.expr);
    let message = "";
    if (inner.kind !== "VectorSelector") message = "ranges only allowed for vector selectors";
    else if (inner.offsetMs !== 0 || inner.offsetExpr) message = "no offset modifiers allowed before range";
    else if (inner.at) message = "no @ modifiers allowed before range";
    if (message) this.error(raw.pos, message);
    const { ms, expr } = this.durationArg(raw.range, true);
    if (inner.kind !== "VectorSelector") return inner;
    const node: MatrixSelector = {
      kind: "MatrixSelector",
      vector: inner,
      rangeMs: ms,
      pos: { start: inner.pos.start, end: raw.pos.end },
      ...(expr ? { rangeExpr: expr } : {}),
    };
    return node;
  }

  private subquery(raw: Raw): Expr {
    const inner = this.expr(raw.expr);
    const range = this.durationArg(raw.range, true);
    const step = raw.step === null ? { ms: 0, expr: undefined } : this.durationArg(raw.step, true);
    const node: SubqueryExpr = {
      kind: "SubqueryExpr",
      expr: inner,
      rangeMs: range.ms,
      stepMs: step.ms,
      offsetMs: 0,
      at: undefined,
      pos: { start: inner.pos.start, end: raw.pos.end },
      ...(range.expr ? { rangeExpr: range.expr } : {}),
      ...(step.expr ? { stepExpr: step.expr } : {}),
    };
    return node;
  }

  private offset(raw: Raw): Expr {
    const inner = this.expr(raw.expr);
    const { ms, expr } = this.durationArg(raw.value, false);
    const end = raw.pos.end as number;
    const apply = <T extends { offsetMs: number; offsetExpr?: DurationExpr; pos: PosRange }>(t: T): T => {
      if (t.offsetMs !== 0 || t.offsetExpr) {
        this.error(inner.pos, "offset may not be set multiple times");
        return t;
      }
      return { ...t, offsetMs: ms, ...(expr ? { offsetExpr: expr } : {}), pos: { start: t.pos.start, end } };
    };
    switch (inner.kind) {
      case "VectorSelector":
        return apply(inner);
      case "MatrixSelector": {
        const vector = apply(inner.vector);
        return { ...inner, vector: { ...vector, pos: inner.vector.pos }, pos: { start: inner.pos.start, end } };
      }
      case "SubqueryExpr":
        return apply(inner);
      default:
        this.error(inner.pos, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        return inner;
    }
  }

  private at(raw: Raw): Expr {
    const inner = this.expr(raw.expr);
    const v = raw.value;
    let at: AtModifier;
    if (v.kind === "start" || v.kind === "end") {
      at = { kind: v.kind };
    } else {
      const ts = v.seconds as number;
      // int64 ms bounds, as Prometheus checks them.
      if (!Number.isFinite(ts) || ts >= 9.223372036854776e18 || ts <= -9.223372036854776e18) {
        this.error(inner.pos, `timestamp out of bounds for @ modifier: ${goFloatF(ts)}`);
      }
      at = { kind: "time", ms: Math.round(ts * 1000) };
    }
    const end = raw.pos.end as number;
    const apply = <T extends { at: AtModifier | undefined; pos: PosRange }>(t: T): T => {
      if (t.at) {
        this.error(inner.pos, "@ <timestamp> may not be set multiple times");
        return t;
      }
      return { ...t, at, pos: { start: t.pos.start, end } };
    };
    switch (inner.kind) {
      case "VectorSelector":
        return apply(inner);
      case "MatrixSelector":
        return { ...inner, vector: { ...apply(inner.vector), pos: inner.vector.pos }, pos: { start: inner.pos.start, end } };
      case "SubqueryExpr":
        return apply(inner);
      default:
        this.error(inner.pos, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        return inner;
    }
  }

  private extendedRange(raw: Raw): Expr {
    const inner = this.expr(raw.expr);
    const name = raw.kind === "RawAnchored" ? "anchored" : "smoothed";
    if (!this.options.extendedRangeSelectors) {
      this.error(inner.pos, `${name} modifier is experimental and not enabled`);
      return inner;
    }
    const apply = (vs: VectorSelector): VectorSelector => {
      const other = name === "anchored" ? vs.smoothed : vs.anchored;
      if (other) this.error(inner.pos, "anchored and smoothed modifiers cannot be used together");
      return { ...vs, [name]: true };
    };
    const end = raw.pos.end as number;
    switch (inner.kind) {
      case "VectorSelector":
        return { ...apply(inner), pos: { start: inner.pos.start, end } };
      case "MatrixSelector":
        return { ...inner, vector: apply(inner.vector), pos: { start: inner.pos.start, end } };
      case "SubqueryExpr":
        this.error(inner.pos, `${name} modifier is not supported for subqueries`);
        return inner;
      default:
        this.error(inner.pos, `${name} modifier not implemented`);
        return inner;
    }
  }
}

/** Go's %f: six decimals, "+Inf"/"-Inf"/"NaN" for the specials. */
function goFloatF(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return v.toFixed(6);
}
