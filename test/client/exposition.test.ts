// Exact text 0.0.4 and OpenMetrics 1.0 output, written by hand from the format specs.
import { describe, expect, test } from "vitest";
import {
  Counter, CounterVec, Desc, Gauge, Histogram, Registry, Summary, negotiate, newConstHistogram, newConstMetric,
  newConstSummary, writeOpenMetrics, writeText, type Collector,
} from "../../src/client/index.js";

function fixture(): Registry {
  const r = new Registry();
  const c = new CounterVec({ name: "http_requests_total", help: 'Requests "served"\nby \\ path.', labelNames: ["path"], registers: [r] });
  c.labels('/a"b\\c\nd').inc(3);
  c.labels("/").inc(1e6);
  const h = new Histogram({ name: "latency_seconds", help: "Latency.", buckets: [0.25, 1], registers: [r] });
  h.observe(0.1);
  h.observe(0.5);
  h.observe(3);
  const s = new Summary({ name: "rpc_seconds", help: "RPC.", objectives: { 0.5: 0.05 }, constLabels: { svc: "x" }, registers: [r] });
  s.observe(2);
  new Gauge({ name: "temperature", help: "T.", registers: [r] }).set(-0.000015);
  return r;
}

/** Replaces every `_created` value (wall-clock time) with T so the output can be compared. */
function fixCreated(text: string): string {
  return text.replace(/(_created(?:\{[^}]*\})?) \S+/g, "$1 T");
}

describe("text format 0.0.4", () => {
  test("all metric types, escaping and float formats", () => {
    expect(fixture().metrics("text")).toBe(
      [
        '# HELP http_requests_total Requests "served"\\nby \\\\ path.',
        "# TYPE http_requests_total counter",
        'http_requests_total{path="/"} 1e+06',
        'http_requests_total{path="/a\\"b\\\\c\\nd"} 3',
        "# HELP latency_seconds Latency.",
        "# TYPE latency_seconds histogram",
        'latency_seconds_bucket{le="0.25"} 1',
        'latency_seconds_bucket{le="1"} 2',
        'latency_seconds_bucket{le="+Inf"} 3',
        "latency_seconds_sum 3.6",
        "latency_seconds_count 3",
        "# HELP rpc_seconds RPC.",
        "# TYPE rpc_seconds summary",
        'rpc_seconds{svc="x",quantile="0.5"} 2',
        'rpc_seconds_sum{svc="x"} 2',
        'rpc_seconds_count{svc="x"} 1',
        "# HELP temperature T.",
        "# TYPE temperature gauge",
        "temperature -1.5e-05",
        "",
      ].join("\n"),
    );
  });

  test("const metrics with timestamps, untyped, const histogram and summary", () => {
    const d = new Desc({ fqName: "ext_value", help: "E.", variableLabels: ["src"] });
    const hd = new Desc({ fqName: "ext_hist", help: "H." });
    const sd = new Desc({ fqName: "ext_sum", help: "S." });
    const collector: Collector = {
      describe: () => [d, hd, sd],
      collect: () => [
        newConstMetric(d, "untyped", 1.5, ["db"], { timestampMs: 1700000000123 }),
        newConstHistogram(hd, 10, 12.5, new Map([[5, 8], [1, 2]])),
        newConstSummary(sd, 4, 10, new Map([[0.9, 7], [0.1, 1]])),
      ],
    };
    const r = new Registry();
    r.register(collector);
    // Timestamps are ms integers in text and seconds (Go %g, as client_golang prints them) in OpenMetrics.
    expect(r.metrics()).toBe(
      [
        "# HELP ext_hist H.",
        "# TYPE ext_hist histogram",
        'ext_hist_bucket{le="1"} 2',
        'ext_hist_bucket{le="5"} 8',
        'ext_hist_bucket{le="+Inf"} 10',
        "ext_hist_sum 12.5",
        "ext_hist_count 10",
        "# HELP ext_sum S.",
        "# TYPE ext_sum summary",
        'ext_sum{quantile="0.1"} 1',
        'ext_sum{quantile="0.9"} 7',
        "ext_sum_sum 10",
        "ext_sum_count 4",
        "# HELP ext_value E.",
        "# TYPE ext_value untyped",
        'ext_value{src="db"} 1.5 1700000000123',
        "",
      ].join("\n"),
    );
    expect(writeOpenMetrics(r.gather())).toContain('# TYPE ext_value unknown\next_value{src="db"} 1.5 1.700000000123e+09\n');
  });
});

describe("OpenMetrics 1.0", () => {
  test("counter suffixes, _created, float style, HELP escaping and # EOF", () => {
    expect(fixCreated(fixture().metrics("openmetrics"))).toBe(
      [
        '# HELP http_requests Requests \\"served\\"\\nby \\\\ path.',
        "# TYPE http_requests counter",
        'http_requests_total{path="/"} 1e+06',
        'http_requests_created{path="/"} T',
        'http_requests_total{path="/a\\"b\\\\c\\nd"} 3.0',
        'http_requests_created{path="/a\\"b\\\\c\\nd"} T',
        "# HELP latency_seconds Latency.",
        "# TYPE latency_seconds histogram",
        'latency_seconds_bucket{le="0.25"} 1',
        'latency_seconds_bucket{le="1.0"} 2',
        'latency_seconds_bucket{le="+Inf"} 3',
        "latency_seconds_sum 3.6",
        "latency_seconds_count 3",
        "latency_seconds_created T",
        "# HELP rpc_seconds RPC.",
        "# TYPE rpc_seconds summary",
        'rpc_seconds{svc="x",quantile="0.5"} 2.0',
        'rpc_seconds_sum{svc="x"} 2.0',
        'rpc_seconds_count{svc="x"} 1',
        'rpc_seconds_created{svc="x"} T',
        "# HELP temperature T.",
        "# TYPE temperature gauge",
        "temperature -1.5e-05",
        "# EOF",
        "",
      ].join("\n"),
    );
  });

  test("_created is in seconds and can be turned off; a counter without _total gains it", () => {
    const before = Date.now() / 1000;
    const c = new Counter({ name: "events", help: "E." });
    const out = writeOpenMetrics([...c.collect()]);
    const created = Number(/events_created (\S+)/.exec(out)![1]);
    expect(created).toBeGreaterThanOrEqual(Math.floor(before * 1000) / 1000 - 0.001);
    expect(created).toBeLessThanOrEqual(Date.now() / 1000);
    expect(out).toContain("# TYPE events counter\nevents_total 0.0\n");
    expect(writeOpenMetrics([...c.collect()], { created: false })).toBe("# HELP events E.\n# TYPE events counter\nevents_total 0.0\n# EOF\n");
    expect(writeText([...c.collect()])).toBe("# HELP events E.\n# TYPE events counter\nevents 0\n");
  });

  test("exemplars on counters and buckets, timestamps in seconds", () => {
    const c = new Counter({ name: "jobs_total", help: "J." });
    c.incWithExemplar({ trace_id: "abc", span: 'x"y' }, 2);
    const h = new Histogram({ name: "h", help: "H.", buckets: [1] });
    h.observeWithExemplar(0.5, { trace_id: "t" });
    h.observeWithExemplar(7, { trace_id: "u" });
    const om = writeOpenMetrics([...c.collect(), ...h.collect()], { created: false });
    expect(om).toMatch(/^jobs_total 2\.0 # \{span="x\\"y",trace_id="abc"\} 2\.0 \d\.\d+e\+09$/m);
    expect(om).toMatch(/^h_bucket\{le="1\.0"\} 1 # \{trace_id="t"\} 0\.5 \d\.\d+e\+09$/m);
    expect(om).toMatch(/^h_bucket\{le="\+Inf"\} 2 # \{trace_id="u"\} 7\.0 \d\.\d+e\+09$/m);
    // The text format has no exemplars.
    expect(writeText([...c.collect(), ...h.collect()])).not.toContain("trace_id");
    expect(writeText([...c.collect()])).toBe("# HELP jobs_total J.\n# TYPE jobs_total counter\njobs_total 2\n");
  });
});

describe("Accept negotiation", () => {
  test.each([
    [undefined, "text"],
    ["", "text"],
    ["*/*", "text"],
    ["text/plain", "text"],
    ["text/plain;version=0.0.4", "text"],
    ["application/openmetrics-text", "openmetrics"],
    ["application/openmetrics-text; version=1.0.0; charset=utf-8", "openmetrics"],
    ["application/openmetrics-text;version=2.0.0", "text"],
    ["application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "text"],
    ["text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5", "text"],
    ["text/plain;q=0.3,application/openmetrics-text;version=1.0.0;q=0.5", "openmetrics"],
    // What Prometheus 2.42 sends when scraping.
    ["application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", "openmetrics"],
  ])("%s -> %s", (accept, want) => expect(negotiate(accept)).toBe(want));
});
