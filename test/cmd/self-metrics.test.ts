// A running server's /metrics carries the self-monitoring names Prometheus dashboards use,
// with sane values: it scrapes itself every second (one job over its sample_limit), evaluates
// a rule every second and has one (unreachable) Alertmanager configured.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/cmd/server.js";
import { freePort, tempDir, waitFor } from "../helpers/reference.js";

const tmp = tempDir("cmd-self-metrics");
let server: RunningServer;
let base: string;
let rulesFile: string;
let amUrl: string;

beforeAll(async () => {
  const port = await freePort();
  const amPort = await freePort();
  amUrl = `http://127.0.0.1:${amPort}/api/v2/alerts`;
  mkdirSync(tmp.dir, { recursive: true });
  rulesFile = join(tmp.dir, "rules.yml");
  writeFileSync(rulesFile, "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n");
  const cfg = join(tmp.dir, "prometheus.yml");
  writeFileSync(
    cfg,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "  evaluation_interval: 1s",
      "rule_files: [rules.yml]",
      "alerting:",
      "  alertmanagers:",
      "    - static_configs:",
      `        - targets: ["127.0.0.1:${amPort}"]`,
      "scrape_configs:",
      "  - job_name: self",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${port}"]`,
      "  - job_name: limited",
      "    sample_limit: 1",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${port}"]`,
      "",
    ].join("\n"),
  );
  server = await startServer({ args: [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`], logWrite: () => {} });
  base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, 20_000, "ready");
}, 30_000);

afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

/** Sample values of /metrics by the series as written (name{labels}). */
async function scrapeMetrics(): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function value(m: Map<string, number>, series: string): number {
  const v = m.get(series);
  if (v === undefined) throw new Error(`${series} missing from /metrics; have ${[...m.keys()].filter((k) => k.startsWith(series.split("{")[0])).join(", ")}`);
  return v;
}

describe("self-monitoring", () => {
  it("exposes Prometheus' names with sane values", async () => {
    const q = await fetch(`${base}/api/v1/query?query=up`);
    expect(q.status).toBe(200);
    // How many scrapes and evaluations have run by now depends on the machine's load: wait
    // until there are enough of each for the checks below.
    const group = `${rulesFile};g`;
    const m = await waitFor(
      async () => {
        const got = await scrapeMetrics();
        const atLeast = (series: string, min: number) => (got.get(series) ?? 0) >= min;
        const enough =
          atLeast('prometheus_target_interval_length_seconds_count{interval="1s"}', 6) &&
          // Every scrape of the limited job exceeds its limit of one sample.
          atLeast("prometheus_target_scrapes_exceeded_sample_limit_total", 3) &&
          atLeast(`prometheus_rule_evaluations_total{rule_group="${group}"}`, 2);
        return enough ? got : undefined;
      },
      30_000,
      "six interval observations, three scrapes over the sample limit and two rule evaluations",
    );

    // The loop keeps to its 1s grid, so one late scrape (a loaded machine) makes one interval
    // longer and the next shorter: the extremes follow the load; the median stays near 1s.
    const quantiles = ["0.01", "0.05", "0.5", "0.9", "0.99"].map((q) => value(m, `prometheus_target_interval_length_seconds{interval="1s",quantile="${q}"}`));
    expect(quantiles[0]).toBeGreaterThan(0);
    for (let i = 1; i < quantiles.length; i++) expect(quantiles[i]).toBeGreaterThanOrEqual(quantiles[i - 1]);
    expect(Math.abs(quantiles[2] - 1)).toBeLessThan(0.2);
    const intervals = value(m, 'prometheus_target_interval_length_seconds_count{interval="1s"}');
    expect(value(m, 'prometheus_target_interval_length_seconds_sum{interval="1s"}') / intervals).toBeGreaterThan(0.8);

    expect(value(m, "prometheus_tsdb_head_series")).toBeGreaterThan(10);
    expect(value(m, "prometheus_tsdb_head_samples_appended_total")).toBeGreaterThan(10);
    expect(value(m, "prometheus_tsdb_compactions_total")).toBe(0);
    // Head memory by kind: every scraped series has a label set, postings and an open chunk.
    for (const kind of ["series", "labels", "postings", "open_chunks"]) expect(value(m, `promwasm_tsdb_head_bytes{kind="${kind}"}`)).toBeGreaterThan(0);
    expect(value(m, "promwasm_scrape_cache_bytes")).toBeGreaterThan(0);
    expect(value(m, "prometheus_tsdb_wal_corruptions_total")).toBe(0);
    expect(value(m, 'prometheus_http_requests_total{code="200",handler="/metrics"}')).toBeGreaterThanOrEqual(6);
    expect(value(m, 'prometheus_http_requests_total{code="200",handler="/api/v1/query"}')).toBe(1);
    expect(value(m, 'prometheus_http_request_duration_seconds_bucket{handler="/metrics",le="+Inf"}')).toBeGreaterThanOrEqual(6);
    // The API query and the rule evaluations all go through the engine.
    expect(value(m, 'prometheus_engine_query_duration_seconds_count{slice="inner_eval"}')).toBeGreaterThanOrEqual(2);
    for (const slice of ["queue_time", "prepare_time", "inner_eval", "result_sort"]) {
      const v = value(m, `prometheus_engine_query_duration_seconds{slice="${slice}",quantile="0.9"}`);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(5);
    }
    expect(value(m, 'prometheus_sd_discovered_targets{config="self",name="scrape"}')).toBe(1);
    expect(value(m, 'prometheus_sd_discovered_targets{config="limited",name="scrape"}')).toBe(1);
    expect(value(m, "prometheus_target_scrape_pools_total")).toBe(2);
    expect(value(m, `prometheus_rule_evaluation_failures_total{rule_group="${group}"}`)).toBe(0);
    expect(value(m, `prometheus_notifications_sent_total{alertmanager="${amUrl}"}`)).toBe(0);
    expect(value(m, "prometheus_ready")).toBe(1);
  }, 40_000);

  it("serves the same values through PromQL once scraped", async () => {
    const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent('prometheus_target_interval_length_seconds{job="self",quantile="0.5"}')}`);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0].metric.interval).toBe("1s");
    expect(Math.abs(Number(body.data.result[0].value[1]) - 1)).toBeLessThan(0.2);
  });
});
