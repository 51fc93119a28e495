// The OTLP handler with requests encoded by an independent implementation (protobufjs from
// test/otlp/testdata/metrics.proto, restated from the opentelemetry-proto spec) and by hand
// as OTLP/JSON, appending into a recording Appendable: what Prometheus 3 would store for
// summaries, stale points, attribute values and collisions, promotion, target_info and
// scope labels, and the partial-success and error answers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { DEFAULT_OTLP, type OTLPConfig } from "../../src/config/otlp.js";
import { labelsToRecord, type Labels } from "../../src/model/labels.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { handleOtlpMetrics, type OtlpResponse } from "../../src/otlp/handler.js";
import { OutOfOrderSampleError } from "../../src/storage/errors.js";
import type { Appendable, Appender } from "../../src/storage/interface.js";

const root = protobuf.parse(readFileSync(join(import.meta.dirname, "testdata", "metrics.proto"), "utf8")).root;
const Request = root.lookupType("otlp.ExportMetricsServiceRequest");
const Response = root.lookupType("otlp.ExportMetricsServiceResponse");

interface Stored {
  readonly labels: Record<string, string>;
  readonly t: number;
  readonly v: number;
}

/** Keeps committed samples; rejects a sample whose __name__ is "ooo" as storage would an out-of-order one. */
class Recorder implements Appendable {
  readonly stored: Stored[] = [];
  rollbacks = 0;
  appender(): Appender {
    const pending: Stored[] = [];
    return {
      append: (ref, labels: Labels, t, v) => {
        if (labelsToRecord(labels).__name__ === "ooo") throw new OutOfOrderSampleError();
        pending.push({ labels: labelsToRecord(labels), t, v });
        return ref;
      },
      commit: async () => void this.stored.push(...pending),
      rollback: async () => void this.rollbacks++,
    };
  }
  byName(name: string): Stored[] {
    return this.stored.filter((s) => s.labels.__name__ === name);
  }
}

const T0 = 1_700_000_000_123; // ms
/** A fixed64 nanosecond time as protobufjs takes it (low/high words), exact. */
function ns(ms: number, extraNs = 0): { low: number; high: number } {
  const v = BigInt(ms) * 1_000_000n + BigInt(extraNs);
  return { low: Number(v & 0xffffffffn), high: Number(v >> 32n) };
}
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

function encode(req: object): Uint8Array {
  const err = Request.verify(req);
  if (err) throw new Error(err);
  return Request.encode(Request.fromObject(req)).finish();
}

function resource(attrs: object[], metrics: object[], scope: object = { name: "lib", version: "1.0" }): object {
  return { resourceMetrics: [{ resource: { attributes: attrs }, scopeMetrics: [{ scope, metrics, schemaUrl: "https://opentelemetry.io/schemas/1.21.0" }] }] };
}

const SERVICE = [str("service.name", "api"), str("service.namespace", "prod"), str("service.instance.id", "pod-1"), str("region", "eu")];

async function send(body: Uint8Array, opts: { config?: Partial<OTLPConfig>; type?: string; encoding?: string; rec?: Recorder; lookbackMs?: number; allowDelta?: boolean } = {}): Promise<{ res: OtlpResponse; rec: Recorder }> {
  const rec = opts.rec ?? new Recorder();
  const headers: Record<string, string> = { "content-type": opts.type ?? "application/x-protobuf" };
  if (opts.encoding) headers["content-encoding"] = opts.encoding;
  const res = await handleOtlpMetrics(body, headers, rec, {
    config: () => ({ ...DEFAULT_OTLP, ...opts.config }),
    lookbackDeltaMs: opts.lookbackMs ?? 300_000,
    allowDelta: opts.allowDelta ?? false,
  });
  return { res, rec };
}

const bodyText = (r: OtlpResponse) => Buffer.from(r.body).toString("utf8");

describe("OTLP handler", () => {
  it("stores a summary as quantile series plus _sum and _count, with job and instance", async () => {
    const body = encode(
      resource(SERVICE, [
        {
          name: "rpc.latency",
          unit: "ms",
          summary: {
            dataPoints: [
              {
                attributes: [str("method", "Get")],
                timeUnixNano: ns(T0, 999_999),
                count: ns(0, 42),
                sum: 123.5,
                quantileValues: [{ quantile: 0.5, value: 2.5 }, { quantile: 0.99, value: 9 }],
              },
            ],
          },
        },
      ]),
    );
    const { res, rec } = await send(body);
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    const id = { job: "prod/api", instance: "pod-1", method: "Get" };
    // 999_999 ns past T0 is still T0: times are truncated to ms.
    expect(rec.byName("rpc_latency_milliseconds")).toEqual([
      { labels: { __name__: "rpc_latency_milliseconds", ...id, quantile: "0.5" }, t: T0, v: 2.5 },
      { labels: { __name__: "rpc_latency_milliseconds", ...id, quantile: "0.99" }, t: T0, v: 9 },
    ]);
    expect(rec.byName("rpc_latency_milliseconds_sum")).toEqual([{ labels: { __name__: "rpc_latency_milliseconds_sum", ...id }, t: T0, v: 123.5 }]);
    expect(rec.byName("rpc_latency_milliseconds_count")).toEqual([{ labels: { __name__: "rpc_latency_milliseconds_count", ...id }, t: T0, v: 42 }]);
  });

  it("writes integer values, stale markers for points without a recorded value, and histograms without _sum", async () => {
    const body = encode(
      resource(SERVICE, [
        { name: "temp", gauge: { dataPoints: [{ timeUnixNano: ns(T0), asInt: { low: -5 >>> 0, high: -1 >>> 0 } }, { attributes: [str("x", "1")], timeUnixNano: ns(T0), asDouble: 1, flags: 1 }] } },
        { name: "size", histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T0), count: ns(0, 3), bucketCounts: [ns(0, 1), ns(0, 0), ns(0, 2)], explicitBounds: [1e-7, 2.5] }] } },
      ]),
    );
    const { res, rec } = await send(body);
    expect(res.status).toBe(200);
    const temp = rec.byName("temp");
    expect(temp[0].v).toBe(-5);
    expect(isStaleNaN(temp[1].v)).toBe(true);
    expect(rec.byName("size_sum")).toEqual([]);
    expect(rec.byName("size_bucket").map((s) => [s.labels.le, s.v])).toEqual([["0.0000001", 1], ["2.5", 1], ["+Inf", 3]]);
    expect(rec.byName("size_count")[0].v).toBe(3);
  });

  it("renders attribute values and joins the values of keys that normalize alike", async () => {
    const attrs = [
      { key: "a.b", value: { stringValue: "x" } },
      { key: "a_b", value: { stringValue: "y" } },
      { key: "int", value: { intValue: { low: 0xffffffff, high: 0x7fffffff } } },
      { key: "dbl", value: { doubleValue: 0.1 } },
      { key: "flag", value: { boolValue: true } },
      { key: "list", value: { arrayValue: { values: [{ stringValue: "<a>" }, { intValue: 2 }] } } },
      { key: "map", value: { kvlistValue: { values: [str("z", "1"), { key: "a", value: { boolValue: false } }] } } },
      { key: "raw", value: { bytesValue: Buffer.from([1, 2, 3]) } },
      { key: "empty", value: { stringValue: "" } },
      { key: "__name__", value: { stringValue: "ignored" } },
    ];
    const { rec } = await send(encode(resource(SERVICE, [{ name: "g", gauge: { dataPoints: [{ attributes: attrs, timeUnixNano: ns(T0), asDouble: 1 }] } }])));
    expect(rec.byName("g")[0].labels).toEqual({
      __name__: "g",
      job: "prod/api",
      instance: "pod-1",
      a_b: "x;y",
      int: "9223372036854775807",
      dbl: "0.1",
      flag: "true",
      list: '["\\u003ca\\u003e",2]',
      map: '{"a":false,"z":"1"}',
      raw: "AQID",
    });
  });

  it("writes target_info over the request's time span every half lookback delta, without identifying attributes", async () => {
    const later = T0 + 6 * 60_000;
    const body = encode(resource(SERVICE, [{ name: "g", gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }, { attributes: [str("k", "v")], timeUnixNano: ns(later), asDouble: 2 }] } }]));
    const { rec } = await send(body);
    const info = rec.byName("target_info");
    expect(info.map((s) => s.t)).toEqual([T0, T0 + 150_000, T0 + 300_000, later]);
    expect(info[0].labels).toEqual({ __name__: "target_info", job: "prod/api", instance: "pod-1", region: "eu" });
    expect(info.every((s) => s.v === 1)).toBe(true);

    const kept = await send(body, { config: { keepIdentifyingResourceAttributes: true } });
    expect(kept.rec.byName("target_info")[0].labels).toEqual({ __name__: "target_info", job: "prod/api", instance: "pod-1", region: "eu", service_name: "api", service_namespace: "prod", service_instance_id: "pod-1" });

    // Only identifying attributes: nothing to say in target_info.
    const bare = await send(encode(resource([str("service.name", "api")], [{ name: "g", gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }] } }])));
    expect(bare.rec.byName("target_info")).toEqual([]);
    expect(bare.rec.byName("g")[0].labels).toEqual({ __name__: "g", job: "api" });
  });

  it("promotes resource attributes where a point has no such label, and scope metadata when asked", async () => {
    const res = [...SERVICE, str("k8s.pod.name", "p1"), str("host.name", "h1")];
    const metrics = [{ name: "g", gauge: { dataPoints: [{ attributes: [str("host_name", "from-point")], timeUnixNano: ns(T0), asDouble: 1 }] } }];
    const scope = { name: "my.lib", version: "2.0", attributes: [str("team", "core")] };
    const promoted = await send(encode(resource(res, metrics, scope)), { config: { promoteResourceAttributes: ["k8s.pod.name", "host.name"] } });
    expect(promoted.rec.byName("g")[0].labels).toEqual({ __name__: "g", job: "prod/api", instance: "pod-1", k8s_pod_name: "p1", host_name: "from-point" });

    const all = await send(encode(resource(res, metrics, scope)), { config: { promoteAllResourceAttributes: true, ignoreResourceAttributes: ["host.name", "service.name", "service.namespace", "service.instance.id"] } });
    expect(all.rec.byName("g")[0].labels).toEqual({ __name__: "g", job: "prod/api", instance: "pod-1", k8s_pod_name: "p1", region: "eu", host_name: "from-point" });

    const scoped = await send(encode(resource(SERVICE, metrics, scope)), { config: { promoteScopeMetadata: true } });
    expect(scoped.rec.byName("g")[0].labels).toEqual({
      __name__: "g", job: "prod/api", instance: "pod-1", host_name: "from-point",
      otel_scope_name: "my.lib", otel_scope_version: "2.0", otel_scope_schema_url: "https://opentelemetry.io/schemas/1.21.0", otel_scope_team: "core",
    });
    // target_info is about the resource: no scope labels on it.
    expect(scoped.rec.byName("target_info")[0].labels).not.toHaveProperty("otel_scope_name");
  });

  it("stores what it can and reports the rest as a partial success", async () => {
    const body = encode(
      resource(SERVICE, [
        { name: "ok", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(T0), asDouble: 3 }] } },
        { name: "deltas", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }, { timeUnixNano: ns(T0 + 1), asDouble: 1 }] } },
        { name: "exp", exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T0), count: ns(0, 1), scale: 3 }] } },
        { name: "nothing", unit: "s" },
      ]),
    );
    const { res, rec } = await send(body);
    expect(res.status).toBe(200);
    expect(res.headers["Content-Type"]).toBe("application/x-protobuf");
    const decoded = Response.toObject(Response.decode(res.body), { longs: Number }) as { partialSuccess: { rejectedDataPoints: number; errorMessage: string } };
    expect(decoded.partialSuccess.rejectedDataPoints).toBe(3);
    expect(decoded.partialSuccess.errorMessage).toContain('invalid temporality and type combination for metric "deltas": delta temporality is not supported');
    expect(decoded.partialSuccess.errorMessage).toContain('exponential histogram "exp" dropped: it would be a native histogram, which promwasm does not support yet');
    expect(decoded.partialSuccess.errorMessage).toContain('metric "nothing" has no data');
    expect(rec.byName("ok_total")).toHaveLength(1);
    expect(rec.stored.filter((s) => /deltas|exp/.test(s.labels.__name__))).toEqual([]);

    // With delta ingestion on, deltas are stored as sent.
    const delta = await send(body, { allowDelta: true });
    expect(delta.rec.byName("deltas_total").map((s) => s.v)).toEqual([1, 1]);
  });

  it("answers 400 when nothing in the request can be stored", async () => {
    const body = encode(resource(SERVICE, [{ name: "deltas", histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: ns(T0), count: ns(0, 1) }] } }]));
    const { res, rec } = await send(body);
    expect(res.status).toBe(400);
    expect(bodyText(res)).toBe('no data points stored: invalid temporality and type combination for metric "deltas": delta temporality is not supported: export cumulative temporality, or start promwasm with --enable-feature=otlp-native-delta-ingestion to store deltas as sent\n');
    expect(rec.stored).toEqual([]);
  });

  it("reads OTLP/JSON, gzip-compressed or not, and answers in JSON", async () => {
    const json = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "web" } }] },
          scopeMetrics: [
            {
              scope: { name: "s" },
              metrics: [
                { name: "hits", unit: "1", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: String(BigInt(T0) * 1_000_000n + 5n), asInt: "7", attributes: [{ key: "code", value: { intValue: "200" } }] }] } },
                { name: "load", gauge: { dataPoints: [{ time_unix_nano: `${T0}000000`, as_double: "NaN" }] } },
                { name: "lat", histogram: { aggregationTemporality: "AGGREGATION_TEMPORALITY_CUMULATIVE", dataPoints: [{ timeUnixNano: `${T0}000000`, count: "2", sum: 0.5, bucketCounts: ["1", 1], explicitBounds: [0.25] }] } },
                { name: "exp", exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: `${T0}000000`, count: "1" }] } },
              ],
            },
          ],
        },
      ],
    });
    for (const encoding of [undefined, "gzip"]) {
      const raw = Buffer.from(json);
      const { res, rec } = await send(encoding ? gzipSync(raw) : raw, { type: "application/json", encoding });
      expect(res.status).toBe(200);
      expect(res.headers["Content-Type"]).toBe("application/json");
      expect(JSON.parse(bodyText(res))).toEqual({ partialSuccess: { rejectedDataPoints: "1", errorMessage: expect.stringContaining('exponential histogram "exp"') } });
      expect(rec.byName("hits_total")).toEqual([{ labels: { __name__: "hits_total", job: "web", code: "200" }, t: T0, v: 7 }]);
      expect(Number.isNaN(rec.byName("load")[0].v)).toBe(true);
      expect(rec.byName("lat_bucket").map((s) => [s.labels.le, s.v])).toEqual([["0.25", 1], ["+Inf", 2]]);
    }
  });

  it("answers gzip-compressed protobuf like the plain form", async () => {
    const body = encode(resource(SERVICE, [{ name: "g", gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 4 }] } }]));
    const { res, rec } = await send(gzipSync(body), { encoding: "gzip" });
    expect(res.status).toBe(200);
    expect(rec.byName("g")[0].v).toBe(4);
  });

  it.each([
    [{ type: "text/plain" }, new Uint8Array(0), 415, 'unsupported content type: "text/plain", supported: [application/json, application/x-protobuf]'],
    [{ encoding: "br" }, new Uint8Array(0), 415, 'unsupported compression: "br"; only "gzip" or no compression supported'],
    [{ encoding: "gzip" }, new Uint8Array([1, 2, 3]), 400, "decompress gzip body: "],
    [{}, new Uint8Array([0x0a, 0x05, 0x0a]), 400, "decode OTLP protobuf ExportMetricsServiceRequest: unexpected EOF"],
    [{ type: "application/json" }, Buffer.from('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"asInt":"1.5"}]}}]}]}]}'), 400, "decode OTLP JSON ExportMetricsServiceRequest: request.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].asInt: expected an integer"],
    [{ type: "application/json" }, Buffer.from("{"), 400, "decode OTLP JSON ExportMetricsServiceRequest: invalid JSON"],
  ])("refuses %j with %i", async (opts, body, status, message) => {
    const { res, rec } = await send(body, opts);
    expect(res.status).toBe(status);
    expect(bodyText(res)).toContain(message);
    expect(rec.stored).toEqual([]);
  });

  it("answers 400 and stores nothing when storage refuses a sample as out of order", async () => {
    const body = encode(resource(SERVICE, [{ name: "g", gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }] } }, { name: "ooo", gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }] } }]));
    const { res, rec } = await send(body);
    expect(res.status).toBe(400);
    expect(bodyText(res)).toMatch(/^append OTLP metrics: /);
    expect(rec.stored).toEqual([]);
    expect(rec.rollbacks).toBe(1);
  });
});
