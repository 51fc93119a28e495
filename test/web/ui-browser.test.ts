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
        // $externalURL has no trailing slash, so this is one link, not http://host//graph.
        `        annotations: { summary: always, table: '{{ $externalURL }}{{ tableLink "vector(1) > 0" }}' }`,
        "      - alert: NeverFiring",
        "        expr: vector(1) < 0",
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
        // Two discovered targets, one dropped by relabeling: the service discovery page shows both.
        "  - job_name: dropper",
        '    static_configs: [{ targets: ["127.0.0.1:2", "127.0.0.1:3"] }]',
        '    relabel_configs: [{ source_labels: [__address__], regex: "127.0.0.1:3", action: drop }]',
        "",
      ].join("\n"),
    );
    server = await startServer({
      args: [`--web.listen-address=127.0.0.1:${port}`, `--config.file=${cfg}`, `--storage.tsdb.path=${data}`, `--web.external-url=http://127.0.0.1:${port}/prom/`],
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
    page.on("console", (m) => {
      // The error tests make the API answer 400 on purpose; any other failure counts.
      const expected = / 400 /.test(m.text()) && m.location().url.includes("/api/v1/");
      if (m.type() === "error" && !expected) pageErrors.push(`console: ${m.text()} (${m.location().url})`);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    tmp.cleanup();
  });

  const panel = (i = 0) => page.locator("section.panel").nth(i);
  /** The expression in panel i's editor (CodeMirror: one .cm-line per line). */
  const exprOf = async (i = 0): Promise<string> => (await panel(i).locator(".expr .cm-line").allTextContents()).join("\n");
  const setExpr = (i: number, text: string): Promise<void> => panel(i).locator(".expr .cm-content").fill(text);

  async function execute(tab: "table" | "graph" | "raw", expr: string, opts: { end?: string; range?: string } = {}, i = 0): Promise<void> {
    const p = panel(i);
    await setExpr(i, expr);
    await p.locator("input.end").fill(opts.end ?? "");
    if (opts.range) await p.locator("input.range").fill(opts.range);
    const before = Number((await p.locator(".result").getAttribute("data-done")) ?? "0");
    const tabButton = p.locator(`button[data-tab="${tab}"]`);
    if ((await tabButton.getAttribute("aria-selected")) === "true") await p.locator("button.execute").click();
    else await tabButton.click();
    await waitDone(i, before);
  }

  /** Waits until panel i shows a result newer than run number `before`. */
  async function waitDone(i: number, before: number): Promise<void> {
    await page.waitForFunction(
      ([n, b]) => Number(document.querySelectorAll("section.panel")[n]?.querySelector(".result")?.getAttribute("data-done") ?? "0") > b,
      [i, before] as const,
    );
  }

  it("redirects / to the graph page and renders the table of an instant query as the API returns it", async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/prom/graph");
    await execute("table", "raw_metric", { end: sec(END_MS) });
    const rows = await page.$$eval("section.panel .result-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
    const api = await getJSON(`${base}/api/v1/query?query=raw_metric&time=${sec(END_MS)}`);
    const result = (api.body.data as { result: { metric: Record<string, string>; value: [number, string] }[] }).result;
    expect(result.length).toBe(2);
    expect(rows).toEqual(result.map((r) => [`raw_metric{job="${r.metric.job}"}`, r.value[1]]));
    await page.screenshot({ path: `${SHOTS}-table.png`, fullPage: true });
  });

  it("shows the API's error for a bad query", async () => {
    await execute("table", "rate(raw_metric[5m]");
    const shown = await panel().locator(".result .alert.error").textContent();
    const api = await getJSON(`${base}/api/v1/query?query=${encodeURIComponent("rate(raw_metric[5m]")}`);
    expect(api.status).toBe(400);
    expect(shown).toBe(`Error: ${String(api.body.error)}`);
  });

  it("plots a range query with a legend of the series", async () => {
    await execute("graph", "raw_metric", { end: sec(END_MS), range: "5h" });
    expect(await page.$$eval("section.panel .result .plot canvas", (cs) => cs.length)).toBe(1);
    expect(await page.$$eval("section.panel .result .legend .series-name", (els) => els.map((e) => e.textContent))).toEqual(['raw_metric{job="a"}', 'raw_metric{job="b"}']);
    await page.screenshot({ path: `${SHOTS}-graph.png`, fullPage: true });
  });

  it("decodes the raw chunks in the browser to exactly the samples the server stores", async () => {
    await execute("raw", 'raw_metric{job="a"}', { end: sec(END_MS), range: "5h" });
    expect(await page.$$eval("section.panel .result .alert.error", (els) => els.map((e) => e.textContent))).toEqual([]);
    await page.click("section.panel .result details.raw-series summary");
    // The sample table is built on the details' toggle event, which fires after the click.
    await page.waitForSelector("section.panel .result table.raw-samples tbody tr");
    const samples = await page.$$eval("section.panel .result table.raw-samples tbody tr", (trs) => trs.map((tr) => [Number(tr.getAttribute("data-t")), tr.querySelectorAll("td")[1]?.textContent ?? ""]));
    const api = await getJSON(`${base}/api/v1/query?query=${encodeURIComponent('raw_metric{job="a"}[5h]')}&time=${sec(END_MS)}`);
    const values = (api.body.data as { result: { values: [number, string][] }[] }).result[0].values;
    expect(samples.length).toBe(541);
    expect(samples.map(([t]) => t)).toEqual(values.map(([t]) => Math.round(t * 1000)));
    expect(samples.map(([, v]) => Number(v))).toEqual(values.map(([, v]) => Number(v)));
    const bytesPerSample = Number(await page.textContent("#bytes-per-sample"));
    expect(bytesPerSample).toBeGreaterThan(0.5);
    expect(bytesPerSample).toBeLessThan(16);
    expect(await page.$$eval("section.panel .result table.raw-chunks tbody tr", (trs) => trs.map((tr) => tr.querySelector("td")?.textContent?.split(" ")[0]))).toContain("block");
    await page.screenshot({ path: `${SHOTS}-raw.png` });
  });

  it("shows the API's bad_data error in the raw view for an expression that is not a selector", async () => {
    await execute("raw", "sum(raw_metric)", { end: sec(END_MS), range: "5h" });
    expect(await panel().locator(".result .alert.error").textContent()).toMatch(/^Error: invalid parameter "match\[\]"/);
  });

  async function allTargetsScraped(): Promise<void> {
    await waitFor(async () => {
      const t = await getJSON(`${base}/api/v1/targets`);
      const active = (t.body.data as { activeTargets: { health: string }[] }).activeTargets;
      return active.length === 3 && active.every((a) => a.health !== "unknown") ? true : undefined;
    }, 20_000, "every target scraped");
  }

  const poolRows = () =>
    page.$$eval("details.pool", (ss) =>
      ss.map((s) => ({
        pool: s.getAttribute("data-pool"),
        rows: Array.from(s.querySelectorAll("tbody tr"), (tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")),
      })),
    );

  it("lists targets by pool with state, labels and errors", async () => {
    await allTargetsScraped();
    await page.goto(`${base}/targets`);
    await page.waitForSelector("details.pool");
    const pools = await poolRows();
    const api = await getJSON(`${base}/api/v1/targets`);
    const active = (api.body.data as { activeTargets: { scrapePool: string; scrapeUrl: string; health: string; lastError: string; labels: Record<string, string> }[] }).activeTargets;
    expect(pools.map((p) => p.pool)).toEqual(["dropper", "nothing-there", "self"]);
    for (const p of pools) {
      const t = active.find((a) => a.scrapePool === p.pool)!;
      const [endpoint, state, labels, , , error] = p.rows[0];
      expect(endpoint).toBe(t.scrapeUrl);
      expect(state).toBe(t.health.toUpperCase());
      for (const [k, v] of Object.entries(t.labels)) expect(labels).toContain(`${k}="${v}"`);
      expect(error).toBe(t.lastError);
    }
    expect(pools[1].rows[0][1]).toBe("DOWN");
    expect(pools[1].rows[0][5]).not.toBe("");
    expect(pools[2].rows[0][1]).toBe("UP");
    await page.screenshot({ path: `${SHOTS}-targets.png`, fullPage: true });
  });

  it("filters targets by health and text, and collapses a pool", async () => {
    await page.goto(`${base}/targets`);
    await page.waitForSelector("details.pool");
    await page.check('.filters input[value="up"]');
    expect((await poolRows()).map((p) => p.pool)).toEqual(["self"]);
    await page.uncheck('.filters input[value="up"]');
    await page.check('.filters input[value="down"]');
    expect((await poolRows()).map((p) => p.pool)).toEqual(["dropper", "nothing-there"]);
    await page.uncheck('.filters input[value="down"]');
    await page.fill(".filters input.filter-text", "127.0.0.1:2");
    const shown = await poolRows();
    expect(shown.map((p) => [p.pool, p.rows.length])).toEqual([["dropper", 1]]);
    await page.fill(".filters input.filter-text", "no-such-target");
    expect(await page.textContent(".pools .empty")).toBe("No target matches the filter.");
    await page.fill(".filters input.filter-text", "");
    const self = page.locator('details.pool[data-pool="self"]');
    await self.locator("summary").click();
    await expect.poll(() => self.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await self.locator("table").isVisible()).toBe(false);
  });

  it("shows discovered labels before and after relabeling, and the dropped target", async () => {
    await page.goto(`${base}/service-discovery`);
    await page.waitForSelector("details.pool");
    const pools = await poolRows();
    expect(pools.map((p) => p.pool)).toEqual(["dropper", "nothing-there", "self"]);
    const api = (await getJSON(`${base}/api/v1/targets`)).body.data as {
      activeTargets: { scrapePool: string; discoveredLabels: Record<string, string>; labels: Record<string, string> }[];
      droppedTargets: { discoveredLabels: Record<string, string> }[];
    };
    const dropper = pools[0].rows;
    expect(dropper.length).toBe(2);
    const kept = api.activeTargets.find((t) => t.scrapePool === "dropper")!;
    for (const [k, v] of Object.entries(kept.discoveredLabels)) expect(dropper[0][0]).toContain(`${k}="${v}"`);
    for (const [k, v] of Object.entries(kept.labels)) expect(dropper[0][1]).toContain(`${k}="${v}"`);
    expect(dropper[0][0]).toContain('__address__="127.0.0.1:2"');
    expect(dropper[0][1]).toContain('instance="127.0.0.1:2"');
    expect(api.droppedTargets.map((t) => t.discoveredLabels.__address__)).toEqual(["127.0.0.1:3"]);
    expect(dropper[1][0]).toContain('__address__="127.0.0.1:3"');
    expect(dropper[1][1]).toBe("DROPPED");
    await page.check('.filters input[value="dropped"]');
    expect((await poolRows()).map((p) => [p.pool, p.rows.length])).toEqual([["dropper", 1]]);
    await page.screenshot({ path: `${SHOTS}-service-discovery.png`, fullPage: true });
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
    expect(rows.map(([rule]) => rule.split("\n")[0])).toEqual(["record: job:up:sum", "alert: AlwaysFiring", "alert: NeverFiring"]);
    expect(rows.map(([, health]) => health)).toEqual(["OK", "OK", "OK"]);
  });

  it("filters alerts by state and text", async () => {
    await page.goto(`${base}/alerts`);
    await page.waitForSelector("details.alert-rule");
    const names = () => page.$$eval("details.alert-rule summary", (ss) => ss.map((s) => s.textContent?.split(" ")[1]));
    expect(await names()).toEqual(["AlwaysFiring", "NeverFiring"]);
    await page.check('.filters input[value="inactive"]');
    expect(await names()).toEqual(["NeverFiring"]);
    await page.check('.filters input[value="firing"]');
    expect(await names()).toEqual(["AlwaysFiring", "NeverFiring"]);
    await page.uncheck('.filters input[value="inactive"]');
    expect(await names()).toEqual(["AlwaysFiring"]);
    await page.uncheck('.filters input[value="firing"]');
    await page.fill(".filters input.filter-text", "severity=\"page\"");
    expect(await names()).toEqual(["AlwaysFiring"]);
  });

  it("keeps state badges on one line in narrow columns", async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      for (const path of ["alerts", "targets"]) {
        await page.goto(`${base}/${path}`);
        await page.waitForSelector("table .state");
        const heights = await page.$$eval("table .state", (els) => els.map((e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)));
        expect(heights.length).toBeGreaterThan(0);
        for (const lines of heights) expect(lines).toBeLessThan(1.5);
      }
    } finally {
      await page.setViewportSize({ width: 1200, height: 900 });
    }
  });

  it("opens an alert's links on a table of its expression, without a double slash", async () => {
    await page.goto(`${base}/alerts`);
    await page.waitForSelector("details.alert-rule");
    const rule = page.locator("details.alert-rule").first();
    // The annotation made with {{ $externalURL }}{{ tableLink ... }}: one slash after the prefix.
    const annotation = rule.locator("table.alerts dl.annotations a");
    expect(await annotation.getAttribute("href")).toBe(`${base}/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1`);
    for (const link of [rule.locator("pre.rule a.expr-link"), annotation]) {
      await page.goto(`${base}/alerts`);
      await link.click();
      await page.waitForURL(/\/prom\/graph\?/);
      await waitDone(0, 0);
      expect(await exprOf(0)).toBe("vector(1) > 0");
      expect(await panel().locator('button[data-tab="table"]').getAttribute("aria-selected")).toBe("true");
      expect(await page.$$eval("section.panel .result-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)))).toEqual([["{}", "1"]]);
    }
  });

  it("opens Prometheus g<N>.* links: expression, tab, range, end and step per panel", async () => {
    const endInput = new Date(END_MS).toISOString().slice(0, 19).replace("T", " ");
    const q = new URLSearchParams({
      "g0.expr": "raw_metric",
      "g0.tab": "0",
      "g0.range_input": "5h",
      "g0.end_input": endInput,
      "g0.step_input": "60",
      "g1.expr": 'raw_metric{job="b"}',
      "g1.tab": "1",
      "g1.end_input": endInput,
    });
    await page.goto(`${base}/graph?${q}`);
    await waitDone(0, 0);
    await waitDone(1, 0);
    expect(await page.locator("section.panel").count()).toBe(2);
    const p0 = panel(0);
    expect(await p0.locator('button[data-tab="graph"]').getAttribute("aria-selected")).toBe("true");
    expect([await p0.locator("input.range").inputValue(), await p0.locator("input.end").inputValue(), await p0.locator("input.step").inputValue()]).toEqual(["5h", endInput, "1m"]);
    const start = new Date(END_MS - 5 * 3600_000).toISOString().replace("T", " ").replace(".000Z", "Z");
    const end = new Date(END_MS).toISOString().replace("T", " ").replace(".000Z", "Z");
    expect(await p0.locator(".stats").textContent()).toBe(`2 series from ${start} to ${end}, step 1m.`);
    const p1 = panel(1);
    expect(await p1.locator('button[data-tab="table"]').getAttribute("aria-selected")).toBe("true");
    const api = await getJSON(`${base}/api/v1/query?query=${encodeURIComponent('raw_metric{job="b"}')}&time=${sec(END_MS)}`);
    const value = (api.body.data as { result: { value: [number, string] }[] }).result[0].value[1];
    expect(await p1.locator(".result-table tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)))).toEqual([['raw_metric{job="b"}', value]]);
    // The page writes its state back in the same parameters.
    const back = new URL(page.url()).searchParams;
    expect([back.get("g0.expr"), back.get("g0.tab"), back.get("g0.range_input"), back.get("g0.end_input"), back.get("g0.step_input"), back.get("g1.tab")]).toEqual(["raw_metric", "0", "5h", endInput, "60", "1"]);
  });

  it("adds, duplicates and removes query panels, each with its own tab, and reloads them from the URL", async () => {
    await page.goto(`${base}/graph`);
    await execute("table", 'raw_metric{job="a"}', { end: sec(END_MS) }, 0);
    await page.click("button.add-panel");
    expect(await page.locator("section.panel").count()).toBe(2);
    await execute("graph", "raw_metric", { end: sec(END_MS), range: "5h" }, 1);
    expect(await panel(1).locator(".legend .series-name").allTextContents()).toEqual(['raw_metric{job="a"}', 'raw_metric{job="b"}']);
    expect(await panel(0).locator(".result-table tbody tr").count()).toBe(1);

    await panel(0).locator("button.duplicate").click();
    expect(await page.locator("section.panel").count()).toBe(3);
    await waitDone(1, 0);
    expect(await exprOf(1)).toBe('raw_metric{job="a"}');
    expect(await panel(1).locator(".result-table tbody tr").count()).toBe(1);

    await panel(0).locator("button.remove").click();
    expect(await page.locator("section.panel").count()).toBe(2);
    const params = new URL(page.url()).searchParams;
    expect([params.get("g0.expr"), params.get("g0.tab"), params.get("g1.expr"), params.get("g1.tab"), params.has("g2.expr")]).toEqual(['raw_metric{job="a"}', "1", "raw_metric", "0", false]);

    await page.reload();
    await waitDone(0, 0);
    await waitDone(1, 0);
    expect([await exprOf(0), await exprOf(1)]).toEqual(['raw_metric{job="a"}', "raw_metric"]);
    expect(await panel(1).locator(".legend .series-name").allTextContents()).toEqual(['raw_metric{job="a"}', 'raw_metric{job="b"}']);
    await page.screenshot({ path: `${SHOTS}-panels.png`, fullPage: true });
  });

  const completions = () => page.locator(".cm-tooltip-autocomplete li .cm-completionLabel").allTextContents();

  it("completes metric names, label values and functions from the server as the user types, then runs on Enter", async () => {
    await page.goto(`${base}/graph`);
    const editor = panel(0).locator(".expr .cm-content");
    await editor.click();
    await page.keyboard.type("raw_me");
    await expect.poll(completions).toContain("raw_metric");
    await page.locator(".cm-tooltip-autocomplete li", { hasText: /^raw_metric/ }).click();
    expect(await exprOf(0)).toBe("raw_metric");
    await page.keyboard.type('{job="');
    await expect.poll(completions).toEqual(expect.arrayContaining(["a", "b"]));
    await page.locator(".cm-tooltip-autocomplete li", { hasText: /^b$/ }).click();
    expect(await exprOf(0)).toBe('raw_metric{job="b"}');
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await waitDone(0, 0);
    expect(await panel(0).locator(".result-table tbody tr td").first().textContent()).toBe('raw_metric{job="b"}');

    await setExpr(0, "");
    await editor.click();
    await page.keyboard.type("histogram_qu");
    await expect.poll(completions).toContain("histogram_quantile");
    await page.keyboard.press("Escape");
  });

  it("highlights and lints PromQL in the editor", async () => {
    await page.goto(`${base}/graph`);
    await setExpr(0, "rate(raw_metric[5m])");
    const colors = await panel(0).locator(".expr .cm-line").evaluate((line) => {
      const color = (el: Element) => getComputedStyle(el).color;
      const span = (text: string) => Array.from(line.querySelectorAll("span")).find((s) => s.textContent === text);
      return { line: color(line), rate: span("rate") ? color(span("rate")!) : "", duration: span("5m") ? color(span("5m")!) : "" };
    });
    expect(colors.rate).not.toBe("");
    expect(colors.rate).not.toBe(colors.line);
    expect(colors.duration).not.toBe(colors.line);
    expect(colors.duration).not.toBe(colors.rate);
    expect(await panel(0).locator(".cm-lintRange-error").count()).toBe(0);
    // rate() needs a range vector: the linter marks the instant selector.
    await setExpr(0, "rate(raw_metric)");
    expect(await panel(0).locator(".cm-lintRange-error").first().textContent()).toBe("raw_metric");
  });

  it("formats the expression with format_query and keeps a query history", async () => {
    await page.goto(`${base}/graph`);
    await page.evaluate(() => localStorage.clear());
    const ugly = "sum(rate(raw_metric[5m]))by(job)";
    await setExpr(0, ugly);
    await panel(0).locator("button.format").click();
    const api = await getJSON(`${base}/api/v1/format_query?query=${encodeURIComponent(ugly)}`);
    expect(api.body.data).not.toBe(ugly);
    await expect.poll(() => exprOf(0)).toBe(api.body.data);

    await execute("table", 'raw_metric{job="a"}', { end: sec(END_MS) });
    await execute("table", "vector(2)", { end: sec(END_MS) });
    await panel(0).locator("details.history summary").click();
    // The list is drawn on the details' toggle event, which fires after the click.
    await expect.poll(() => panel(0).locator("ul.history-list li").allTextContents()).toEqual(["vector(2)", 'raw_metric{job="a"}']);
    const before = Number(await panel(0).locator(".result").getAttribute("data-done"));
    await panel(0).locator("ul.history-list button", { hasText: "raw_metric" }).click();
    await waitDone(0, before);
    expect(await exprOf(0)).toBe('raw_metric{job="a"}');
    expect(await panel(0).locator(".result-table tbody tr td").first().textContent()).toBe('raw_metric{job="a"}');
    await page.screenshot({ path: `${SHOTS}-editor.png` });
  });

  /** Panel 0's graph of expr over the hour before END_MS at a 1m step. */
  async function graphHour(expr: string): Promise<{ box: { x: number; y: number; width: number; height: number } }> {
    await page.goto(`${base}/graph`);
    await panel(0).locator("input.step").fill("1m");
    await execute("graph", expr, { end: sec(END_MS), range: "1h" });
    const box = (await panel(0).locator(".plot .u-over").boundingBox())!;
    return { box };
  }

  const tooltip = () => panel(0).locator(".plot-tooltip");
  async function hover(box: { x: number; y: number; width: number; height: number }, fx: number, fy: number): Promise<{ series: string; value: string; t: number; time: string }> {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
    await tooltip().waitFor({ state: "visible" });
    return {
      series: (await tooltip().locator(".series-name").textContent()) ?? "",
      value: (await tooltip().locator(".plot-tooltip-value").textContent()) ?? "",
      t: Number(await tooltip().getAttribute("data-t")),
      time: (await tooltip().locator(".plot-tooltip-time").textContent()) ?? "",
    };
  }

  async function rangeValues(expr: string): Promise<Map<number, string>> {
    const api = await getJSON(`${base}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${sec(END_MS - 3600_000)}&end=${sec(END_MS)}&step=60`);
    const result = (api.body.data as { result: { values: [number, string][] }[] }).result;
    return new Map(result[0].values.map(([t, v]) => [Math.round(t * 1000), v]));
  }

  // Two dense series far apart: raw_metric{job="a"} (about 1700) and {job="zero"} (0).
  const A_AND_ZERO = 'raw_metric{job="a"} or label_replace(raw_metric{job="a"} * 0, "job", "zero", "", "")';

  it("shows the hovered series' labels, value and time in a tooltip, and isolates or toggles series from the legend", async () => {
    const { box } = await graphHour(A_AND_ZERO);
    const a = await rangeValues('raw_metric{job="a"}');
    const top = await hover(box, 0.5, 0.05);
    expect(top.series).toBe('raw_metric{job="a"}');
    expect(top.value).toBe(a.get(top.t));
    expect(top.time).toBe(new Date(top.t).toISOString().replace("T", " ").replace(".000Z", "Z"));
    expect((await hover(box, 0.5, 0.97)).series).toBe('{job="zero"}');
    expect((await hover(box, 0.5, 0.97)).value).toBe("0");
    await page.screenshot({ path: `${SHOTS}-graph-tooltip.png` });

    const legend = panel(0).locator(".plot-legend li");
    const pressed = () => legend.evaluateAll((lis) => lis.map((li) => li.getAttribute("aria-pressed")));
    // A click isolates: only raw_metric{job="a"} is left to hover, even at the bottom.
    await legend.nth(0).click();
    expect(await pressed()).toEqual(["true", "false"]);
    expect((await hover(box, 0.5, 0.97)).series).toBe('raw_metric{job="a"}');
    // Clicking the only shown series shows all again.
    await legend.nth(0).click();
    expect(await pressed()).toEqual(["true", "true"]);
    expect((await hover(box, 0.5, 0.97)).series).toBe('{job="zero"}');
    // Ctrl-click toggles one series.
    await legend.nth(1).click({ modifiers: ["Control"] });
    expect(await pressed()).toEqual(["true", "false"]);
    expect((await hover(box, 0.5, 0.97)).series).toBe('raw_metric{job="a"}');
  });

  it("zooms into a dragged range: the panel's range and end follow and the graph is queried again", async () => {
    const { box } = await graphHour('raw_metric{job="a"}');
    const before = Number(await panel(0).locator(".result").getAttribute("data-done"));
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, y, { steps: 8 });
    await page.mouse.up();
    await waitDone(0, before);
    const range = await panel(0).locator("input.range").inputValue();
    const end = Date.parse(await panel(0).locator("input.end").inputValue());
    const rangeMs = (Number(/^(\d+)m/.exec(range)?.[1] ?? 0) * 60 + Number(/(\d+)s$/.exec(range)?.[1] ?? 0)) * 1000;
    // Half of the hour, give or take the pixels of the drag.
    expect(rangeMs).toBeGreaterThan(25 * 60_000);
    expect(rangeMs).toBeLessThan(35 * 60_000);
    expect(end).toBeGreaterThan(END_MS - 20 * 60_000);
    expect(end).toBeLessThan(END_MS - 10 * 60_000);
    const stats = await panel(0).locator(".stats").textContent();
    expect(stats).toContain(`to ${new Date(end).toISOString().replace("T", " ").replace(".000Z", "Z")}`);
    expect(new URL(page.url()).searchParams.get("g0.range_input")).toBe(range);
  });

  it("stacks series: the y axis holds their sum, the tooltip still shows each value", async () => {
    const twin = 'raw_metric{job="a"} or label_replace(raw_metric{job="a"}, "job", "twin", "", "")';
    const { box } = await graphHour(twin);
    const values = [...(await rangeValues('raw_metric{job="a"}')).values()].map(Number);
    const plot = panel(0).locator(".plot");
    expect(Number(await plot.getAttribute("data-y-max"))).toBeLessThan(2 * Math.min(...values));
    const before = Number(await panel(0).locator(".result").getAttribute("data-done"));
    await panel(0).locator("select.display-mode").selectOption("stacked");
    await waitDone(0, before);
    expect(Number(await panel(0).locator(".plot").getAttribute("data-y-max"))).toBeGreaterThanOrEqual(2 * Math.max(...values));
    expect(new URL(page.url()).searchParams.get("g0.display_mode")).toBe("stacked");
    const a = await rangeValues('raw_metric{job="a"}');
    const top = await hover(box, 0.5, 0.05);
    expect(top.value).toBe(a.get(top.t));
    await page.screenshot({ path: `${SHOTS}-graph-stacked.png` });
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
