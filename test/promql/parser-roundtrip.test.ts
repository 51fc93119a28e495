// formatExpr against Prometheus' String() output, and the round-trip property over every query
// in the upstream PromQL test scripts: parse, format, re-parse gives the same tree.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Expr } from "../../src/promql/parser/ast.js";
import { formatExpr } from "../../src/promql/parser/format.js";
import { ALL_FEATURES, parseExpr } from "../../src/promql/parser/parse.js";
import { useReferencePrometheus } from "../helpers/process.js";
import { UPSTREAM_DIR, upstreamFiles } from "./promqltest.js";

interface ScriptQuery {
  readonly file: string;
  readonly line: number;
  readonly query: string;
  /** eval_fail, or an `expect fail` line below the eval. */
  readonly expectFail: boolean;
}

/** The queries of `eval* instant at <t> <q>` and `eval* range from <a> to <b> step <s> <q>` lines. */
function upstreamQueries(): ScriptQuery[] {
  const out: ScriptQuery[] = [];
  for (const file of upstreamFiles()) {
    const lines = readFileSync(join(UPSTREAM_DIR, file), "utf8").split("\n");
    lines.forEach((text, i) => {
      const m = /^\s*(eval\w*)\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$/.exec(text);
      if (!m) return;
      let expectFail = m[1] === "eval_fail";
      for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]); j++) {
        if (/^\s*expect\s+fail/.test(lines[j])) expectFail = true;
      }
      out.push({ file, line: i + 1, query: m[2].trim(), expectFail });
    });
  }
  return out;
}

/** The tree without positions, with matchers in a fixed order (their order carries no meaning). */
function normalise(e: Expr): unknown {
  return JSON.parse(
    JSON.stringify(e, (key, value: unknown) => {
      if (key === "pos" || key === "re" || key === "hasGrouping") return undefined;
      if (key === "matchers" && Array.isArray(value)) {
        return value.map((m: { type: string; name: string; value: string }) => `${m.name}${m.type}${JSON.stringify(m.value)}`).sort();
      }
      if (typeof value === "number" && !Number.isFinite(value)) return String(value);
      return value;
    }),
  );
}

describe("formatExpr", () => {
  test.each([
    ["sum by(code) (task:errors:rate10s{job=\"s\"})", 'sum by (code) (task:errors:rate10s{job="s"})'],
    ["sum(x) without(instance)", "sum without (instance) (x)"],
    ["sum by() (x)", "sum(x)"],
    ['topk(5, x{b="c", a="d"})', 'topk(5, x{a="d",b="c"})'],
    ['count_values("value", x)', 'count_values("value", x)'],
    ["a - on(b) c", "a - on (b) c"],
    ["a - on(b) group_right(c) d", "a - on (b) group_right (c) d"],
    ["a - ignoring(b) group_left d", "a - ignoring (b) group_left () d"],
    ["a - ignoring() c", "a - c"],
    ["up > bool 0", "up > bool 0"],
    ["a and on() b", "a and on () b"],
    ["a offset 1m", "a offset 1m"],
    ["a offset -7m", "a offset -7m"],
    ["a offset 90", "a offset 1m30s"],
    ['a{c="d"}[5m] offset 1m', 'a{c="d"}[5m] offset 1m'],
    ["a[1h30m]", "a[1h30m]"],
    ["a @ 10", "a @ 10.000"],
    ["a[1m] @ start() offset 1m", "a[1m] @ start() offset 1m"],
    ["a @ end()", "a @ end()"],
    ["rate(a[5m])[1h:1m] @ 100 offset 1d", "rate(a[5m])[1h:1m] @ 100.000 offset 1d"],
    ["a[1h:]", "a[1h:]"],
    ['{__name__="a"}', '{__name__="a"}'],
    ['{"my.metric", "a.b"="c"}', '{"my.metric","a.b"="c"}'],
    ["-a", "-a"],
    ["-(1 + 2)", "-(1 + 2)"],
    ["- 1", "-1"],
    ["1 + 2 * 3", "1 + 2 * 3"],
    ["2 ^ 3 ^ 2", "2 ^ 3 ^ 2"],
    ['"a\\nb"', '"a\\nb"'],
    ["'single'", '"single"'],
    ["`raw\\d`", '"raw\\\\d"'],
    ["Inf", "+Inf"],
    ["-Inf", "-Inf"],
    ["NaN", "NaN"],
    ["1e21", "1000000000000000000000"],
    ["1e-7", "0.0000001"],
    ["0x10", "16"],
    ["1h30m", "1h30m"],
    ["-5m", "-5m"],
    ["label_join(x, \"d\", \",\", \"a\")", 'label_join(x, "d", ",", "a")'],
    ["a + fill(0) b", "a + fill (0) b"],
    ["a + on(x) fill_left(1) fill_right(NaN) b", "a + on (x) fill_left (1) fill_right (NaN) b"],
    ["x[5m+30s]", "x[5m + 30s]"],
    ["x offset (step() * 2)", "x offset (step() * 2)"],
    ["rate(x[1m] anchored)", "rate(x[1m] anchored)"],
    ["h </ 2", "h </ 2"],
  ])("%s", (q, want) => {
    expect(formatExpr(parseExpr(q, ALL_FEATURES))).toBe(want);
  });
});

describe("upstream test scripts", () => {
  const queries = upstreamQueries();

  test("every query expected to work parses, and format/re-parse gives the same tree", () => {
    expect(queries.length).toBeGreaterThan(2000);
    const failures: string[] = [];
    let parsed = 0;
    let failRejected = 0;
    for (const q of queries) {
      let expr: Expr;
      try {
        expr = parseExpr(q.query, ALL_FEATURES);
      } catch (err) {
        if (q.expectFail) failRejected++;
        else failures.push(`${q.file}:${q.line}: ${q.query}: ${(err as Error).message}`);
        continue;
      }
      parsed++;
      const text = formatExpr(expr);
      let again: Expr;
      try {
        again = parseExpr(text, ALL_FEATURES);
      } catch (err) {
        failures.push(`${q.file}:${q.line}: formatted ${text} does not parse: ${(err as Error).message}`);
        continue;
      }
      if (JSON.stringify(normalise(again)) !== JSON.stringify(normalise(expr))) {
        failures.push(`${q.file}:${q.line}: ${q.query} -> ${text} changes the tree`);
      }
    }
    console.info(`upstream queries: ${queries.length}, parsed and round-tripped: ${parsed}, expected failures rejected by the parser: ${failRejected}`);
    expect(failures).toEqual([]);
  });

  describe("against the reference Prometheus' format_query", () => {
    const ref = useReferencePrometheus("parser-fmt");

    test("prints what Prometheus prints", async () => {
      if (!ref.available) return;
      let compared = 0;
      const diffs: string[] = [];
      for (const q of new Set(queries.map((x) => x.query))) {
        const res = await fetch(`${ref.base()}/api/v1/format_query?query=${encodeURIComponent(q)}`);
        const body = (await res.json()) as { data?: string };
        // Skipped: syntax newer than the installed 2.42, its multi-line pretty printing of long
        // queries, and its %g number printing (3.x prints plain decimals, as formatExpr does).
        if (body.data === undefined || body.data.includes("\n") || /\de[+-]\d/.test(body.data)) continue;
        compared++;
        const mine = formatExpr(parseExpr(q, ALL_FEATURES));
        if (mine !== body.data) diffs.push(`${q}\n  prometheus: ${body.data}\n  promwasm:   ${mine}`);
      }
      expect(compared).toBeGreaterThan(1000);
      expect(diffs).toEqual([]);
    }, 60_000);
  });
});
