// Target labels from discovered groups, as Prometheus' populateLabels builds them.
import { describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { ScrapeManager } from "../../src/scrape/manager.js";
import type { ScrapeJobOptions } from "../../src/scrape/options.js";
import { populateTarget } from "../../src/scrape/target.js";
import { RecordingStorage } from "./recording-storage.js";

const job: ScrapeJobOptions = { jobName: "api", scrapeIntervalMs: 15_000, scrapeTimeoutMs: 10_000, params: { module: ["a", "b"] } };

function populate(j: ScrapeJobOptions, target: Record<string, string>, groupLabels: Record<string, string> = {}) {
  return populateTarget(j, { source: "0", targets: [target], labels: groupLabels }, target);
}

describe("populateTarget", () => {
  it("adds defaults, a default port, instance, and drops __meta_ labels after relabeling", () => {
    const r = populate(
      { ...job, relabelConfigs: [{ sourceLabels: ["__meta_zone"], targetLabel: "zone" }] },
      { __address__: "host.example", __meta_zone: "eu" },
      { team: "x" },
    );
    if (!("target" in r)) throw new Error("expected a target");
    expect(labelsToRecord(r.target.allLabels)).toEqual({
      __address__: "host.example:80",
      __metrics_path__: "/metrics",
      __param_module: "a",
      __scheme__: "http",
      __scrape_interval__: "15s",
      __scrape_timeout__: "10s",
      instance: "host.example:80",
      job: "api",
      team: "x",
      zone: "eu",
    });
    expect(labelsToRecord(r.target.labels)).toEqual({ instance: "host.example:80", job: "api", team: "x", zone: "eu" });
    expect(labelsToRecord(r.target.discoveredLabels).__meta_zone).toBe("eu");
    // Every value is sent; __param_module (the first value by default) stands in for the first.
    expect(r.target.scrapeUrl).toBe("http://host.example:80/metrics?module=a&module=b");
    const info = r.target.info("api");
    expect(info).toMatchObject({ scrapePool: "api", health: "unknown", scrapeInterval: "15s", scrapeTimeout: "10s", lastScrape: 0 });
  });

  it("uses 443 for https and per-target interval, path and scheme labels", () => {
    const r = populate(job, { __address__: "[::1]", __scheme__: "https", __metrics_path__: "/m", __scrape_interval__: "30s" });
    if (!("target" in r)) throw new Error("expected a target");
    expect(r.target.scrapeUrl).toBe("https://[::1]:443/m?module=a&module=b");
    expect(r.target.intervalMs).toBe(30_000);
  });

  it("reports relabel-dropped targets and rejects bad ones", () => {
    const dropped = populate({ ...job, relabelConfigs: [{ sourceLabels: ["__address__"], regex: "skip.*", action: "drop" }] }, { __address__: "skip:1" });
    expect("dropped" in dropped && labelsToRecord(dropped.dropped).__address__).toBe("skip:1");
    const noAddr = populate({ ...job, relabelConfigs: [{ targetLabel: "__address__", replacement: "" }] }, { __address__: "a:1" });
    expect("error" in noAddr && noAddr.error.message).toBe("no address");
    const badTimeout = populate(job, { __address__: "a:1", __scrape_timeout__: "1m" });
    expect("error" in badTimeout && badTimeout.error.message).toMatch(/scrape timeout cannot be greater than scrape interval/);
    const badScheme = populate(job, { __address__: "a", __scheme__: "ftp" });
    expect("error" in badScheme && badScheme.error.message).toMatch(/invalid scheme/);
  });

  it("spreads scrape offsets within the interval by target hash", () => {
    const offsets = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = populate(job, { __address__: `h${i}:1` });
      if (!("target" in r)) throw new Error("expected a target");
      const o = r.target.offsetMs(1_000_000, 0);
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThanOrEqual(15_000);
      expect(r.target.offsetMs(1_000_000, 0)).toBe(o);
      offsets.add(o);
    }
    expect(offsets.size).toBeGreaterThan(15);
  });
});

describe("ScrapeManager targets", () => {
  it("lists active and dropped targets and marks all down past target_limit", async () => {
    const storage = new RecordingStorage();
    const m = new ScrapeManager({ appendable: storage });
    try {
      await m.applyConfig([
        { jobName: "a", scrapeIntervalMs: 3_600_000, scrapeTimeoutMs: 1000, relabelConfigs: [{ sourceLabels: ["__address__"], regex: "x:.*", action: "drop" }] },
        { jobName: "b", scrapeIntervalMs: 3_600_000, scrapeTimeoutMs: 1000, targetLimit: 1 },
      ]);
      m.sync("a", [{ source: "0", targets: [{ __address__: "127.0.0.1:1" }, { __address__: "x:1" }], labels: {} }]);
      m.sync("b", [{ source: "0", targets: [{ __address__: "127.0.0.1:2" }, { __address__: "127.0.0.1:3" }], labels: {} }]);
      expect(m.targets().map((t) => `${t.scrapePool} ${t.labels.instance}`)).toEqual(["a 127.0.0.1:1", "b 127.0.0.1:2", "b 127.0.0.1:3"]);
      expect(m.droppedTargets()).toEqual([
        { discoveredLabels: { __address__: "x:1", __metrics_path__: "/metrics", __scheme__: "http", __scrape_interval__: "1h", __scrape_timeout__: "1s", job: "a" } },
      ]);
      for (const loop of m.pool("b")!.activeLoops()) await loop.scrapeAndReport(1000);
      expect(m.pool("b")!.targets().map((t) => t.lastError)).toEqual([
        "target_limit exceeded (number of targets: 2, limit: 1)",
        "target_limit exceeded (number of targets: 2, limit: 1)",
      ]);
      // Removing a job stops its pool; changing nothing keeps the others.
      await m.applyConfig([{ jobName: "a", scrapeIntervalMs: 3_600_000, scrapeTimeoutMs: 1000, relabelConfigs: [{ sourceLabels: ["__address__"], regex: "x:.*", action: "drop" }] }]);
      expect(m.targets().map((t) => t.scrapePool)).toEqual(["a"]);
    } finally {
      await m.stop();
    }
  });
});
