// The real OpenTelemetry JS SDK (2.x) pushing to a running promwasm: what the SDK recorded
// comes back through /api/v1/query under the names and labels Prometheus 3 gives them
// (its OTLP guide: job = service.namespace/service.name, instance = service.instance.id,
// other resource attributes on target_info; UnderscoreEscapingWithSuffixes adds unit and
// _total/_ratio suffixes and turns dots into underscores, NoUTF8EscapingWithSuffixes keeps
// the dots). Both exporters are used: OTLP/HTTP protobuf and OTLP/HTTP JSON.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { diag, DiagLogLevel, type Attributes } from "@opentelemetry/api";
import { AggregationTemporalityPreference, OTLPMetricExporter as JSONExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationType, MeterProvider, MetricReader, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query, startPromwasm, stopChild, waitReady, type Server } from "../helpers/process.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("otlp-sdk");
const cfg = join(tmp.dir, "prometheus.yml");
let server: Server;
const warnings: string[] = [];

beforeAll(async () => {
  writeFileSync(cfg, "global: {}\n");
  server = await startPromwasm([`--config.file=${cfg}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`, "--web.enable-otlp-receiver", "--web.enable-lifecycle"], tmp.dir);
  await waitReady(server);
  // The exporters report partial success through the diag logger.
  diag.setLogger({ error: () => {}, warn: (m: string, ...a: unknown[]) => warnings.push([m, ...a].join(" ")), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
}, 60_000);

afterAll(async () => {
  diag.disable();
  await stopChild(server);
  tmp.cleanup();
});

class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

async function setStrategy(strategy: string): Promise<void> {
  writeFileSync(cfg, `otlp:\n  translation_strategy: ${strategy}\n`);
  const res = await fetch(`${server.base}/-/reload`, { method: "POST" });
  expect(res.status, await res.text()).toBe(200);
}

/** A provider for one service instance, exporting only on forceFlush. */
function provider(exporter: PushMetricExporter, instance: string): MeterProvider {
  return new MeterProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ "service.name": "checkout", "service.namespace": "shop", "service.instance.id": instance, "deployment.environment": "test" }),
    ),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    views: [{ instrumentName: "payload.size", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
}

/** Records one of each instrument kind; returns after the export. */
async function record(mp: MeterProvider): Promise<void> {
  const meter = mp.getMeter("checkout-lib", "1.2.3");
  const attrs: Attributes = { "http.method": "GET", "http.status_code": 200, _private: "x" };
  meter.createCounter("http.server.requests", { unit: "{request}" }).add(5, attrs);
  meter.createCounter("network.io", { unit: "By" }).add(1500, { direction: "in" });
  const depth = meter.createUpDownCounter("queue.depth", { unit: "{item}" });
  depth.add(5);
  depth.add(-2);
  meter.createGauge("cpu.utilization", { unit: "1" }).record(0.25, { cpu: "0" });
  meter.createObservableGauge("memory.usage", { unit: "By" }).addCallback((r) => r.observe(1024, { pool: "heap" }));
  const latency = meter.createHistogram("http.server.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  for (const v of [0.05, 0.3, 0.7, 2]) latency.record(v, { route: "/cart" });
  meter.createHistogram("payload.size", { unit: "By" }).record(300);
  await mp.forceFlush();
}

/** The single series a query returns, as labels plus value. */
async function one(q: string): Promise<Record<string, string> & { value: string }> {
  const r = await query(server.base, q);
  expect(r, q).toHaveLength(1);
  return { ...r[0].metric, value: r[0].value[1] };
}

describe("OpenTelemetry SDK -> promwasm", () => {
  it("stores every kind under UnderscoreEscapingWithSuffixes names (protobuf exporter)", async () => {
    warnings.length = 0;
    const mp = provider(new ProtoExporter({ url: `${server.base}/api/v1/otlp/v1/metrics` }), "proto-1");
    await record(mp);
    await mp.shutdown();
    const id = { job: "shop/checkout", instance: "proto-1" };

    expect(await one('http_server_requests_total{instance="proto-1"}')).toEqual({
      __name__: "http_server_requests_total", ...id, http_method: "GET", http_status_code: "200", key_private: "x", value: "5",
    });
    expect(await one('network_io_bytes_total{instance="proto-1"}')).toEqual({ __name__: "network_io_bytes_total", ...id, direction: "in", value: "1500" });
    expect(await one('queue_depth{instance="proto-1"}')).toEqual({ __name__: "queue_depth", ...id, value: "3" });
    expect(await one('cpu_utilization_ratio{instance="proto-1"}')).toEqual({ __name__: "cpu_utilization_ratio", ...id, cpu: "0", value: "0.25" });
    expect(await one('memory_usage_bytes{instance="proto-1"}')).toEqual({ __name__: "memory_usage_bytes", ...id, pool: "heap", value: "1024" });

    const buckets = await query(server.base, 'http_server_duration_seconds_bucket{instance="proto-1"}');
    expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value[1]]))).toEqual({ "0.1": "1", "0.5": "2", "1": "3", "+Inf": "4" });
    expect(buckets[0].metric).toMatchObject({ ...id, route: "/cart" });
    expect((await one('http_server_duration_seconds_count{instance="proto-1"}')).value).toBe("4");
    expect(Number((await one('http_server_duration_seconds_sum{instance="proto-1"}')).value)).toBeCloseTo(3.05, 10);
    expect((await one('histogram_quantile(0.5, http_server_duration_seconds_bucket{instance="proto-1"})')).value).toBe("0.5");

    // Resource attributes other than the identifying ones land on target_info.
    const info = await one('target_info{instance="proto-1"}');
    expect(info).toMatchObject({ __name__: "target_info", ...id, deployment_environment: "test", telemetry_sdk_language: "nodejs", value: "1" });
    expect(info).not.toHaveProperty("service_name");

    // The exponential histogram was refused, and the SDK was told so in a partial success.
    expect(await query(server.base, '{__name__=~"payload.*"}')).toEqual([]);
    expect(warnings.join("\n")).toMatch(/Partial Success.*"rejectedDataPoints":"?1"?.*exponential histogram \\"payload.size\\"/);
  });

  it("keeps dots under NoUTF8EscapingWithSuffixes (JSON exporter)", async () => {
    await setStrategy("NoUTF8EscapingWithSuffixes");
    const mp = provider(new JSONExporter({ url: `${server.base}/api/v1/otlp/v1/metrics` }), "json-1");
    await record(mp);
    await mp.shutdown();
    const id = { job: "shop/checkout", instance: "json-1" };

    expect(await one('{"http.server.requests_total", instance="json-1"}')).toEqual({
      __name__: "http.server.requests_total", ...id, "http.method": "GET", "http.status_code": "200", _private: "x", value: "5",
    });
    expect(await one('{"network.io_bytes_total", instance="json-1"}')).toMatchObject({ direction: "in", value: "1500" });
    expect(await one('{"queue.depth", instance="json-1"}')).toMatchObject({ value: "3" });
    expect(await one('{"cpu.utilization_ratio", instance="json-1"}')).toMatchObject({ cpu: "0", value: "0.25" });
    expect(await one('{"memory.usage_bytes", instance="json-1"}')).toMatchObject({ pool: "heap", value: "1024" });
    const buckets = await query(server.base, '{"http.server.duration_seconds_bucket", instance="json-1"}');
    expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value[1]]))).toEqual({ "0.1": "1", "0.5": "2", "1": "3", "+Inf": "4" });
    expect((await one('{"http.server.duration_seconds_count", instance="json-1"}')).value).toBe("4");
    expect(await one('target_info{instance="json-1"}')).toMatchObject({ "deployment.environment": "test", "telemetry.sdk.language": "nodejs" });
  });

  it("refuses delta temporality with a 400 naming the metric, storing nothing", async () => {
    await setStrategy("UnderscoreEscapingWithSuffixes");
    const exporter = new ProtoExporter({ url: `${server.base}/api/v1/otlp/v1/metrics`, temporalityPreference: AggregationTemporalityPreference.DELTA });
    // A reader collected by hand, so that the exporter's own result (status and body) is seen.
    const reader = new ManualReader({ aggregationTemporalitySelector: (t) => exporter.selectAggregationTemporality(t) });
    const mp = new MeterProvider({ resource: resourceFromAttributes({ "service.name": "checkout", "service.instance.id": "delta-1", region: "eu" }), readers: [reader] });
    mp.getMeter("m").createCounter("orders.placed").add(7);
    const { resourceMetrics } = await reader.collect();
    const result = await new Promise<{ code: number; error?: Error & { code?: number; data?: string } }>((resolve) => exporter.export(resourceMetrics, resolve));
    await mp.shutdown();
    expect(result.error?.code).toBe(400);
    expect(result.error?.data).toContain('invalid temporality and type combination for metric "orders.placed": delta temporality is not supported');
    expect(await query(server.base, '{instance="delta-1"}')).toEqual([]);
  });
});
