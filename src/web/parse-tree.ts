// /api/v1/parse_query: the syntax tree as JSON, in the node shapes Prometheus' UI expects.
import type { AtModifier, Expr, VectorSelector } from "../promql/parser/ast.js";
import type { Matcher } from "../model/matcher.js";
import { formatSampleValue } from "./format.js";

type Tree = Record<string, unknown> | null;

function at(m: AtModifier | undefined): { timestamp: number | null; startOrEnd: string | null } {
  if (m === undefined) return { timestamp: null, startOrEnd: null };
  return m.kind === "time" ? { timestamp: m.ms, startOrEnd: null } : { timestamp: null, startOrEnd: m.kind };
}

function matchers(ms: readonly Matcher[]): { type: string; name: string; value: string }[] {
  return ms.map((m) => ({ type: m.type, name: m.name, value: m.value }));
}

function selector(v: VectorSelector): Record<string, unknown> {
  return { name: v.name, offset: v.offsetMs, matchers: matchers(v.matchers), ...at(v.at) };
}

export function expressionTree(e: Expr | undefined): Tree {
  if (e === undefined) return null;
  switch (e.kind) {
    case "AggregateExpr":
      return { type: "aggregation", op: e.op, expr: expressionTree(e.expr), param: expressionTree(e.param), grouping: e.grouping, without: e.without };
    case "BinaryExpr":
      return {
        type: "binaryExpr",
        op: e.op,
        lhs: expressionTree(e.lhs),
        rhs: expressionTree(e.rhs),
        matching: e.matching === undefined ? null : { card: e.matching.card, labels: e.matching.matchingLabels, on: e.matching.on, include: e.matching.include },
        bool: e.returnBool,
      };
    case "Call":
      return { type: "call", func: { name: e.func }, args: e.args.map(expressionTree) };
    case "MatrixSelector":
      return { type: "matrixSelector", range: e.rangeMs, ...selector(e.vector) };
    case "SubqueryExpr":
      return { type: "subquery", expr: expressionTree(e.expr), range: e.rangeMs, offset: e.offsetMs, step: e.stepMs, ...at(e.at) };
    case "NumberLiteral":
      return { type: "numberLiteral", val: formatSampleValue(e.value) };
    case "StringLiteral":
      return { type: "stringLiteral", val: e.value };
    case "ParenExpr":
      return { type: "parenExpr", expr: expressionTree(e.expr) };
    case "UnaryExpr":
      return { type: "unaryExpr", op: e.op, expr: expressionTree(e.expr) };
    case "VectorSelector":
      return { type: "vectorSelector", ...selector(e) };
    case "StepInvariantExpr":
      return expressionTree(e.expr);
  }
}
