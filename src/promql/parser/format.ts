// Canonical PromQL text of an AST, as Prometheus' String() prints it (/api/v1/format_query).
import { formatDuration } from "../../model/duration.js";
import type { Matcher } from "../../model/matcher.js";
import type { AtModifier, BinaryExpr, DurationExpr, Expr, VectorMatching, VectorSelector } from "./ast.js";
import { formatFloatF, quoteGo } from "../../model/go-format.js";

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// Words that cannot stand as a bare metric name.
const RESERVED_NAMES = new Set(["atan2", "on", "ignoring", "group_left", "group_right", "bool", "inf", "nan"]);

/** Go's %v of a float64 (the 'g' shortest form), used for fill values. */
function goFloatV(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const s = String(v);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}${m[3].padStart(2, "0")}`;
  // Go switches to an exponent from 1e21 up, as JS does, and below 1e-4, where JS waits for 1e-7.
  if (v !== 0 && Math.abs(v) < 1e-4) {
    const [mant, e] = v.toExponential().split("e");
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return s;
}

function labelName(name: string): string {
  return LEGACY_LABEL.test(name) ? name : quoteGo(name);
}

function labelList(names: readonly string[]): string {
  return names.map(labelName).join(", ");
}

function matcherString(m: Matcher): string {
  return `${labelName(m.name)}${m.type}${quoteGo(m.value)}`;
}

function durationMs(ms: number): string {
  return ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms);
}

export function formatDurationExpr(e: DurationExpr): string {
  switch (e.kind) {
    case "DurationLiteral":
      return e.duration ? durationMs(Math.round(e.seconds * 1000)) : formatFloatF(e.seconds);
    case "DurationParen":
      return `(${formatDurationExpr(e.expr)})`;
    case "DurationUnary":
      return e.op === "-" ? `-${formatDurationExpr(e.expr)}` : formatDurationExpr(e.expr);
    case "DurationBinary":
      return `${formatDurationExpr(e.lhs)} ${e.op} ${formatDurationExpr(e.rhs)}`;
    case "DurationCall":
      return `${e.func}(${e.args.map(formatDurationExpr).join(", ")})`;
  }
}

function atString(at: AtModifier | undefined): string {
  if (!at) return "";
  if (at.kind === "start") return " @ start()";
  if (at.kind === "end") return " @ end()";
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

function offsetString(offsetMs: number, offsetExpr: DurationExpr | undefined): string {
  if (offsetExpr) return ` offset ${formatDurationExpr(offsetExpr)}`;
  if (offsetMs === 0) return "";
  return ` offset ${durationMs(offsetMs)}`;
}

function extendedString(vs: VectorSelector): string {
  if (vs.anchored) return " anchored";
  if (vs.smoothed) return " smoothed";
  return "";
}

/** The selector without its modifiers. */
function selectorBase(vs: VectorSelector): string {
  const printName = vs.name !== "" && LEGACY_METRIC.test(vs.name) && !RESERVED_NAMES.has(vs.name.toLowerCase());
  const rest: string[] = [];
  let skippedName = false;
  for (const m of vs.matchers) {
    if (!skippedName && vs.name !== "" && m.name === "__name__" && m.type === "=" && m.value === vs.name) {
      skippedName = true;
      continue;
    }
    rest.push(matcherString(m));
  }
  rest.sort();
  if (printName) return rest.length > 0 ? `${vs.name}{${rest.join(",")}}` : vs.name;
  // A name that is not a legacy metric name goes into the braces, quoted, first.
  const inner = vs.name !== "" ? [quoteGo(vs.name), ...rest] : rest;
  return `{${inner.join(",")}}`;
}

function matchingString(e: BinaryExpr): string {
  const vm: VectorMatching | undefined = e.matching;
  if (!vm) return "";
  let out = "";
  const grouped = vm.card === "many-to-one" || vm.card === "one-to-many";
  if (vm.matchingLabels.length > 0 || vm.on || grouped) {
    out += ` ${vm.on ? "on" : "ignoring"} (${labelList(vm.matchingLabels)})`;
  }
  if (grouped) out += ` group_${vm.card === "many-to-one" ? "left" : "right"} (${labelList(vm.include)})`;
  const fill = vm.fillValues;
  if (fill && (fill.lhs !== undefined || fill.rhs !== undefined)) {
    if (fill.lhs !== undefined && Object.is(fill.lhs, fill.rhs)) {
      out += ` fill (${goFloatV(fill.lhs)})`;
    } else {
      if (fill.lhs !== undefined) out += ` fill_left (${goFloatV(fill.lhs)})`;
      if (fill.rhs !== undefined) out += ` fill_right (${goFloatV(fill.rhs)})`;
    }
  }
  return out;
}

/** Prints an expression the way Prometheus' String() does. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case "NumberLiteral":
      return e.duration ? durationMs(Math.round(e.value * 1000)) : formatFloatF(e.value);
    case "StringLiteral":
      return quoteGo(e.value);
    case "VectorSelector":
      return selectorBase(e) + atString(e.at) + extendedString(e) + offsetString(e.offsetMs, e.offsetExpr);
    case "MatrixSelector": {
      const range = e.rangeExpr ? formatDurationExpr(e.rangeExpr) : formatDuration(e.rangeMs);
      const vs = e.vector;
      return `${selectorBase(vs)}[${range}]${extendedString(vs)}${atString(vs.at)}${offsetString(vs.offsetMs, vs.offsetExpr)}`;
    }
    case "SubqueryExpr": {
      const range = e.rangeExpr ? formatDurationExpr(e.rangeExpr) : formatDuration(e.rangeMs);
      const step = e.stepExpr ? formatDurationExpr(e.stepExpr) : e.stepMs !== 0 ? formatDuration(e.stepMs) : "";
      return `${formatExpr(e.expr)}[${range}:${step}]${atString(e.at)}${offsetString(e.offsetMs, e.offsetExpr)}`;
    }
    case "ParenExpr":
      return `(${formatExpr(e.expr)})`;
    case "UnaryExpr":
      return `${e.op}${formatExpr(e.expr)}`;
    case "BinaryExpr":
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? " bool" : ""}${matchingString(e)} ${formatExpr(e.rhs)}`;
    case "AggregateExpr": {
      let head: string = e.op;
      if (e.without) head += ` without (${labelList(e.grouping)}) `;
      else if (e.grouping.length > 0) head += ` by (${labelList(e.grouping)}) `;
      const param = e.param ? `${formatExpr(e.param)}, ` : "";
      return `${head}(${param}${formatExpr(e.expr)})`;
    }
    case "Call":
      return `${e.func}(${e.args.map(formatExpr).join(", ")})`;
    case "StepInvariantExpr":
      return formatExpr(e.expr);
  }
}
