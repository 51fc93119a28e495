// The one place that decides which upstream cases are skipped, and why. Every reason is a
// feature promwasm does not implement; the runner counts skips per reason.
import type { Labels } from "../../src/model/labels.js";
import type { Expr, VectorSelector } from "../../src/promql/parser/ast.js";
import type { Command, EvalCase } from "./promqltest.js";

export const SKIP_REASONS = {
  native: "native histograms: not supported (float samples only)",
  // Needs a start timestamp stored with every sample (Prometheus 3's ST storage with XOR2 chunks);
  // promwasm keeps Prometheus 2's v2 block/WAL format, which has no place for one.
  startTimestamps: "start timestamps (@st load lines): need per-sample start timestamps, which the v2 storage format cannot hold",
} as const;

const NATIVE_ONLY_FUNCTIONS = new Set(["histogram_quantiles"]);

export interface LoadFlags {
  /** Label sets of series that hold native histograms (loaded with {{...}} or by load_with_nhcb). */
  nativeSeries?: Labels[];
  startTimestamps: boolean;
}

export function skipReasonForLoad(cmd: Extract<Command, { kind: "load" }>, flags: LoadFlags): void {
  flags.nativeSeries ??= [];
  if (cmd.startTimestamps) flags.startTimestamps = true;
  for (const s of cmd.series) {
    if (s.histogram) flags.nativeSeries.push(s.labels);
    if (cmd.nhcb) {
      const name = s.labels.find((l) => l.name === "__name__")?.value ?? "";
      if (name.endsWith("_bucket")) {
        const base = name.slice(0, -"_bucket".length);
        flags.nativeSeries.push(s.labels.filter((l) => l.name !== "le").map((l) => (l.name === "__name__" ? { name: l.name, value: base } : l)));
      }
    }
  }
}

function selectors(e: Expr, out: VectorSelector[]): void {
  switch (e.kind) {
    case "VectorSelector":
      out.push(e);
      return;
    case "MatrixSelector":
      out.push(e.vector);
      return;
    case "NumberLiteral":
    case "StringLiteral":
      return;
    case "BinaryExpr":
      selectors(e.lhs, out);
      selectors(e.rhs, out);
      return;
    case "AggregateExpr":
      selectors(e.expr, out);
      if (e.param) selectors(e.param, out);
      return;
    case "Call":
      for (const a of e.args) selectors(a, out);
      return;
    default:
      selectors(e.expr, out);
  }
}

function walk(e: Expr, visit: (e: Expr) => string | undefined): string | undefined {
  const r = visit(e);
  if (r) return r;
  switch (e.kind) {
    case "VectorSelector":
    case "NumberLiteral":
    case "StringLiteral":
      return undefined;
    case "MatrixSelector":
      return walk(e.vector, visit);
    case "BinaryExpr":
      return walk(e.lhs, visit) ?? walk(e.rhs, visit);
    case "AggregateExpr":
      return walk(e.expr, visit) ?? (e.param ? walk(e.param, visit) : undefined);
    case "Call":
      for (const a of e.args) {
        const x = walk(a, visit);
        if (x) return x;
      }
      return undefined;
    default:
      return walk(e.expr, visit);
  }
}

function labelValue(labels: Labels, name: string): string {
  return labels.find((l) => l.name === name)?.value ?? "";
}

export function skipReasonForCase(c: EvalCase, expr: Expr | undefined, flags: LoadFlags): string | undefined {
  if (c.series.some((s) => s.histogram)) return SKIP_REASONS.native;
  if (flags.startTimestamps) return SKIP_REASONS.startTimestamps;
  if (!expr) return undefined;
  const feature = walk(expr, (e) => {
    if (e.kind === "BinaryExpr" && (e.op === "</" || e.op === ">/")) return SKIP_REASONS.native;
    if (e.kind === "Call" && NATIVE_ONLY_FUNCTIONS.has(e.func)) return SKIP_REASONS.native;
    return undefined;
  });
  if (feature) return feature;
  const sels: VectorSelector[] = [];
  selectors(expr, sels);
  for (const native of flags.nativeSeries ?? []) {
    if (sels.some((vs) => vs.matchers.every((m) => m.matches(labelValue(native, m.name))))) return SKIP_REASONS.native;
  }
  return undefined;
}
