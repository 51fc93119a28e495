// Scrape loops against a real HTTP exporter on loopback, driven one scrape at a time.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isStaleNaN } from "../../src/model/sample.js";
import { ScrapeManager } from "../../src/scrape/manager.js";
import type { ScrapeJobOptions } from "../../src/scrape/options.js";
import { listen, tempDir, waitFor } from "../helpers/reference.js";
import { RecordingStorage } from "./recording-storage.js";

interface Exposition {
  status: number;
  body: string;
  contentType: string;
  gzip: boolean;
}

let server: Server;
let port = 0;
let expo: Exposition;
let lastHeaders: IncomingHttpHeaders = {};
let lastUrl = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    lastUrl = req.url ?? "";
    const body = expo.gzip ? gzipSync(expo.body) : Buffer.from(expo.body);
    res.writeHead(expo.status, { "Content-Type": expo.contentType, ...(expo.gzip ? { "Content-Encoding": "gzip" } : {}) });
    res.end(body);
  });
  port = await listen(server);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const TEXT = "text/plain; version=0.0.4";
function setBody(body: string, extra: Partial<Exposition> = {}): void {
  expo = { status: 200, body, contentType: TEXT, gzip: false, ...extra };
}

let manager: ScrapeManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

/** A manager with one job and one target whose loop the test drives by hand (the timer loop never reaches its first tick). */
async function setup(job: Partial<ScrapeJobOptions>, targetLabels: Record<string, string> = {}) {
  const storage = new RecordingStorage();
  manager = new ScrapeManager({ appendable: storage });
  const full: ScrapeJobOptions = { jobName: "node", scrapeIntervalMs: 3_600_000, scrapeTimeoutMs: 2000, ...job };
  await manager.applyConfig([full]);
  manager.sync("node", [{ source: "0", targets: [{ __address__: `127.0.0.1:${port}`, ...targetLabels }], labels: {} }]);
  const loop = manager.pool("node")!.activeLoops()[0]!;
  return { storage, loop, instance: `127.0.0.1:${port}` };
}

describe("scrape loop", () => {
  it("appends samples with target labels, reports synthetic series and records metadata", async () => {
    setBody('# HELP a_total Things.\n# TYPE a_total counter\na_total{x="1"} 5\nb 7\n');
    const { storage, loop, instance } = await setup({});
    await loop.scrapeAndReport(1000);
    const at = storage.at(1000);
    expect(at.get(`a_total{instance="${instance}", job="node", x="1"}`)).toBe(5);
    expect(at.get(`b{instance="${instance}", job="node"}`)).toBe(7);
    expect(at.get(`up{instance="${instance}", job="node"}`)).toBe(1);
    expect(at.get(`scrape_samples_scraped{instance="${instance}", job="node"}`)).toBe(2);
    expect(at.get(`scrape_samples_post_metric_relabeling{instance="${instance}", job="node"}`)).toBe(2);
    expect(at.get(`scrape_series_added{instance="${instance}", job="node"}`)).toBe(2);
    expect(at.get(`scrape_duration_seconds{instance="${instance}", job="node"}`)).toBeGreaterThan(0);
    expect(at.size).toBe(7);
    expect(manager!.metadata()).toEqual([{ target: { instance, job: "node" }, metric: "a_total", type: "counter", help: "Things.", unit: "" }]);
    const [t] = manager!.targets();
    expect(t).toMatchObject({ health: "up", lastError: "", scrapePool: "node", scrapeUrl: `http://${instance}/metrics`, scrapeInterval: "1h", scrapeTimeout: "2s", lastScrape: 1000 });
    expect(lastHeaders.accept).toBe(
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    );
    expect(lastHeaders["x-prometheus-scrape-timeout-seconds"]).toBe("2");
    // Second scrape: the cache hits, so no series are added.
    await loop.scrapeAndReport(2000);
    expect(storage.at(2000).get(`scrape_series_added{instance="${instance}", job="node"}`)).toBe(0);
  });

  it("writes stale markers for series that disappear, and for all series when the scrape fails", async () => {
    setBody("a 1\nb 2\nc{t=\"x\"} 3 500\n");
    const { storage, loop, instance } = await setup({});
    await loop.scrapeAndReport(1000);
    setBody("a 1\n");
    await loop.scrapeAndReport(2000);
    const at2 = storage.at(2000);
    expect(isStaleNaN(at2.get(`b{instance="${instance}", job="node"}`)!)).toBe(true);
    expect(at2.get(`a{instance="${instance}", job="node"}`)).toBe(1);
    // Series with explicit timestamps are never marked stale.
    expect(storage.committed.some((s) => s.series.startsWith("c{") && isStaleNaN(s.v))).toBe(false);
    setBody("oops", { status: 500 });
    await loop.scrapeAndReport(3000);
    const at3 = storage.at(3000);
    expect(isStaleNaN(at3.get(`a{instance="${instance}", job="node"}`)!)).toBe(true);
    expect(at3.get(`up{instance="${instance}", job="node"}`)).toBe(0);
    expect(manager!.targets()[0]).toMatchObject({ health: "down", lastError: "server returned HTTP status 500 Internal Server Error" });
  });

  it("appends nothing of a malformed body and reports up 0 with the parse error", async () => {
    setBody("a 1\nb 2\nc{ 3\n");
    const { storage, loop, instance } = await setup({});
    await loop.scrapeAndReport(1000);
    expect([...storage.at(1000).keys()].filter((k) => !k.startsWith("up") && !k.startsWith("scrape_"))).toEqual([]);
    expect(storage.at(1000).get(`up{instance="${instance}", job="node"}`)).toBe(0);
    expect(manager!.targets()[0]!.lastError).toMatch(/expected label name.*line 3/);
  });

  it("appends cached series by ref, and by labels again once storage has forgotten the ref", async () => {
    setBody("a 1\nb 2\n");
    const { storage, loop, instance } = await setup({});
    await loop.scrapeAndReport(1000);
    const a = `a{instance="${instance}", job="node"}`;
    const b = `b{instance="${instance}", job="node"}`;
    // Storage drops both series (as a head truncation would); b also leaves the body.
    storage.forgotten.add(storage.refOf(a)!);
    storage.forgotten.add(storage.refOf(b)!);
    setBody("a 3\n");
    await loop.scrapeAndReport(2000);
    expect(storage.at(2000).get(a)).toBe(3);
    // No stale marker for b: storage no longer has it, so there is nothing to mark.
    expect(storage.at(2000).has(b)).toBe(false);
    expect(manager!.targets()[0]).toMatchObject({ health: "up", lastError: "" });
    setBody("a 4\n");
    await loop.scrapeAndReport(3000);
    expect(storage.at(3000).get(a)).toBe(4);
  });

  it("prefixes exported_ again while the exported name is taken, shortest names first", async () => {
    // Prometheus' resolveConflictingExposedLabels: exported_job is taken by the scraped label
    // of that name, so the scraped job moves on to exported_exported_job.
    setBody('a{job="j",exported_job="already",instance="i",exported_exported_instance="x",exported_instance="y"} 1\n');
    const { storage, loop, instance } = await setup({});
    await loop.scrapeAndReport(1000);
    expect([...storage.at(1000).keys()].filter((k) => k.startsWith("a{"))).toEqual([
      `a{exported_exported_exported_instance="i", exported_exported_instance="x", exported_exported_job="j", exported_instance="y", exported_job="already", instance="${instance}", job="node"}`,
    ]);
  });

  it("exports conflicting labels unless honor_labels, and applies metric_relabel_configs", async () => {
    setBody('a{job="theirs",instance="i"} 1\ndrop_me 2\n');
    const relabel = { metricRelabelConfigs: [{ sourceLabels: ["__name__"], regex: "drop_.*", action: "drop" as const }] };
    let { storage, loop, instance } = await setup(relabel);
    await loop.scrapeAndReport(1000);
    expect(storage.at(1000).get(`a{exported_instance="i", exported_job="theirs", instance="${instance}", job="node"}`)).toBe(1);
    expect(storage.at(1000).get(`scrape_samples_scraped{instance="${instance}", job="node"}`)).toBe(2);
    expect(storage.at(1000).get(`scrape_samples_post_metric_relabeling{instance="${instance}", job="node"}`)).toBe(1);
    await manager!.stop();
    ({ storage, loop } = await setup({ honorLabels: true }));
    await loop.scrapeAndReport(1000);
    expect(storage.at(1000).get(`a{instance="i", job="theirs"}`)).toBe(1);
  });

  it("honors timestamps unless honor_timestamps is false", async () => {
    setBody("a 1 5000\n");
    let { storage, loop } = await setup({});
    await loop.scrapeAndReport(9000);
    expect(storage.committed.find((s) => s.series.startsWith("a{"))!.t).toBe(5000);
    await manager!.stop();
    ({ storage, loop } = await setup({ honorTimestamps: false }));
    await loop.scrapeAndReport(9000);
    expect(storage.committed.find((s) => s.series.startsWith("a{"))!.t).toBe(9000);
  });

  it("fails the scrape past sample_limit, label limits and body_size_limit", async () => {
    setBody('a 1\nb 2\nc{l="a-long-value"} 3\n');
    const cases: Array<[Partial<ScrapeJobOptions>, RegExp]> = [
      [{ sampleLimit: 2 }, /sample limit exceeded/],
      [{ labelLimit: 2 }, /label_limit exceeded/],
      [{ labelValueLengthLimit: 5 }, /label_value_length_limit exceeded/],
      [{ labelNameLengthLimit: 3 }, /label_name_length_limit exceeded/],
      [{ bodySizeLimitBytes: 10 }, /body size limit exceeded/],
    ];
    for (const [opts, msg] of cases) {
      const { storage, loop } = await setup(opts);
      await loop.scrapeAndReport(1000);
      expect(manager!.targets()[0]!.lastError).toMatch(msg);
      expect(storage.committed.filter((s) => /^[abc]\{/.test(s.series))).toEqual([]);
      await manager!.stop();
    }
  });

  it("parses OpenMetrics and gzip bodies and sends params, basic auth and bearer credentials", async () => {
    setBody("# TYPE x counter\nx_total 3 1.5\n# EOF\n", { contentType: "application/openmetrics-text; version=1.0.0", gzip: true });
    const dir = tempDir("scrape-auth");
    try {
      const tokenFile = join(dir.dir, "token");
      writeFileSync(tokenFile, "s3cret\n");
      let { storage, loop } = await setup({ params: { module: ["if_mib"] }, authorization: { credentialsFile: tokenFile }, metricsPath: "/probe" });
      await loop.scrapeAndReport(9000);
      expect(storage.committed.find((s) => s.series.startsWith("x_total{"))).toMatchObject({ t: 1500, v: 3 });
      expect(lastHeaders.authorization).toBe("Bearer s3cret");
      expect(lastHeaders["accept-encoding"]).toBe("gzip");
      expect(lastUrl).toBe("/probe?module=if_mib");
      await manager!.stop();
      ({ storage, loop } = await setup({ basicAuth: { username: "u", password: "p" } }, { __param_module: "other" }));
      await loop.scrapeAndReport(9000);
      expect(lastHeaders.authorization).toBe("Basic " + Buffer.from("u:p").toString("base64"));
      expect(lastUrl).toBe("/metrics?module=other");
    } finally {
      dir.cleanup();
    }
  });

  it("writes stale markers for all series of a target that goes away, and none after shutdown", async () => {
    setBody("a 1\n");
    const storage = new RecordingStorage();
    manager = new ScrapeManager({ appendable: storage });
    await manager.applyConfig([{ jobName: "j", scrapeIntervalMs: 200, scrapeTimeoutMs: 100 }]);
    manager.sync("j", [{ source: "0", targets: [{ __address__: `127.0.0.1:${port}` }], labels: {} }]);
    await waitFor(() => storage.committed.some((s) => s.series.startsWith("a{")), 10_000, "the first scrape");
    manager.sync("j", []);
    expect(manager.targets()).toEqual([]);
    const staleNames = () => new Set(storage.committed.filter((s) => isStaleNaN(s.v)).map((s) => s.series.replace(/\{.*/, "")));
    await waitFor(() => staleNames().size >= 6, 10_000, "end-of-run stale markers");
    expect(staleNames()).toEqual(new Set(["a", "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"]));
    // A target removed just before shutdown gets no markers: Prometheus skips them on exit.
    manager.sync("j", [{ source: "0", targets: [{ __address__: `127.0.0.1:${port}`, x: "2" }], labels: {} }]);
    await waitFor(() => storage.committed.some((s) => s.series.includes('x="2"')), 10_000, "the second target's first scrape");
    manager.sync("j", []);
    const before = storage.committed.length;
    await manager.stop();
    expect(storage.committed.slice(before).filter((s) => isStaleNaN(s.v))).toEqual([]);
  });
});
