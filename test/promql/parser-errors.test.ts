// Error messages and positions, as Prometheus reports them ("line:col: parse error: ...").
// The expected strings are Prometheus' own output for the same queries; the second suite
// checks them against a running reference Prometheus when one is installed.
import { describe, expect, test } from "vitest";
import { ParseError } from "../../src/promql/parser/ast.js";
import { parseExpr } from "../../src/promql/parser/parse.js";
import { useReferencePrometheus } from "../helpers/process.js";

function errorOf(q: string): ParseError {
  try {
    parseExpr(q);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error(`query ${JSON.stringify(q)} parsed without error`);
}

// Queries whose messages are the same in Prometheus 2.42 and 3.x.
const SHARED: ReadonlyArray<readonly [string, string]> = [
  ["1 +", "1:4: parse error: unexpected end of input"],
  ["foo{", "1:5: parse error: unexpected end of input inside braces"],
  ["rate(foo)", '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
  ["sum(x) offset 5m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
  ["(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"],
  ["1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"],
  ["{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
  ['{a=""}', "1:1: parse error: vector selector must contain at least one non-empty matcher"],
  ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ["foo and 1", '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  ["foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"],
  ["sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"],
  ["-foo[5m]", '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
  ["foo offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times"],
  ["time(1)", '1:1: parse error: expected 0 argument(s) in call to "time", got 1'],
  ["round()", '1:1: parse error: expected at least 1 argument(s) in call to "round", got 0'],
  ["round(foo,1,2)", '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3'],
  ["foo(bar)", '1:1: parse error: unknown function with name "foo"'],
  ["sum()", "1:1: parse error: no arguments for aggregate expression provided"],
  ["topk(foo)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"],
  ['"foo', "1:1: parse error: unterminated quoted string"],
  ["foo @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"],
  ["foo[5m", "1:7: parse error: unclosed left bracket"],
  ["sum(foo", "1:8: parse error: unclosed left parenthesis"],
  ["foo}", "1:4: parse error: unexpected character: '}'"],
  ['foo{a~"b"}', "1:6: parse error: unexpected character inside braces: '~'"],
  ["sum by (a:b) (x)", '1:9: parse error: unexpected metric identifier "a:b" in grouping opts, expected label'],
  ["a + on(b) group_left(b) c", '1:3: parse error: label "b" must not occur in ON and GROUP clause at once'],
  ["foo and on(a) group_left bar", '1:1: parse error: no grouping allowed for "and" operation'],
  ["x[5m:1m][5m]", "1:9: parse error: ranges only allowed for vector selectors"],
  ["foo[0s]", "1:5: parse error: duration must be greater than 0"],
  ['foo{a="b" c="d"}', '1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}"'],
  ["rate(foo[5m],)", "1:13: parse error: trailing commas not allowed in function call args"],
  ["count_values(1, foo)", "1:14: parse error: expected type string in aggregation parameter, got scalar"],
  ["sum by (a) x", '1:12: parse error: unexpected identifier "x" in aggregation'],
  [")", "1:2: parse error: unexpected right parenthesis ')'"],
  ["foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"],
  ["foo ^ on(a) 2", "1:1: parse error: vector matching only allowed between instant vectors"],
  ["foo{a=1}", "1:7: parse error: unexpected character inside braces: '1'"],
  ["foo !~ bar", "1:5: parse error: unexpected character after '!': '~'"],
  ['"\\q"', "1:1: parse error: unknown escape sequence U+0071 'q'"],
  ['label_replace(x, "a")', '1:1: parse error: expected 5 argument(s) in call to "label_replace", got 2'],
  ['topk("a", foo)', "1:6: parse error: expected type scalar in aggregation parameter, got string"],
  ["sum(x)\n  + on(a) group_left(a) y", "2:3: parse error: label \"a\" must not occur in ON and GROUP clause at once"],
  ["foo +\n  bar[5m]", "2:3: parse error: binary expression must contain only scalar and instant vector types"],
  // Columns count bytes, as in Go.
  ['foo{a="\u00e9"} + rate(y)', '1:20: parse error: expected type range vector in call to function "rate", got instant vector'],
  ["", "unknown position: parse error: no expression found in input"],
];

describe("messages and positions", () => {
  test("a query nested deeper than the stack allows is a parse error, not a crash", () => {
    const deep = "(".repeat(20_000) + "1" + ")".repeat(20_000);
    expect(() => parseExpr(deep)).toThrow(ParseError);
    expect(() => parseExpr(deep)).toThrow(/1:1: parse error: expression is nested too deeply/);
    expect(parseExpr("(".repeat(100) + "1" + ")".repeat(100))).toMatchObject({ kind: "ParenExpr" });
  });
  test.each(SHARED)("%s", (q, want) => {
    const err = errorOf(q);
    expect(err.message).toBe(want);
    expect(err.query).toBe(q);
  });

  test("3.x messages", () => {
    expect(errorOf("foo offset").message).toBe("1:11: parse error: unexpected end of input in offset, expected number, duration, step(), or range()");
    expect(errorOf('foo{a=~"("}').detail).toMatch(/^error parsing regexp: missing closing \)/);
  });

  test("experimental features are off by default", () => {
    expect(errorOf("limitk(1, x)").detail).toBe("limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
    expect(errorOf("mad_over_time(x[5m])").detail).toBe('function "mad_over_time" is not enabled');
    expect(errorOf("x[5m+1m]").detail).toBe("experimental duration expression is not enabled");
    expect(errorOf("a + fill(0) b").detail).toBe("binop fill modifiers are experimental and not enabled");
    expect(errorOf("rate(x[5m] anchored)").detail).toBe("anchored modifier is experimental and not enabled");
  });

  test("errors carry the failing range", () => {
    const err = errorOf("sum(foo) + rate(bar)");
    expect(err.pos).toEqual({ start: 16, end: 19 });
    expect(err.detail).toBe('expected type range vector in call to function "rate", got instant vector');
  });
});

describe("against the reference Prometheus", () => {
  const ref = useReferencePrometheus("parser-ref");

  test("reports the same errors", async () => {
    if (!ref.available) return;
    // The empty query is rejected before parsing by the HTTP API.
    for (const [q] of SHARED.filter(([q]) => q !== "")) {
      const res = await fetch(`${ref.base()}/api/v1/query?query=${encodeURIComponent(q)}&time=0`);
      const body = (await res.json()) as { error?: string };
      expect(body.error, q).toBe(`invalid parameter "query": ${errorOf(q).message}`);
    }
  }, 30_000);
});
