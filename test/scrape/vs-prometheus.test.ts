// Side by side with Prometheus 2.42 scraping the same node_exporter on loopback: same series
// after metric relabeling, same `up`, and both mark everything stale when the exporter stops.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString } from "../../src/model/labels.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { ScrapeManager } from "../../src/scrape/manager.js";
import type { ScrapeJobOptions } from "../../src/scrape/options.js";
import { startReference, stopChild, waitForChild, type Child } from "../helpers/process.js";
import { referenceBinary, tempDir, waitFor } from "../helpers/reference.js";
import { RecordingStorage } from "./recording-storage.js";

const prometheus = referenceBinary("prometheus");
const exporter = referenceBinary("prometheus-node-exporter");

interface ApiResponse<T> {
  status: string;
  data: T;
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(base + path);
  const body = (await res.json()) as ApiResponse<T>;
  if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.data;
}

describe.runIf(prometheus && exporter)("scraping node_exporter side by side with Prometheus 2.42", () => {
  const procs: Child[] = [];
  const tmp = tempDir("vs-prom");
  let manager: ScrapeManager | undefined;
  afterAll(async () => {
    await manager?.stop();
    for (const p of procs) await stopChild(p);
    tmp.cleanup();
  });

  it("produces the same series, up and staleness", { timeout: 60_000 }, async () => {
    const node = await startReference(
      exporter!,
      (port) => [`--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", "--collector.loadavg", "--collector.meminfo", "--collector.time", "--collector.uname"],
      { ready: async (base) => (await fetch(`${base}/metrics`)).ok },
    );
    procs.push(node);
    const target = new URL(node.base).host;

    // The same job for both: drop Go GC summaries, rename a label, and add a constant one.
    writeFileSync(
      join(tmp.dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, scrape_timeout: 900ms }",
        "scrape_configs:",
        "  - job_name: node",
        `    static_configs: [{ targets: ['${target}'], labels: { env: test } }]`,
        "    metric_relabel_configs:",
        "      - { source_labels: [__name__], regex: 'go_gc_.*|go_memstats_.*', action: drop }",
        "      - { source_labels: [machine], target_label: arch, regex: '(.+)' }",
        "      - { regex: machine, action: labeldrop }",
        "      - { target_label: origin, replacement: scraped }",
      ].join("\n"),
    );
    const prom = await startReference(prometheus!, (port) => [`--config.file=${join(tmp.dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`]);
    procs.push(prom);
    const promBase = prom.base;

    const storage = new RecordingStorage();
    manager = new ScrapeManager({ appendable: storage });
    const job: ScrapeJobOptions = {
      jobName: "node",
      scrapeIntervalMs: 1000,
      scrapeTimeoutMs: 900,
      metricRelabelConfigs: [
        { sourceLabels: ["__name__"], regex: "go_gc_.*|go_memstats_.*", action: "drop" },
        { sourceLabels: ["machine"], targetLabel: "arch", regex: "(.+)" },
        { regex: "machine", action: "labeldrop" },
        { targetLabel: "origin", replacement: "scraped" },
      ],
    };
    await manager.applyConfig([job]);
    manager.sync("node", [{ source: "0", targets: [{ __address__: target }], labels: { env: "test" } }]);

    // Both have scraped a few times.
    await waitForChild(prom, async () => {
      const r = await api<{ result: unknown[] }>(promBase, "/api/v1/query?query=" + encodeURIComponent('count_over_time(up{job="node"}[1m]) >= 2'));
      return r.result.length === 1;
    }, 20_000, "Prometheus to scrape twice");
    await waitFor(() => storage.committed.filter((s) => s.series.startsWith("up{")).length >= 2, 10_000, "two scrapes of ours");

    const promSeries = await api<Record<string, string>[]>(promBase, "/api/v1/series?match[]=" + encodeURIComponent('{job="node"}'));
    const theirs = new Set(promSeries.map((r) => labelsToString(labelsFromRecord(r))));
    const ours = storage.seriesNames();
    expect(ours.size).toBeGreaterThan(20);
    expect([...ours].filter((s) => !theirs.has(s))).toEqual([]);
    expect([...theirs].filter((s) => !ours.has(s))).toEqual([]);
    expect([...ours].some((s) => s.startsWith("node_uname_info{arch=") && s.includes('origin="scraped"'))).toBe(true);
    expect([...ours].some((s) => s.startsWith("go_gc_"))).toBe(false);

    const promUp = await api<{ result: Array<{ value: [number, string] }> }>(promBase, "/api/v1/query?query=" + encodeURIComponent('up{job="node"}'));
    expect(promUp.result[0]!.value[1]).toBe("1");
    expect(manager.targets()[0]!.health).toBe("up");

    // Stop the exporter: both must go down and mark every scraped series stale.
    const stoppedAt = Date.now();
    node.proc.kill("SIGTERM");
    await waitFor(() => manager!.targets()[0]!.health === "down" && manager!.targets()[0]!.lastScrape > stoppedAt, 10_000, "our target down");
    const scraped = [...ours].filter((s) => !/^(up|scrape_[a-z_]+)\{/.test(s));
    const staleSeries = new Set(storage.committed.filter((s) => isStaleNaN(s.v)).map((s) => s.series));
    expect(scraped.filter((s) => !staleSeries.has(s))).toEqual([]);
    await waitForChild(prom, async () => {
      const r = await api<{ result: Array<{ value: [number, string] }> }>(promBase, "/api/v1/query?query=" + encodeURIComponent('up{job="node"}'));
      return r.result[0]?.value[1] === "0";
    }, 10_000, "Prometheus up == 0");
    const left = await api<{ result: unknown[] }>(promBase, "/api/v1/query?query=" + encodeURIComponent('{job="node", __name__!~"up|scrape_.*"}'));
    expect(left.result).toEqual([]);
  });
});
