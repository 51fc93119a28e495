// Entry points of the PromQL parser: the only importer of the generated peggy parser.
import { parse as peggyParse, SyntaxError as PeggySyntaxError } from "#build/grammar/promql.js";
import { DurationError, parseDuration } from "../../model/duration.js";
import type { Matcher } from "../../model/matcher.js";
import { ParseError, type Expr, type PosRange } from "./ast.js";
import { AstBuilder, type ParseOptions, type PendingError } from "./build.js";
import { TypeChecker } from "./check.js";
import { describeSyntaxError } from "./syntax-error.js";

export type { ParseOptions } from "./build.js";

/** Every experimental feature on, as Prometheus' own PromQL test scripts run. */
export const ALL_FEATURES: ParseOptions = {
  experimentalFunctions: true,
  durationExpressions: true,
  extendedRangeSelectors: true,
  binopFillModifiers: true,
};

/**
 * "line:col" of a (UTF-16) position, 1-based, as Prometheus prints it: Prometheus counts columns
 * in bytes, so non-ASCII text before the position counts its UTF-8 length.
 */
export function positionString(query: string, pos: number): string {
  if (query === "") return "unknown position";
  if (pos < 0 || pos > query.length) return "invalid position";
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < pos; i++) {
    if (query[i] === "\n") {
      line++;
      lastBreak = i;
    }
  }
  return `${line}:${new TextEncoder().encode(query.slice(lastBreak + 1, pos)).length + 1}`;
}

function parseError(query: string, pos: PosRange, detail: string): ParseError {
  return new ParseError(`${positionString(query, pos.start)}: parse error: ${detail}`, pos, query, detail);
}

const INT64_MAX = 2n ** 63n - 1n;

/** Thrown for a number token Go's strconv rejects; detail is Prometheus' message. */
export class NumberSyntaxError extends Error {}

/**
 * A number literal as Prometheus reads it: Go's strconv.ParseInt(s, 0, 64) (hex, octal with a
 * leading 0, underscores), then ParseFloat for what does not fit an int64, whose errors
 * (out of range, hex without a p exponent) are parse errors.
 */
export function parseNumber(s: string): number {
  const t = s.replace(/_/g, "");
  const asInt = /^0[xX][0-9a-fA-F]+$/.test(t) ? BigInt(t) : /^0[0-7]*$/.test(t) ? BigInt(t.length > 1 ? "0o" + t.slice(1) : t) : /^[0-9]+$/.test(t) ? BigInt(t) : undefined;
  if (asInt !== undefined && asInt <= INT64_MAX) return Number(asInt);
  const fail = (why: string) => new NumberSyntaxError(`error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(s)}: ${why}`);
  // The lexer never yields a hex float with a p exponent, and Go's ParseFloat needs one.
  if (/^0[xX]/.test(t)) throw fail("invalid syntax");
  const v = Number(t);
  if (!Number.isFinite(v)) throw fail("value out of range");
  return v;
}

function grammarOptions(query: string, startRule: string) {
  // Thrown from inside the grammar's actions, which know where their token starts.
  const at = (offset: number, err: unknown, token: string): never => {
    if (!(err instanceof NumberSyntaxError || err instanceof DurationError)) throw err;
    throw parseError(query, { start: offset, end: offset + token.length }, err.message);
  };
  return {
    startRule,
    parseNumber: (s: string, offset: number) => {
      try {
        return parseNumber(s);
      } catch (err) {
        return at(offset, err, s);
      }
    },
    parseDurationMs: (s: string, offset: number) => {
      try {
        return parseDuration(s);
      } catch (err) {
        return at(offset, err, s);
      }
    },
  };
}

function runGrammar(query: string, startRule: string): unknown {
  try {
    return peggyParse(query, grammarOptions(query, startRule));
  } catch (err) {
    if (err instanceof PeggySyntaxError) {
      const { message, pos } = describeSyntaxError(query, err.location.start.offset);
      throw parseError(query, pos, message);
    }
    throw err;
  }
}

function firstError(query: string, errors: readonly PendingError[]): void {
  if (errors.length > 0) throw parseError(query, errors[0].pos, errors[0].message);
}

/** Parses and type-checks a PromQL expression; throws ParseError with Prometheus' message. */
export function parseExpr(query: string, options: ParseOptions = {}): Expr {
  try {
    return parseChecked(query, options);
  } catch (err) {
    // The generated parser and the checks recurse once per nesting level; a query nested
    // thousands deep exhausts the JS stack, which must be the user's error, not a crash.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw parseError(query, { start: 0, end: query.length }, "expression is nested too deeply");
    }
    throw err;
  }
}

function parseChecked(query: string, options: ParseOptions): Expr {
  const raw = runGrammar(query, "ExpressionStart") as { kind: string };
  if (raw.kind === "Empty") throw parseError(query, { start: 0, end: 0 }, "no expression found in input");
  const builder = new AstBuilder({ parse: options });
  const expr = builder.expr(raw);
  firstError(query, builder.errors);
  const checker = new TypeChecker({ query });
  checker.check(expr);
  firstError(query, checker.errors);
  return expr;
}

/** Parses a series selector (`/api/v1/series` match[], `/federate`): `foo{a="b"}` or `{a="b"}`. */
export function parseMetricSelector(selector: string): Matcher[] {
  const raw = runGrammar(selector, "MetricSelectorStart");
  const builder = new AstBuilder({ parse: {} });
  const vs = builder.expr(raw);
  firstError(selector, builder.errors);
  if (vs.kind !== "VectorSelector") throw parseError(selector, vs.pos, "expected a series selector");
  return [...vs.matchers];
}
