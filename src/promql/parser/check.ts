// Type checks over a built AST, with Prometheus' messages and in its order (a node's own checks
// and its children's interleave exactly as Prometheus' checkAST does, so the first error matches).
import type { BinaryExpr, Expr, PosRange, ValueType, VectorMatching } from "./ast.js";
import type { PendingError } from "./build.js";
import { getFunction } from "./functions.js";

export function exprType(e: Expr): ValueType {
  switch (e.kind) {
    case "NumberLiteral":
      return "scalar";
    case "StringLiteral":
      return "string";
    case "VectorSelector":
    case "AggregateExpr":
      return "vector";
    case "MatrixSelector":
    case "SubqueryExpr":
      return "matrix";
    case "ParenExpr":
    case "UnaryExpr":
    case "StepInvariantExpr":
      return exprType(e.expr);
    case "BinaryExpr":
      return exprType(e.lhs) === "scalar" && exprType(e.rhs) === "scalar" ? "scalar" : "vector";
    case "Call":
      return getFunction(e.func)?.returnType ?? "vector";
  }
}

/** The names Prometheus uses for types in messages. */
export function documentedType(t: ValueType | "none"): string {
  switch (t) {
    case "vector":
      return "instant vector";
    case "matrix":
      return "range vector";
    default:
      return t;
  }
}

const COMPARISON = new Set(["==", "!=", ">", "<", ">=", "<="]);
const SET = new Set(["and", "or", "unless"]);
const PARAM_SCALAR = new Set(["topk", "bottomk", "quantile", "limitk", "limit_ratio"]);

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

export class TypeChecker {
  readonly errors: PendingError[] = [];
  private readonly query: string;

  constructor(options: { query: string }) {
    this.query = options.query;
  }

  private error(pos: PosRange, message: string): void {
    this.errors.push({ pos, message });
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.check(e);
    if (t !== want) this.error(e.pos, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  }

  /**
   * Checks e and its children; returns e's type. As in Prometheus, this also normalises binary
   * expressions of freshly built trees: set operations become many-to-many and vector matching
   * is dropped when a side is not an instant vector.
   */
  check(e: Expr, bypassEmptyMatcher = false): ValueType {
    const typ = exprType(e);
    switch (e.kind) {
      case "AggregateExpr":
        this.expectType(e.expr, "vector", "aggregation expression");
        if (PARAM_SCALAR.has(e.op) && e.param) this.expectType(e.param, "scalar", "aggregation parameter");
        if (e.op === "count_values" && e.param) this.expectType(e.param, "string", "aggregation parameter");
        break;
      case "BinaryExpr":
        this.binary(e);
        break;
      case "Call":
        this.call(e);
        break;
      case "ParenExpr":
      case "StepInvariantExpr":
        this.check(e.expr);
        break;
      case "UnaryExpr": {
        const t = this.check(e.expr);
        if (t !== "scalar" && t !== "vector") {
          this.error(e.pos, `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(documentedType(t))}`);
        }
        break;
      }
      case "SubqueryExpr": {
        const t = this.check(e.expr);
        if (t !== "vector") this.error(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }
      case "MatrixSelector":
        this.check(e.vector);
        break;
      case "VectorSelector":
        if (e.matchers.length > 0 && e.name !== "" && e.matchers[e.matchers.length - 1].name === "__name__" && e.matchers[e.matchers.length - 1].value === e.name) {
          const outside = e.matchers.slice(0, -1).find((m) => m.name === "__name__");
          if (outside) {
            this.error(e.pos, `metric name must not be set twice: ${JSON.stringify(e.name)} or ${JSON.stringify(outside.value)}`);
          }
          // An explicit metric name is a non-empty matcher.
          break;
        }
        if (!bypassEmptyMatcher && !e.matchers.some((m) => !m.matchesEmpty())) {
          this.error(e.pos, "vector selector must contain at least one non-empty matcher");
        }
        break;
      case "NumberLiteral":
      case "StringLiteral":
        break;
    }
    return typ;
  }

  private opRange(e: BinaryExpr): PosRange {
    let start = e.lhs.pos.end;
    while (isSpace(this.query[start])) start++;
    let end = e.rhs.pos.start - 1;
    while (isSpace(this.query[end])) end--;
    return { start, end };
  }

  private binary(e: BinaryExpr): void {
    const lt = this.check(e.lhs);
    const rt = this.check(e.rhs);
    const m = e.matching;
    if (e.returnBool && !COMPARISON.has(e.op)) this.error(this.opRange(e), "bool modifier can only be used on comparison operators");
    if (COMPARISON.has(e.op) && !e.returnBool && exprType(e.rhs) === "scalar" && exprType(e.lhs) === "scalar") {
      this.error(this.opRange(e), "comparisons between scalars must use BOOL modifier");
    }
    let card = m?.card;
    if (SET.has(e.op) && card === "one-to-one") card = "many-to-many";
    if (m?.on) {
      for (const l of m.matchingLabels) {
        if (m.include.includes(l)) this.error(this.opRange(e), `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
      }
    }
    if (lt !== "scalar" && lt !== "vector") this.error(e.lhs.pos, "binary expression must contain only scalar and instant vector types");
    if (rt !== "scalar" && rt !== "vector") this.error(e.rhs.pos, "binary expression must contain only scalar and instant vector types");
    const hasFill = (vm: VectorMatching | undefined) => vm?.fillValues !== undefined && (vm.fillValues.lhs !== undefined || vm.fillValues.rhs !== undefined);
    if ((lt !== "vector" || rt !== "vector") && m) {
      if (m.matchingLabels.length > 0) this.error(e.pos, "vector matching only allowed between instant vectors");
      if (hasFill(m)) this.error(e.pos, "filling in missing series only allowed between instant vectors");
    } else if (SET.has(e.op)) {
      if (card === "one-to-many" || card === "many-to-one") this.error(e.pos, `no grouping allowed for ${JSON.stringify(e.op)} operation`);
      if (card !== "many-to-many") this.error(e.pos, "set operations must always be many-to-many");
      if (hasFill(m)) this.error(e.pos, "filling in missing series not allowed for set operators");
    }
    if ((lt === "scalar" || rt === "scalar") && SET.has(e.op)) {
      this.error(e.pos, `set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
    }
    const mutable = e as { matching: VectorMatching | undefined };
    if (lt !== "vector" || rt !== "vector") mutable.matching = undefined;
    else if (m && card !== m.card) mutable.matching = { ...m, card: card ?? m.card };
  }

  private call(e: Expr & { kind: "Call" }): void {
    const fn = getFunction(e.func);
    if (!fn) return; // Reported while building.
    const nargs = fn.argTypes.length;
    if (fn.variadic === 0) {
      if (nargs !== e.args.length) this.error(e.pos, `expected ${nargs} argument(s) in call to ${JSON.stringify(fn.name)}, got ${e.args.length}`);
    } else {
      const required = nargs - 1;
      if (required > e.args.length) {
        this.error(e.pos, `expected at least ${required} argument(s) in call to ${JSON.stringify(fn.name)}, got ${e.args.length}`);
      } else if (fn.variadic > 0 && required + fn.variadic < e.args.length) {
        this.error(e.pos, `expected at most ${required + fn.variadic} argument(s) in call to ${JSON.stringify(fn.name)}, got ${e.args.length}`);
      }
    }
    let bypassSecond = false;
    if (fn.name === "info" && e.args.length > 1) {
      const second = e.args[1];
      const t = exprType(second);
      if (t !== "vector") this.error(e.pos, `expected type instant vector in call to function "info", got ${documentedType(t)}`);
      if (second.kind === "VectorSelector" && second.matchers.some((m) => m.name === "__name__") && second.name !== "") {
        this.error(second.pos, "expected label selectors only, got vector selector instead");
      } else if (second.kind === "VectorSelector") {
        bypassSecond = true;
      } else {
        this.error(second.pos, "expected label selectors only");
      }
    }
    for (let i = 0; i < e.args.length; i++) {
      let ti = i;
      if (i >= nargs) {
        if (fn.variadic === 0) break;
        ti = nargs - 1;
      }
      const t = this.check(e.args[i], bypassSecond && i === 1);
      if (t !== fn.argTypes[ti]) {
        this.error(e.args[i].pos, `expected type ${documentedType(fn.argTypes[ti])} in call to function ${JSON.stringify(fn.name)}, got ${documentedType(t)}`);
      }
    }
  }
}
