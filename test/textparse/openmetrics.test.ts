// OpenMetrics 1.0; expected values written from the OpenMetrics specification.
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/textparse/errors.js";
import { OM, parseAll } from "./helpers.js";

describe("OpenMetrics 1.0", () => {
  it("parses every metric type with units, _created, exemplars and float-second timestamps", () => {
    const body = [
      "# TYPE acme_http_router_request_seconds summary",
      "# UNIT acme_http_router_request_seconds seconds",
      "# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.",
      'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
      'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
      'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
      "# TYPE foo histogram",
      'foo_bucket{le="0.01"} 0 # {trace_id="KOO5S4vxi0o"} 0.009 1520879607.789',
      'foo_bucket{le="+Inf"} 17 123.5',
      "# TYPE build info",
      'build_info{version="1.2"} 1',
      "# TYPE state stateset",
      'state{state="a"} 1',
      "# TYPE gh gaugehistogram",
      'gh_gcount 4 1.0005',
      "# TYPE x unknown",
      "x NaN",
      "# EOF",
      "",
    ].join("\n");
    const out = parseAll(body, OM);
    expect(out.slice(0, 6)).toEqual([
      { kind: "type", name: "acme_http_router_request_seconds", type: "summary" },
      { kind: "unit", name: "acme_http_router_request_seconds", unit: "seconds" },
      { kind: "help", name: "acme_http_router_request_seconds", help: "Latency though all of ACME's HTTP request router." },
      { kind: "series", labels: { __name__: "acme_http_router_request_seconds_sum", path: "/api/v1", method: "GET" }, value: 9036.32 },
      { kind: "series", labels: { __name__: "acme_http_router_request_seconds_count", path: "/api/v1", method: "GET" }, value: 807283 },
      { kind: "series", labels: { __name__: "acme_http_router_request_seconds_created", path: "/api/v1", method: "GET" }, value: 1605281325 },
    ]);
    expect(out[7]).toEqual({
      kind: "series",
      labels: { __name__: "foo_bucket", le: "0.01" },
      value: 0,
      exemplar: { labels: { trace_id: "KOO5S4vxi0o" }, value: 0.009, ts: 1520879607789 },
    });
    expect(out[8]).toEqual({ kind: "series", labels: { __name__: "foo_bucket", le: "+Inf" }, value: 17, ts: 123500 });
    expect(out[9]).toEqual({ kind: "type", name: "build", type: "info" });
    expect(out[11]).toEqual({ kind: "type", name: "state", type: "stateset" });
    expect(out[14]).toEqual({ kind: "series", labels: { __name__: "gh_gcount" }, value: 4, ts: 1000 });
    const last = out[16]!;
    expect(last.kind === "series" && Number.isNaN(last.value)).toBe(true);
    expect(out.length).toBe(17);
  });

  it("accepts # EOF without a final newline, exemplars without timestamps and trailing commas", () => {
    expect(parseAll('a{b="1",} 1 # {} 2\n# EOF', OM)).toEqual([
      { kind: "series", labels: { __name__: "a", b: "1" }, value: 1, exemplar: { labels: {}, value: 2 } },
    ]);
  });

  it("unescapes \\\" in help text as well, and reads quoted UTF-8 metric names", () => {
    expect(parseAll('# HELP "my.metric" say \\"hi\\"\\n\n{"my.metric","lbl"="v"} 1\n# EOF\n', OM)).toEqual([
      { kind: "help", name: "my.metric", help: 'say "hi"\n' },
      { kind: "series", labels: { __name__: "my.metric", lbl: "v" }, value: 1 },
    ]);
  });

  const bad: Array<[string, string, number, number, RegExp]> = [
    ["a missing # EOF", "a 1\n", 2, 1, /does not end with # EOF/],
    ["data after # EOF", "a 1\n# EOF\nb 2\n", 3, 1, /unexpected data after # EOF/],
    ["a blank line", "a 1\n\n# EOF\n", 2, 1, /valid start token/],
    ["two spaces before the value", "a  1\n# EOF\n", 1, 3, /expected value/],
    ["a tab separator", "a\t1\n# EOF\n", 1, 2, /expected value/],
    ["a free-form comment", "# hello\na 1\n# EOF\n", 1, 1, /valid start token/],
    ["a missing comma between labels", 'a{b="1" c="2"} 1\n# EOF\n', 1, 8, /expected comma or brace close/],
    ["a newline in a label value", 'a{b="x\ny"} 1\n# EOF\n', 1, 5, /expected label value/],
    ["a unit that is not the name's suffix", "# UNIT foo_bytes seconds\n# EOF\n", 1, 18, /unit "seconds" not a suffix/],
    ["the text format's untyped type", "# TYPE a untyped\n# EOF\n", 1, 10, /invalid metric type "untyped"/],
    ["an infinite timestamp", "a 1 +Inf\n# EOF\n", 1, 5, /invalid timestamp/],
    ["a bad exemplar", "a 1 # {b=\"1\"}\n# EOF\n", 1, 14, /expected value after exemplar/],
    ["a quoted name in an exemplar", 'a 1 # {"x"} 1\n# EOF\n', 1, 11, /expected label name/],
    ["a name set twice", 'a{"b"} 1\n# EOF\n', 1, 6, /metric name already set/],
  ];
  for (const [what, body, line, column, msg] of bad) {
    it(`rejects ${what}`, () => {
      let err: unknown;
      try {
        parseAll(body, OM);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).message).toMatch(msg);
      expect([(err as ParseError).line, (err as ParseError).column]).toEqual([line, column]);
    });
  }
});
