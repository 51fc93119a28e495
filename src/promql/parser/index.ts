export * from "./ast.js";
export { ALL_FEATURES, parseExpr, parseMetricSelector, parseNumber, positionString, type ParseOptions } from "./parse.js";
export { formatDurationExpr, formatExpr } from "./format.js";
export { FUNCTIONS, getFunction, type FunctionDef } from "./functions.js";
export { documentedType, exprType } from "./check.js";
export { constantDurationMs, evalDurationExpr, usesQueryParams, DurationExprError, type DurationContext } from "./duration-expr.js";
