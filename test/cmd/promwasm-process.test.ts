// The promwasm bin as a real child process: built-in config, reload via /-/reload and SIGHUP
// (a broken config is rejected and the old targets keep being scraped), clean SIGTERM.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeTargets, query, spawnPromwasm, startPromwasm, stopChild, waitForChild, waitReady, type Child } from "../helpers/process.js";
import { listen, tempDir } from "../helpers/reference.js";

const tmp = tempDir("cmd-process");
const children: Child[] = [];
// The scrape target of the reload test, on a port the kernel picked.
let exporter: HttpServer;
let exporterPort = 0;

beforeAll(async () => {
  exporter = createServer((_req, res) => res.end("exported_value 1\n"));
  exporterPort = await listen(exporter);
});

afterAll(async () => {
  for (const c of children) await stopChild(c);
  await new Promise((r) => exporter?.close(r));
  tmp.cleanup();
});

function config(port: number, jobs: string[]): string {
  return [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "scrape_configs:",
    ...jobs.flatMap((job) => [`  - job_name: ${job}`, "    static_configs:", `      - targets: ["127.0.0.1:${port}"]`]),
    "",
  ].join("\n");
}

async function metricValue(base: string, name: string): Promise<string | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
}

describe("promwasm process", () => {
  it("runs the built-in config when there is no prometheus.yml, scraping itself", async () => {
    const cwd = join(tmp.dir, "embedded");
    mkdirSync(cwd, { recursive: true });
    const child = await startPromwasm([], cwd);
    children.push(child);
    const { base } = child;
    await waitReady(child);
    expect(child.logs()).toContain("No config file found; using the built-in config");
    const targets = await activeTargets(base);
    expect(targets.map((t) => t.scrapePool)).toEqual(["promwasm"]);
    // The first self-scrape happens within one 15s interval.
    await waitForChild(child, async () => (await query(base, 'up{job="promwasm"} == 1')).length === 1, 25_000, "self-scrape");
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 60_000);

  it("reloads via /-/reload and SIGHUP, keeps the old config when the new one is broken, exits on SIGTERM", async () => {
    const cwd = join(tmp.dir, "reload");
    mkdirSync(cwd, { recursive: true });
    const cfgPath = join(cwd, "prometheus.yml");
    writeFileSync(cfgPath, config(exporterPort, ["first"]));
    const child = await startPromwasm([`--config.file=${cfgPath}`, "--web.enable-lifecycle", `--storage.tsdb.path=${join(cwd, "data")}`], cwd);
    children.push(child);
    const { base } = child;
    await waitReady(child);
    await waitForChild(child, async () => (await query(base, 'up{job="first"} == 1')).length === 1, 20_000, "first job scraped");

    // Add a job through the HTTP lifecycle endpoint.
    writeFileSync(cfgPath, config(exporterPort, ["first", "second"]));
    const ok = await fetch(`${base}/-/reload`, { method: "POST" });
    expect(ok.status).toBe(200);
    await waitForChild(child, async () => (await query(base, 'up{job="second"} == 1')).length === 1, 20_000, "second job scraped");
    expect(await metricValue(base, "prometheus_config_last_reload_successful")).toBe("1");

    // A broken config is rejected; both jobs keep being scraped.
    writeFileSync(cfgPath, config(exporterPort, ["first", "second"]) + "  - job_name: first\n");
    const bad = await fetch(`${base}/-/reload`, { method: "POST" });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toContain('found multiple scrape configs with job name "first"');
    expect(await metricValue(base, "prometheus_config_last_reload_successful")).toBe("0");
    const before = (await activeTargets(base)).map((t) => Date.parse(t.lastScrape));
    expect(before).toHaveLength(2);
    await waitForChild(child, async () => {
      const now = (await activeTargets(base)).map((t) => Date.parse(t.lastScrape));
      return now.length === 2 && now.every((t, i) => t > before[i]);
    }, 10_000, "old targets scraped again");
    const runtime = (await (await fetch(`${base}/api/v1/status/runtimeinfo`)).json()) as { data: { reloadConfigSuccess: boolean } };
    expect(runtime.data.reloadConfigSuccess).toBe(false);

    // SIGHUP runs the same reload: drop the second job.
    writeFileSync(cfgPath, config(exporterPort, ["first"]));
    child.proc.kill("SIGHUP");
    await waitForChild(child, async () => (await metricValue(base, "prometheus_config_last_reload_successful")) === "1", 10_000, "SIGHUP reload");
    await waitForChild(child, async () => (await activeTargets(base)).map((t) => t.scrapePool).join() === "first", 15_000, "second job removed");

    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(child.logs()).toContain("See you next time!");
  }, 120_000);

  it("rejects unknown flags and prints help and version", async () => {
    const bad = spawnPromwasm(["--no-such-flag"], tmp.dir);
    expect(await bad.exited).toBe(1);
    expect(bad.logs()).toContain("unknown long flag '--no-such-flag'");
    const help = spawnPromwasm(["--help"], tmp.dir);
    expect(await help.exited).toBe(0);
    expect(help.logs()).toContain("--storage.tsdb.retention.time");
    const version = spawnPromwasm(["--version"], tmp.dir);
    expect(await version.exited).toBe(0);
    expect(version.logs()).toMatch(/^promwasm, version \d+\.\d+\.\d+/);
  }, 30_000);
});
