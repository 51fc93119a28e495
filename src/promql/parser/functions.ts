// The PromQL function table: argument types, how many extra arguments the last type accepts,
// return type and whether the function needs --enable-feature=promql-experimental-functions.
import type { ValueType } from "./ast.js";

export interface FunctionDef {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /** See the note below the interface. */
  readonly variadic: number;
  readonly returnType: ValueType;
  readonly experimental: boolean;
}

// variadic follows Prometheus: with variadic != 0, the last listed argument is optional and may
// be given up to `variadic` times (unbounded for -1), so argTypes.length - 1 arguments are required.

const V: ValueType = "vector";
const M: ValueType = "matrix";
const S: ValueType = "scalar";
const STR: ValueType = "string";

function def(name: string, argTypes: ValueType[], returnType: ValueType, variadic = 0, experimental = false): FunctionDef {
  return { name, argTypes, variadic, returnType, experimental };
}

const vectorMath = [
  "abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "deg", "exp", "floor",
  "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev", "histogram_stdvar", "ln", "log10",
  "log2", "rad", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt", "tan", "tanh", "timestamp",
];
const overTime = [
  "absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv", "idelta", "increase", "irate",
  "last_over_time", "max_over_time", "min_over_time", "present_over_time", "rate", "resets", "stddev_over_time",
  "stdvar_over_time", "sum_over_time",
];
const experimentalOverTime = [
  "first_over_time", "mad_over_time", "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time",
  "ts_of_min_over_time",
];
const dateParts = ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"];

const defs: FunctionDef[] = [
  ...vectorMath.map((n) => def(n, [V], V)),
  ...overTime.map((n) => def(n, [M], V)),
  ...experimentalOverTime.map((n) => def(n, [M], V, 0, true)),
  ...dateParts.map((n) => def(n, [V], V, 1)),
  def("clamp", [V, S, S], V),
  def("clamp_max", [V, S], V),
  def("clamp_min", [V, S], V),
  def("double_exponential_smoothing", [M, S, S], V, 0, true),
  def("end", [], S, 0, true),
  def("histogram_fraction", [S, S, V], V),
  def("histogram_quantile", [S, V], V),
  def("histogram_quantiles", [V, STR, S, S], V, 9, true),
  def("info", [V, V], V, 1, true),
  def("integral", [M, S], V, 1, true),
  def("label_join", [V, STR, STR, STR], V, -1),
  def("label_replace", [V, STR, STR, STR, STR], V),
  def("max_of", [S, S], S, 0, true),
  def("min_of", [S, S], S, 0, true),
  def("pi", [], S),
  def("predict_linear", [M, S], V),
  def("quantile_over_time", [S, M], V),
  def("range", [], S, 0, true),
  def("round", [V, S], V, 1),
  def("scalar", [V], S),
  def("sort_by_label", [V, STR], V, -1, true),
  def("sort_by_label_desc", [V, STR], V, -1, true),
  def("start", [], S, 0, true),
  def("start_timestamp", [V], V, 0, true),
  def("step", [], S, 0, true),
  def("time", [], S),
  def("vector", [S], V),
];

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(defs.map((d) => [d.name, d]));

export function getFunction(name: string): FunctionDef | undefined {
  return FUNCTIONS.get(name);
}
