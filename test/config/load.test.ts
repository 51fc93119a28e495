import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { loadConfigFile, parseConfig } from "../../src/config/load.js";

const dir = join(import.meta.dirname, "testdata");
const opts = { file: "prometheus.yml", baseDir: "/etc/prometheus" };

describe("parseConfig", () => {
  it("fills in Prometheus' defaults", () => {
    const c = parseConfig("scrape_configs:\n  - job_name: a\n", opts);
    expect(c.global).toEqual({ scrapeIntervalMs: 60_000, scrapeTimeoutMs: 10_000, evaluationIntervalMs: 60_000, externalLabels: [], queryLogFile: "" });
    const sc = c.scrapeConfigs[0];
    expect(sc.metricsPath).toBe("/metrics");
    expect(sc.scheme).toBe("http");
    expect(sc.honorTimestamps).toBe(true);
    expect(sc.honorLabels).toBe(false);
    expect(sc.scrapeIntervalMs).toBe(60_000);
    expect(sc.scrapeTimeoutMs).toBe(10_000);
    expect(c.storage.tsdb.outOfOrderTimeWindowMs).toBe(0);
  });

  it("clamps the default timeout to a short interval", () => {
    const c = parseConfig("global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: a\n    scrape_interval: 2s\n", opts);
    expect(c.global.scrapeTimeoutMs).toBe(5000);
    expect(c.scrapeConfigs[0].scrapeTimeoutMs).toBe(2000);
  });

  it("reads the full fixture", async () => {
    const c = await loadConfigFile(join(dir, "valid", "full.yml"));
    expect(c.global.externalLabels).toEqual([{ name: "region", value: "eu-west" }, { name: "replica", value: "1" }]);
    expect(c.ruleFiles).toEqual([join(dir, "valid", "rules/*.yml")]);
    const p = c.scrapeConfigs[0];
    expect(p.scrapeIntervalMs).toBe(90 * 60_000);
    expect(p.bodySizeLimitBytes).toBe(10 * 2 ** 20);
    expect(p.params).toEqual({ module: ["http_2xx"] });
    expect(p.httpClientConfig.basicAuth).toEqual({ username: "user", password: "secret", passwordFile: "" });
    expect(p.staticConfigs[0].labels).toEqual([{ name: "env", value: "prod" }]);
    expect(p.fileSdConfigs[0].files).toEqual([join(dir, "valid", "targets/*.json")]);
    expect(p.relabelConfigs.map((r) => r.action)).toEqual(["replace", "labeldrop", "hashmod", "labelmap"]);
    expect(c.scrapeConfigs[1].httpClientConfig.authorization).toEqual({ type: "Bearer", credentials: "token", credentialsFile: "" });
    expect(c.alerting.alertmanagers[0].timeoutMs).toBe(5000);
    expect(c.remoteWriteConfigs[0].queueConfig.capacity).toBe(1000);
    expect(c.remoteWriteConfigs[0].queueConfig.maxSamplesPerSend).toBe(500);
    expect(c.remoteReadConfigs[0].remoteTimeoutMs).toBe(60_000);
    expect(c.storage.tsdb.outOfOrderTimeWindowMs).toBe(600_000);
  });

  it("accepts 1h30m and rejects 1.5h with file and line", () => {
    expect(parseConfig("global:\n  scrape_interval: 1h30m\n", opts).global.scrapeIntervalMs).toBe(5_400_000);
    const err = (() => {
      try {
        parseConfig("global:\n  scrape_timeout: 5s\n  scrape_interval: 1.5h\n", opts);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('not a valid duration string: "1.5h" (prometheus.yml:3)');
    expect((err as ConfigError).line).toBe(3);
  });

  it("rejects bad label names, bad regexes and duplicate jobs", () => {
    expect(() => parseConfig('global:\n  external_labels:\n    "a-b": x\n', opts)).toThrow('"a-b" is not a valid label name');
    expect(() => parseConfig('scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - regex: "[a"\n        source_labels: [x]\n        target_label: y\n', opts)).toThrow(/error parsing regexp/);
    expect(() => parseConfig("scrape_configs:\n  - job_name: a\n  - job_name: a\n", opts)).toThrow('found multiple scrape configs with job name "a"');
  });
});
