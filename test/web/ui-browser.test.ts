// The web UI in headless Chromium against a real server (under a route prefix, scraping
// itself, with rules): the table shows what /api/v1/query returns, the raw view decodes
// chunks in the browser with the WASM codec to exactly the stored samples, and the
// targets, alerts, rules and status pages show what their API endpoints return.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/cmd/server.js";
import { freePort, referenceBinary, tempDir, waitFor } from "../helpers/reference.js";
import { getJSON } from "./helpers.js";
import { END_MS, seedChunkData } from "./ui-helpers.js";

const chromiumPath = referenceBinary("chromium");
const sec = (ms: number): string => String(ms / 1000);
const SHOTS = "/tmp/promwasm-ui";

describe.skipIf(!chromiumPath)("web UI in headless Chromium", () => {
  const tmp = tempDir("web-ui-browser");
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const data = join(tmp.dir, "data");
    await seedChunkData(data);
    const port = await freePort();
    writeFileSync(
      join(tmp.dir, "rules.yml"),
      [
        "groups:",
        "  - name: ui-test",
        "    interval: 1s",
        "    rules:",
        "      - record: job:up:sum",
        "        expr: sum by (job) (up)",
        "      - alert: AlwaysFiring",
        "        expr: vector(1) > 0",
        "        labels: { severity: page }",
        "        annotations: { summary: always }",
        "",
      ].join("\n"),
    );
    const cfg = join(tmp.dir, "prometheus.yml");
    writeFileSync(
      cfg,
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        "rule_files: [rules.yml]",
        "scrape_configs:",
        "  - job_name: self",
        "    metrics_path: /prom/metrics",
        `    static_configs: [{ targets: ["127.0.0.1:${port}"] }]`,
        "  - job_name: nothing-there",
        // Port 1 on loopback refuses connections: a target that is down with an error.
        '    static_configs: [{ targets: ["127.0.0.1:1"] }]',
        "",
      ].join("\n"),
    );
    server = await startServer({
      args: [`--web.listen-address=127.0.0.1:${port}`, `--config.file=${cfg}`, `--storage.tsdb.path=${data}`, "--web.route-prefix=/prom"],
      logWrite: () => {},
    });
    base = `http://127.0.0.1:${port}/prom`;
    await waitFor(async () => (await fetch(`${base}/-/ready`)).ok || undefined, 20_000, "server ready");
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
      timeout: 60_000,
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (e) => pageErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    tmp.cleanup();
  });

  async function execute(tab: "table" | "graph" | "raw", expr: string, opts: { end?: string; range?: string } = {}): Promise<void> {
    await page.fill("#expr", expr);
    await page.fill("#end", opts.end ?? "");
    if (opts.range) await page.fill("#range", opts.range);
    const before = Number((await page.getAttribute("#result", "data-done")) ?? "0");
    if ((await page.getAttribute(`button[data-tab="${tab}"]`, "aria-selected")) === "true") await page.click("#execute");
    else await page.click(`button[data-tab="${tab}"]`);
    await page.waitForFunction((n) => Number(document.getElementById("result")?.getAttribute("data-done") ?? "0") > n, before);
  }

  it("redirects / to the graph page and renders the table of an instant query as the API returns it", async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/prom/graph");
    await execute("table", "raw_metric", { end: sec(END_MS) });
    const rows = await page.$$eval("#result-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
    const api = await getJSON(`${base}/api/v1/query?query=raw_metric&time=${sec(END_MS)}`);
    const result = (api.body.data as { result: { metric: Record<string, string>; value: [number, string] }[] }).result;
    expect(result.length).toBe(2);
    expect(rows).toEqual(result.map((r) => [`raw_metric{job="${r.metric.job}"}`, r.value[1]]));
    await page.screenshot({ path: `${SHOTS}-table.png`, fullPage: true });
  });

  it("shows the API's error for a bad query", async () => {
    await execute("table", "rate(raw_metric[5m]");
    const shown = await page.textContent("#result .alert.error");
    const api = await getJSON(`${base}/api/v1/query?query=${encodeURIComponent("rate(raw_metric[5m]")}`);
    expect(api.status).toBe(400);
    expect(shown).toBe(`Error: ${String(api.body.error)}`);
  });

  it("plots a range query with a legend of the series", async () => {
    await execute("graph", "raw_metric", { end: sec(END_MS), range: "5h" });
    expect(await page.$$eval("#result canvas.chart", (cs) => cs.length)).toBe(1);
    expect(await page.$$eval("#result .legend .series-name", (els) => els.map((e) => e.textContent))).toEqual(['raw_metric{job="a"}', 'raw_metric{job="b"}']);
    await page.screenshot({ path: `${SHOTS}-graph.png`, fullPage: true });
  });

  it("decodes the raw chunks in the browser to exactly the samples the server stores", async () => {
    await execute("raw", 'raw_metric{job="a"}', { end: sec(END_MS), range: "5h" });
    expect(await page.$$eval("#result .alert.error", (els) => els.map((e) => e.textContent))).toEqual([]);
    await page.click("#result details.raw-series summary");
    // The sample table is built on the details' toggle event, which fires after the click.
    await page.waitForSelector("#result table.raw-samples tbody tr");
    const samples = await page.$$eval("#result table.raw-samples tbody tr", (trs) => trs.map((tr) => [Number(tr.getAttribute("data-t")), tr.querySelectorAll("td")[1]?.textContent ?? ""]));
    const api = await getJSON(`${base}/api/v1/query?query=${encodeURIComponent('raw_metric{job="a"}[5h]')}&time=${sec(END_MS)}`);
    const values = (api.body.data as { result: { values: [number, string][] }[] }).result[0].values;
    expect(samples.length).toBe(541);
    expect(samples.map(([t]) => t)).toEqual(values.map(([t]) => Math.round(t * 1000)));
    expect(samples.map(([, v]) => Number(v))).toEqual(values.map(([, v]) => Number(v)));
    const bytesPerSample = Number(await page.textContent("#bytes-per-sample"));
    expect(bytesPerSample).toBeGreaterThan(0.5);
    expect(bytesPerSample).toBeLessThan(16);
    expect(await page.$$eval("#result table.raw-chunks tbody tr", (trs) => trs.map((tr) => tr.querySelector("td")?.textContent?.split(" ")[0]))).toContain("block");
    await page.screenshot({ path: `${SHOTS}-raw.png` });
  });

  it("shows the API's bad_data error in the raw view for an expression that is not a selector", async () => {
    await execute("raw", "sum(raw_metric)", { end: sec(END_MS), range: "5h" });
    expect(await page.textContent("#result .alert.error")).toMatch(/^Error: invalid parameter "match\[\]"/);
  });

  it("lists targets by pool with state, labels and errors", async () => {
    await waitFor(async () => {
      const t = await getJSON(`${base}/api/v1/targets`);
      const active = (t.body.data as { activeTargets: { health: string }[] }).activeTargets;
      return active.length === 2 && active.every((a) => a.health !== "unknown") ? true : undefined;
    }, 20_000, "both targets scraped");
    await page.goto(`${base}/targets`);
    await page.waitForSelector("section.pool");
    const pools = await page.$$eval("section.pool", (ss) =>
      ss.map((s) => ({
        pool: s.getAttribute("data-pool"),
        rows: Array.from(s.querySelectorAll("tbody tr"), (tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")),
      })),
    );
    const api = await getJSON(`${base}/api/v1/targets`);
    const active = (api.body.data as { activeTargets: { scrapePool: string; scrapeUrl: string; health: string; lastError: string; labels: Record<string, string> }[] }).activeTargets;
    expect(pools.map((p) => p.pool)).toEqual(["nothing-there", "self"]);
    for (const p of pools) {
      const t = active.find((a) => a.scrapePool === p.pool)!;
      const [endpoint, state, labels, , , error] = p.rows[0];
      expect(endpoint).toBe(t.scrapeUrl);
      expect(state).toBe(t.health.toUpperCase());
      for (const [k, v] of Object.entries(t.labels)) expect(labels).toContain(`${k}="${v}"`);
      expect(error).toBe(t.lastError);
    }
    expect(pools[0].rows[0][1]).toBe("DOWN");
    expect(pools[0].rows[0][5]).not.toBe("");
    expect(pools[1].rows[0][1]).toBe("UP");
    await page.screenshot({ path: `${SHOTS}-targets.png`, fullPage: true });
  });

  it("shows firing alerts and rule health", async () => {
    await waitFor(async () => {
      const a = await getJSON(`${base}/api/v1/alerts`);
      return (a.body.data as { alerts: unknown[] }).alerts.length > 0 ? true : undefined;
    }, 20_000, "alert firing");
    await page.goto(`${base}/alerts`);
    await page.waitForSelector("details.alert-rule");
    expect(await page.textContent("details.alert-rule summary")).toMatch(/^FIRING AlwaysFiring \(1 active\)/);
    expect(await page.textContent("details.alert-rule table.alerts tbody")).toContain('severity="page"');
    await page.screenshot({ path: `${SHOTS}-alerts.png`, fullPage: true });

    await page.goto(`${base}/rules`);
    await page.waitForSelector("table.rules");
    const rows = await page.$$eval("table.rules tbody tr", (trs) => trs.map((tr) => [tr.querySelector("pre")?.textContent ?? "", tr.querySelectorAll("td")[1]?.textContent ?? ""]));
    expect(rows.map(([rule]) => rule.split("\n")[0])).toEqual(["record: job:up:sum", "alert: AlwaysFiring"]);
    expect(rows.map(([, health]) => health)).toEqual(["OK", "OK"]);
  });

  it("shows status, flags, configuration and TSDB stats from the status API", async () => {
    await page.goto(`${base}/config`);
    await page.waitForSelector("#config-yaml");
    const cfg = await getJSON(`${base}/api/v1/status/config`);
    expect(await page.textContent("#config-yaml")).toBe((cfg.body.data as { yaml: string }).yaml);

    await page.goto(`${base}/flags`);
    await page.waitForSelector("table.flags");
    const flags = Object.fromEntries(await page.$$eval("table.flags tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? ""))));
    expect(flags).toEqual((await getJSON(`${base}/api/v1/status/flags`)).body.data);

    await page.goto(`${base}/status`);
    await page.waitForSelector("table.build");
    const build = (await getJSON(`${base}/api/v1/status/buildinfo`)).body.data as Record<string, string>;
    expect(await page.textContent("table.build")).toContain(build.version);
    expect(await page.textContent("table.runtime")).toContain("storageRetention");

    await page.goto(`${base}/tsdb-status`);
    await page.waitForSelector("table.head-stats");
    const firstRow = await page.$$eval("table.head-stats tbody td", (tds) => tds.map((td) => td.textContent));
    const tsdb = (await getJSON(`${base}/api/v1/status/tsdb`)).body.data as { headStats: { numSeries: number } };
    // Scrapes keep adding series, so the page may be a moment behind.
    expect(Number(firstRow[0])).toBeGreaterThan(2);
    expect(Number(firstRow[0])).toBeLessThanOrEqual(tsdb.headStats.numSeries);
    await page.screenshot({ path: `${SHOTS}-tsdb.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
