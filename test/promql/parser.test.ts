// Parser behaviour pinned to Prometheus' documented semantics (docs/querying/*.md) and to what
// Prometheus' own parser produces for the same input.
import { describe, expect, test } from "vitest";
import type { Expr, VectorSelector } from "../../src/promql/parser/ast.js";
import { evalDurationExpr } from "../../src/promql/parser/duration-expr.js";
import { ALL_FEATURES, parseExpr, parseMetricSelector } from "../../src/promql/parser/parse.js";

/** A compact shape of the tree: operators and leaves, independent of the formatter. */
function shape(e: Expr): string {
  switch (e.kind) {
    case "NumberLiteral":
      return String(e.value);
    case "StringLiteral":
      return JSON.stringify(e.value);
    case "VectorSelector":
      return e.name || "{}";
    case "MatrixSelector":
      return `${shape(e.vector)}[${e.rangeMs}]`;
    case "SubqueryExpr":
      return `${shape(e.expr)}[${e.rangeMs}:${e.stepMs}]`;
    case "ParenExpr":
      return `(${shape(e.expr)})`;
    case "UnaryExpr":
      return `(${e.op} ${shape(e.expr)})`;
    case "BinaryExpr":
      return `(${e.op} ${shape(e.lhs)} ${shape(e.rhs)})`;
    case "AggregateExpr":
      return `(${e.op} ${e.param ? `${shape(e.param)} ` : ""}${shape(e.expr)})`;
    case "Call":
      return `(${e.func}${e.args.map((a) => ` ${shape(a)}`).join("")})`;
    case "StepInvariantExpr":
      return shape(e.expr);
  }
}

function matchers(vs: Expr): string[] {
  expect(vs.kind).toBe("VectorSelector");
  return (vs as VectorSelector).matchers.map((m) => `${m.name}${m.type}${m.value}`);
}

describe("precedence and associativity", () => {
  test.each([
    ["a + b * c", "(+ a (* b c))"],
    ["a * b + c", "(+ (* a b) c)"],
    ["a - b - c", "(- (- a b) c)"],
    ["a / b * c", "(* (/ a b) c)"],
    ["2 ^ 3 ^ 2", "(^ 2 (^ 3 2))"],
    ["-2 ^ 2", "(- (^ 2 2))"],
    ["2 ^ -1", "(^ 2 -1)"],
    ["-a * b", "(* (- a) b)"],
    ["a * -b", "(* a (- b))"],
    ["a or b and c", "(or a (and b c))"],
    ["a unless b or c", "(or (unless a b) c)"],
    ["a and b unless c", "(unless (and a b) c)"],
    ["a == b + c", "(== a (+ b c))"],
    ["a > b or c < d", "(or (> a b) (< c d))"],
    ["a atan2 b + c", "(+ (atan2 a b) c)"],
    ["a % b ^ c", "(% a (^ b c))"],
    ["(a + b) * c", "(* ((+ a b)) c)"],
    ["1 + -2 * 3", "(+ 1 (* -2 3))"],
    ["h </ 2 + 1", "(</ h (+ 2 1))"],
  ])("%s", (q, want) => {
    expect(shape(parseExpr(q))).toBe(want);
  });

  test("keywords are case-insensitive", () => {
    expect(shape(parseExpr("SUM BY (a) (x) AND ON (b) y"))).toBe("(and (sum x) y)");
  });

  test("offset and ranges bind tighter than any operator", () => {
    const e = parseExpr("a + b offset 5m");
    expect(e.kind).toBe("BinaryExpr");
    if (e.kind !== "BinaryExpr") return;
    expect(e.lhs).toMatchObject({ kind: "VectorSelector", offsetMs: 0 });
    expect(e.rhs).toMatchObject({ kind: "VectorSelector", name: "b", offsetMs: 300_000 });
    expect(parseExpr("-foo offset 1m")).toMatchObject({ kind: "UnaryExpr", expr: { kind: "VectorSelector", offsetMs: 60_000 } });
  });
});

describe("literals", () => {
  test.each([
    ["1", 1],
    ["-1.5", -1.5],
    ["+5", 5],
    [".5", 0.5],
    ["5.", 5],
    ["1e3", 1000],
    ["1.5E-2", 0.015],
    ["0x1F", 31],
    ["0X_ff", 255],
    ["017", 15],
    ["1_000_000", 1_000_000],
    ["Inf", Infinity],
    ["-inf", -Infinity],
    ["+INF", Infinity],
    ["1h30m", 5400],
    ["5m", 300],
    ["100ms", 0.1],
  ])("number %s", (q, want) => {
    expect(parseExpr(q)).toMatchObject({ kind: "NumberLiteral", value: want });
  });

  test("NaN in any case", () => {
    for (const q of ["NaN", "nan", "nAn"]) {
      const e = parseExpr(q);
      expect(e.kind === "NumberLiteral" && Number.isNaN(e.value)).toBe(true);
    }
  });

  test.each([
    [`"a\\nb"`, "a\nb"],
    [`'it\\'s'`, "it's"],
    [`"say \\"hi\\""`, 'say "hi"'],
    ["`raw\\n`", "raw\\n"],
    [`"\\x41\\101\\u00e9\\U0001F600"`, "AA\u00e9\u{1F600}"],
    [`"\\xc3\\xa9"`, "\u00e9"],
    [`"\\a\\b\\f\\r\\t\\v\\\\"`, "\x07\b\f\r\t\v\\"],
  ])("string %s", (q, want) => {
    expect(parseExpr(q)).toMatchObject({ kind: "StringLiteral", value: want });
  });

  test("invalid UTF-8 from byte escapes stays distinguishable", () => {
    const e = parseExpr(`"a\\xc5z"`);
    expect(e.kind).toBe("StringLiteral");
    if (e.kind === "StringLiteral") expect(e.value.isWellFormed()).toBe(false);
  });
});

describe("selectors", () => {
  test("all matcher types, name appended last", () => {
    const e = parseExpr(`foo{a="b", c!="d", e=~"f.*", g!~"h",}`);
    expect(matchers(e)).toEqual(["a=b", "c!=d", "e=~f.*", "g!~h", "__name__=foo"]);
    expect(e).toMatchObject({ name: "foo", offsetMs: 0, at: undefined });
  });

  test("quoted UTF-8 metric and label names", () => {
    const e = parseExpr(`{"my.metric", "a.b"="c"}`);
    expect(matchers(e)).toEqual(["__name__=my.metric", "a.b=c"]);
    expect(e).toMatchObject({ name: "my.metric" });
  });

  test("keywords as label names and metric names", () => {
    expect(matchers(parseExpr(`foo{on="x", by="y", offset="z"}`))).toEqual(["on=x", "by=y", "offset=z", "__name__=foo"]);
    for (const name of ["sum", "by", "offset", "start", "and"]) {
      expect(parseExpr(name)).toMatchObject({ kind: "VectorSelector", name });
    }
    expect(shape(parseExpr("fill + fill"))).toBe("(+ fill fill)");
  });

  test("metric names with colons, comments and line breaks", () => {
    expect(parseExpr("job:rate5m:sum # a comment\n")).toMatchObject({ kind: "VectorSelector", name: "job:rate5m:sum" });
    expect(shape(parseExpr("sum(\n  rate(x[5m]) # inner\n)"))).toBe("(sum (rate x[300000]))");
  });

  test("ranges, offsets and @", () => {
    expect(parseExpr("foo[5m]")).toMatchObject({ kind: "MatrixSelector", rangeMs: 300_000 });
    expect(parseExpr("foo[90]")).toMatchObject({ kind: "MatrixSelector", rangeMs: 90_000 });
    expect(parseExpr("foo offset -5m")).toMatchObject({ offsetMs: -300_000 });
    expect(parseExpr("foo offset 1.5")).toMatchObject({ offsetMs: 1500 });
    expect(parseExpr("foo[1h] offset 1d")).toMatchObject({ kind: "MatrixSelector", rangeMs: 3_600_000, vector: { offsetMs: 86_400_000 } });
    expect(parseExpr("foo @ 1609746000")).toMatchObject({ at: { kind: "time", ms: 1_609_746_000_000 } });
    expect(parseExpr("foo @ -5.5")).toMatchObject({ at: { kind: "time", ms: -5500 } });
    expect(parseExpr("foo @ start()")).toMatchObject({ at: { kind: "start" } });
    expect(parseExpr("foo[5m] @ end() offset 1m")).toMatchObject({ vector: { at: { kind: "end" }, offsetMs: 60_000 } });
    expect(parseExpr("foo offset 1m @ 10")).toMatchObject({ offsetMs: 60_000, at: { kind: "time", ms: 10_000 } });
  });

  test("subqueries", () => {
    const e = parseExpr("rate(x[5m])[30m:1m] offset 1h");
    expect(e).toMatchObject({ kind: "SubqueryExpr", rangeMs: 1_800_000, stepMs: 60_000, offsetMs: 3_600_000, expr: { kind: "Call", func: "rate" } });
    expect(parseExpr("x[1h:]")).toMatchObject({ kind: "SubqueryExpr", rangeMs: 3_600_000, stepMs: 0 });
    expect(parseExpr("max_over_time((a - b)[10m:30s] @ start())")).toMatchObject({ args: [{ kind: "SubqueryExpr", at: { kind: "start" } }] });
  });

  test("parseMetricSelector", () => {
    expect(parseMetricSelector(`up{job="x"}`).map((m) => `${m.name}${m.type}${m.value}`)).toEqual(["job=x", "__name__=up"]);
    expect(parseMetricSelector(`{__name__=~"a|b"}`).map((m) => m.type)).toEqual(["=~"]);
    expect(() => parseMetricSelector("up + 1")).toThrow(/parse error/);
  });
});

describe("aggregations, calls and binary modifiers", () => {
  test("grouping before or after the arguments", () => {
    for (const q of ["sum by (a, b) (x)", "sum(x) by (a, b)", "sum by (a, b,) (x)"]) {
      expect(parseExpr(q)).toMatchObject({ kind: "AggregateExpr", op: "sum", grouping: ["a", "b"], without: false });
    }
    expect(parseExpr("avg without (instance) (x)")).toMatchObject({ op: "avg", grouping: ["instance"], without: true });
    expect(parseExpr(`sum by ("a.b") (x)`)).toMatchObject({ grouping: ["a.b"] });
  });

  test("parameterised aggregations", () => {
    expect(parseExpr("topk by (a) (3, x)")).toMatchObject({ op: "topk", param: { value: 3 }, grouping: ["a"] });
    expect(parseExpr(`count_values("v", x)`)).toMatchObject({ op: "count_values", param: { kind: "StringLiteral", value: "v" } });
    expect(parseExpr("quantile(0.9, x)")).toMatchObject({ op: "quantile", param: { value: 0.9 } });
    expect(parseExpr("limitk(2, x)", ALL_FEATURES)).toMatchObject({ op: "limitk" });
  });

  test("variadic calls", () => {
    expect(parseExpr(`label_join(x, "d", ",", "a", "b", "c")`)).toMatchObject({ kind: "Call", func: "label_join" });
    expect(parseExpr("round(x)")).toMatchObject({ func: "round" });
    expect(parseExpr("round(x, 5)")).toMatchObject({ func: "round" });
    expect(parseExpr("time()")).toMatchObject({ kind: "Call", func: "time", args: [] });
  });

  test("vector matching", () => {
    expect(parseExpr("a + on(b, c) group_left(d) e")).toMatchObject({
      matching: { card: "many-to-one", on: true, matchingLabels: ["b", "c"], include: ["d"] },
    });
    expect(parseExpr("a / ignoring(b) group_right e")).toMatchObject({
      matching: { card: "one-to-many", on: false, matchingLabels: ["b"], include: [] },
    });
    expect(parseExpr("a > bool b")).toMatchObject({ returnBool: true, matching: { card: "one-to-one" } });
    expect(parseExpr("1 == bool 2")).toMatchObject({ returnBool: true, matching: undefined });
    expect(parseExpr("a and b")).toMatchObject({ matching: { card: "many-to-many" } });
    expect(parseExpr("a * 2")).toMatchObject({ matching: undefined });
  });

  test("fill modifiers (experimental)", () => {
    expect(parseExpr("a + fill(0) b", ALL_FEATURES)).toMatchObject({ matching: { fillValues: { lhs: 0, rhs: 0 } } });
    expect(parseExpr("a + on(x) fill_left(5) fill_right(-Inf) b", ALL_FEATURES)).toMatchObject({
      matching: { on: true, fillValues: { lhs: 5, rhs: -Infinity } },
    });
  });

  test("duration expressions (experimental)", () => {
    expect(parseExpr("foo[5m+30s]", ALL_FEATURES)).toMatchObject({ rangeMs: 330_000, rangeExpr: { kind: "DurationBinary", op: "+" } });
    expect(parseExpr("foo offset (2 * 3)", ALL_FEATURES)).toMatchObject({ offsetMs: 6000 });
    // A bare literal after offset binds tighter than the operator that follows.
    expect(shape(parseExpr("foo offset 100 + 2", ALL_FEATURES))).toBe("(+ foo 2)");
    const e = parseExpr("foo[step() * 2]", ALL_FEATURES);
    expect(e.kind).toBe("MatrixSelector");
    if (e.kind === "MatrixSelector" && e.rangeExpr) {
      expect(evalDurationExpr(e.rangeExpr, { stepMs: 15_000, rangeMs: 0 })).toBe(30_000);
    } else {
      expect.unreachable("range expression expected");
    }
    expect(parseExpr("foo offset max_of(range(), 1m)", ALL_FEATURES)).toMatchObject({ offsetExpr: { kind: "DurationCall", func: "max_of" } });
  });

  test("anchored and smoothed (experimental)", () => {
    expect(parseExpr("increase(foo[1m] anchored)", ALL_FEATURES)).toMatchObject({ args: [{ vector: { anchored: true } }] });
    expect(parseExpr("rate(foo[1m] smoothed)", ALL_FEATURES)).toMatchObject({ args: [{ vector: { smoothed: true } }] });
  });
});
