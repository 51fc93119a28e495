// The Prometheus text format 0.0.4; expected values written from the exposition format docs.
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/textparse/errors.js";
import { parseAll } from "./helpers.js";

describe("text format 0.0.4", () => {
  it("parses metadata, samples, labels, timestamps and comments", () => {
    const body = [
      "# HELP http_requests_total The total number of HTTP requests.",
      "# TYPE http_requests_total counter",
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      "",
      "# A normal comment.",
      "#no space comment",
      "# HELP metric_without_timestamp_and_labels",
      "metric_without_timestamp_and_labels 12.47",
      "# TYPE u untyped",
      "u -3e-2",
      "",
    ].join("\n");
    expect(parseAll(body)).toEqual([
      { kind: "help", name: "http_requests_total", help: "The total number of HTTP requests." },
      { kind: "type", name: "http_requests_total", type: "counter" },
      { kind: "series", labels: { __name__: "http_requests_total", method: "post", code: "200" }, value: 1027, ts: 1395066363000 },
      { kind: "series", labels: { __name__: "http_requests_total", method: "post", code: "400" }, value: 3, ts: 1395066363000 },
      { kind: "help", name: "metric_without_timestamp_and_labels", help: "" },
      { kind: "series", labels: { __name__: "metric_without_timestamp_and_labels" }, value: 12.47 },
      { kind: "type", name: "u", type: "unknown" },
      { kind: "series", labels: { __name__: "u" }, value: -0.03 },
    ]);
  });

  it("unescapes label values (\\\\, \\\", \\n) and help text (\\\\, \\n), leaving other backslashes", () => {
    const body = '# HELP m A \\\\ help\\nline with \\" kept\nm{path="C:\\\\dir\\\\f",q="say \\"hi\\"",nl="a\\nb",tab="x\\ty"} 1\n';
    expect(parseAll(body)).toEqual([
      { kind: "help", name: "m", help: 'A \\ help\nline with \\" kept' },
      { kind: "series", labels: { __name__: "m", path: "C:\\dir\\f", q: 'say "hi"', nl: "a\nb", tab: "x\\ty" }, value: 1 },
    ]);
  });

  it("accepts whitespace around tokens, tabs, trailing and missing commas, empty braces", () => {
    const body = ' \tm { a = "1" , b="2", } \t 5 \t 100 \nn{} 6\nk{a="1" b="2"} 7\n';
    expect(parseAll(body)).toEqual([
      { kind: "series", labels: { __name__: "m", a: "1", b: "2" }, value: 5, ts: 100 },
      { kind: "series", labels: { __name__: "n" }, value: 6 },
      { kind: "series", labels: { __name__: "k", a: "1", b: "2" }, value: 7 },
    ]);
  });

  it("reads the special float spellings and values beyond the fast path", () => {
    const body = "a NaN\nb +Inf\nc -Inf\nd 1.7976931348623157e308\ne 0.1000000000000000055511151231257827\nf -0\ng 12345678901234567890\nh .5\ni 5.\nj inf\n";
    const vals = parseAll(body).map((e) => (e.kind === "series" ? e.value : undefined));
    expect(vals[0]).toBeNaN();
    expect(vals.slice(1)).toEqual([Infinity, -Infinity, 1.7976931348623157e308, 0.1, -0, 12345678901234567890, 0.5, 5, Infinity]);
    expect(Object.is(vals[5], -0)).toBe(true);
  });

  it("keeps label values with raw newlines and UTF-8", () => {
    expect(parseAll('m{a="x\ny",b="héllo ☃"} 1\n')).toEqual([{ kind: "series", labels: { __name__: "m", a: "x\ny", b: "héllo ☃" }, value: 1 }]);
  });

  it("stops at a NUL byte at the start of a line", () => {
    expect(parseAll("a 1\n\0garbage {{{")).toEqual([{ kind: "series", labels: { __name__: "a" }, value: 1 }]);
  });

  const bad: Array<[string, string, number, number, RegExp]> = [
    ["missing value", "a 1\nb\n", 2, 2, /expected value/],
    ["no trailing newline", "a 1\nb 2", 2, 4, /expected timestamp or new record/],
    ["label name starting with a digit", 'a{1b="x"} 1\n', 1, 3, /expected label name/],
    ["colon in a label name", 'a{b:c="x"} 1\n', 1, 4, /expected equal/],
    ["unterminated label value", 'a{b="x} 1\n', 1, 5, /expected label value/],
    ["unquoted label value", "a{b=x} 1\n", 1, 5, /expected label value/],
    ["garbage after timestamp", "a 1 123abc\n", 1, 8, /expected next entry after timestamp/],
    ["negative timestamp", "a 1 -5\n", 1, 5, /expected timestamp or new record/],
    ["bad value", "a 1x\n", 1, 3, /invalid value "1x"/],
    ["hex float value", "a 0x1p3\n", 1, 3, /invalid value/],
    ["out of range value", "a 1e999\n", 1, 3, /invalid value/],
    ["invalid metric type", "# TYPE a gauges\na 1\n", 1, 10, /invalid metric type "gauges"/],
    ["start token", "{} 1\n", 1, 3, /metric name not set/],
    ["invalid UTF-8", 'a{b="\xff"} 1\n', 1, 6, /invalid UTF-8/],
    ["bad start", "-a 1\n", 1, 1, /expected a valid start token/],
  ];
  for (const [what, body, line, column, msg] of bad) {
    it(`rejects ${what} with line and column`, () => {
      const bytes = Buffer.from(body, "latin1");
      let err: unknown;
      try {
        parseAll(bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).message).toMatch(msg);
      expect([(err as ParseError).line, (err as ParseError).column]).toEqual([line, column]);
    });
  }

  it("resumes across output buffers for large bodies and very long lines", () => {
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(`metric_${i % 7}{instance="host-${i}",job="j",a="1",b="2",c="3"} ${i} ${1000 + i}`);
    const labels = Array.from({ length: 70_000 }, (_, i) => `l${i}="${i}"`).join(",");
    lines.push(`wide{${labels}} 42`);
    const out = parseAll(lines.join("\n") + "\n");
    expect(out.length).toBe(40_001);
    expect(out[39_999]).toEqual({
      kind: "series",
      labels: { __name__: "metric_1", instance: "host-39999", job: "j", a: "1", b: "2", c: "3" },
      value: 39999,
      ts: 40999,
    });
    const wide = out[40_000]!;
    expect(wide.kind === "series" && Object.keys(wide.labels).length).toBe(70_001);
    expect(wide.kind === "series" && wide.labels.l69999).toBe("69999");
  });
});
