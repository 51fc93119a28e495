// Anchors, aliases and merge keys read as Go's YAML decoders read them (promtool accepts
// them; check-config.test.ts compares the fixtures' verdicts with promtool's).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { parseRuleFile } from "../../src/rules/rule-file.js";

const testdata = join(import.meta.dirname, "testdata");
const opts = { file: "prometheus.yml", baseDir: "/etc/prometheus" };

// testdata/valid/anchors.yml written out by hand, without anchors.
const EXPANDED = `
global:
  scrape_interval: 15s
  external_labels:
    region: eu
scrape_configs:
  - job_name: base
    scrape_interval: 30s
    static_configs:
      - targets: ["localhost:9100", "localhost:9101"]
        labels: { region: eu }
  - job_name: merged
    scrape_interval: 30s
    scrape_timeout: 5s
    static_configs:
      - targets: ["localhost:9100", "localhost:9101"]
        labels: { region: eu }
  - job_name: merged-list
    scrape_interval: 30s
    metrics_path: /m
    static_configs:
      - targets: ["localhost:9100", "localhost:9101"]
`;

describe("YAML anchors, aliases and merge keys", () => {
  it("load into the same config as the document written out", () => {
    const anchored = parseConfig(readFileSync(join(testdata, "valid", "anchors.yml"), "utf8"), opts);
    // source keeps the text as written, for /api/v1/status/config.
    expect({ ...anchored, source: undefined }).toEqual({ ...parseConfig(EXPANDED, opts), source: undefined });
    expect(anchored.scrapeConfigs.map((s) => [s.jobName, s.scrapeIntervalMs, s.scrapeTimeoutMs, s.metricsPath])).toEqual([
      ["base", 30_000, 10_000, "/metrics"],
      ["merged", 30_000, 5000, "/metrics"],
      ["merged-list", 30_000, 10_000, "/m"],
    ]);
  });

  it("refuse a billion-laughs document as excessive aliasing", () => {
    const text = readFileSync(join(testdata, "invalid", "anchors-bomb.yml"), "utf8");
    expect(() => parseConfig(text, opts)).toThrow(/yaml: document contains excessive aliasing/);
  });

  it("accept a large config that merges one anchor into every job", () => {
    const jobs = Array.from({ length: 5000 }, (_, i) => `  - <<: *defaults\n    job_name: job${i}\n`).join("");
    // The anchor sits on the first job: an unknown top-level key would be an error.
    const first = `scrape_configs:\n  - &defaults\n    job_name: first\n    scrape_interval: 5s\n    scrape_timeout: 1s\n    metrics_path: /probe\n    static_configs: [{targets: ["h:1"]}]\n`;
    const c = parseConfig(first + jobs, opts);
    expect(c.scrapeConfigs.length).toBe(5001);
    expect(c.scrapeConfigs[5000]).toMatchObject({ jobName: "job4999", scrapeIntervalMs: 5000, scrapeTimeoutMs: 1000, metricsPath: "/probe" });
  });

  it("work in rule files", () => {
    const groups = parseRuleFile(readFileSync(join(import.meta.dirname, "..", "rules", "testdata", "good", "anchors.yml"), "utf8"), "anchors.yml");
    const rules = groups[0].rules;
    expect(rules.map((r) => [r.alert || r.record, r.expr, r.forMs, r.labels])).toEqual([
      ["InstanceDown", "up == 0", 300_000, [["severity", "page"]]],
      ["InstanceDownLong", "up == 0", 3_600_000, [["severity", "page"]]],
      ["job:up:sum", "sum by (job) (up)", 0, [["severity", "page"]]],
    ]);
  });
});
