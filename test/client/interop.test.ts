// Against the reference binaries: promtool lints the text output, and a real Prometheus 2.42
// scrapes a node:http app using this library and returns the values the app set.
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  CounterVec, Gauge, HistogramVec, Registry, Summary, collectDefaultMetrics, metricsHandler, type DefaultMetrics,
} from "../../src/client/index.js";
import { startReference, stopChild, waitForChild, type Server as ChildServer } from "../helpers/process.js";
import { listen, referenceBinary, tempDir } from "../helpers/reference.js";

const promtool = referenceBinary("promtool");
const prometheus = referenceBinary("prometheus");

const MEDIAN_DATA = Array.from({ length: 200 }, (_, i) => i + 1);

function appRegistry(): { registry: Registry; defaults: DefaultMetrics } {
  const registry = new Registry();
  const requests = new CounterVec({ name: "app_requests_total", help: "Requests by code.", labelNames: ["code"], registers: [registry] });
  requests.labels("200").inc(42);
  requests.labels("500").inc(3);
  new Gauge({ name: "app_queue_depth", help: 'Queue depth "now".', registers: [registry] }).set(-3.5);
  const latency = new HistogramVec({ name: "app_latency_seconds", help: "Latency.", labelNames: ["route"], buckets: [0.1, 0.5, 1], registers: [registry] });
  for (const v of [0.05, 0.2, 0.3, 0.7, 2]) latency.labels("/api").observe(v);
  latency.labels("/api").observeWithExemplar(0.08, { trace_id: "4bf92f3577b34da6" });
  const sizes = new Summary({ name: "app_payload_bytes", help: "Payload sizes.", objectives: { 0.5: 0.05, 0.9: 0.01 }, registers: [registry] });
  for (const v of MEDIAN_DATA) sizes.observe(v);
  const defaults = collectDefaultMetrics({ registry });
  return { registry, defaults };
}

describe.runIf(promtool)("promtool check metrics", () => {
  test("accepts the text exposition of every metric type and the default collectors", () => {
    const { registry, defaults } = appRegistry();
    try {
      const out = spawnSync(promtool!, ["check", "metrics"], { input: registry.metrics("text"), encoding: "utf8", timeout: 30_000 });
      expect(out.stdout + out.stderr).toBe("");
      expect(out.status).toBe(0);
    } finally {
      defaults.close();
    }
  });

  test("would catch a problem: a counter without _total is linted", () => {
    const r = new Registry();
    new CounterVec({ name: "app_requests", help: "R.", labelNames: ["x"], registers: [r] }).labels("a").inc();
    const out = spawnSync(promtool!, ["check", "metrics"], { input: r.metrics("text"), encoding: "utf8", timeout: 30_000 });
    expect(out.stdout + out.stderr).toContain("_total");
  });
});

describe.runIf(prometheus)("scraped by Prometheus 2.42", () => {
  let app: Server;
  let prom: ChildServer | undefined;
  let defaults: DefaultMetrics;
  const dir = tempDir("client-interop");

  beforeAll(async () => {
    const made = appRegistry();
    defaults = made.defaults;
    app = createServer(metricsHandler({ registry: made.registry }));
    const appPort = await listen(app);
    const config = join(dir.dir, "prometheus.yml");
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ["127.0.0.1:${appPort}"]\n`,
    );
    prom = await startReference(prometheus!, (port) => [`--config.file=${config}`, `--storage.tsdb.path=${join(dir.dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"]);
  });

  afterAll(async () => {
    await stopChild(prom);
    defaults?.close();
    await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
    dir.cleanup();
  });

  async function query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${prom!.base}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== "success") throw new Error(`query ${q}: ${JSON.stringify(body)}`);
    return body.data.result;
  }

  async function scalar(q: string): Promise<number> {
    const r = await query(q);
    if (r.length !== 1) throw new Error(`query ${q}: ${r.length} series`);
    return Number(r[0].value[1]);
  }

  test("the values the app set come back through /api/v1/query", async () => {
    await waitForChild(prom!, async () => (await query('up{job="app"} == 1')).length === 1 && (await query("app_payload_bytes_count")).length === 1, 60_000, "first scrape");
    expect(await scalar('app_requests_total{code="200"}')).toBe(42);
    expect(await scalar('app_requests_total{code="500"}')).toBe(3);
    expect(await scalar("app_queue_depth")).toBe(-3.5);
    const buckets = await query('app_latency_seconds_bucket{route="/api"}');
    const byLe = Object.fromEntries(buckets.map((b) => [b.metric.le, Number(b.value[1])]));
    expect(byLe).toEqual({ "0.1": 2, "0.5": 4, "1.0": 5, "+Inf": 6 });
    expect(await scalar('app_latency_seconds_count{route="/api"}')).toBe(6);
    expect(await scalar('app_latency_seconds_sum{route="/api"}')).toBeCloseTo(3.33, 10);
    expect(await scalar("app_payload_bytes_count")).toBe(200);
    expect(await scalar("app_payload_bytes_sum")).toBe(20100);
    // Values 1..200: rank error 0.05 allows 90..110 for the median, 0.01 allows 178..182 for q=0.9.
    const median = await scalar('app_payload_bytes{quantile="0.5"}');
    expect(median).toBeGreaterThanOrEqual(90);
    expect(median).toBeLessThanOrEqual(110);
    const p90 = await scalar('app_payload_bytes{quantile="0.9"}');
    expect(p90).toBeGreaterThanOrEqual(178);
    expect(p90).toBeLessThanOrEqual(182);
    expect(await scalar("process_open_fds")).toBeGreaterThan(0);
    expect(await scalar('scrape_samples_scraped{job="app"}')).toBeGreaterThan(50);
  });
});
