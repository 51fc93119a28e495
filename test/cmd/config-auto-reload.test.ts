// --config.auto-reload (Prometheus 3): the server notices a changed config file or rule file
// and reloads as on SIGHUP; a broken config is rejected and the old one keeps running.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startPromwasm, stopChild, waitForChild, waitReady, type Server } from "../helpers/process.js";
import { tempDir } from "../helpers/reference.js";

async function data<T>(base: string, path: string): Promise<T> {
  return ((await (await fetch(`${base}/api/v1/${path}`)).json()) as { data: T }).data;
}

function config(jobs: readonly string[]): string {
  return ["global: { scrape_interval: 1h }", "rule_files: [rules.yml]", "scrape_configs:", ...jobs.map((j) => `  - { job_name: ${j}, static_configs: [{ targets: ['127.0.0.1:1'] }] }`)].join("\n") + "\n";
}

function rules(group: string): string {
  return `groups:\n  - name: ${group}\n    rules:\n      - record: x\n        expr: vector(1)\n`;
}

describe("--config.auto-reload", () => {
  const tmp = tempDir("auto-reload");
  let server: Server | undefined;
  afterAll(async () => {
    await stopChild(server);
    tmp.cleanup();
  });

  it("reloads on a changed config or rule file and keeps the old config when the new one is bad", { timeout: 90_000 }, async () => {
    const file = join(tmp.dir, "prometheus.yml");
    writeFileSync(file, config(["a"]));
    writeFileSync(join(tmp.dir, "rules.yml"), rules("first"));
    server = await startPromwasm([`--config.file=${file}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`, "--config.auto-reload", "--config.auto-reload-interval=1s"], tmp.dir);
    const s = server;
    await waitReady(s);
    const pools = () => data<{ scrapePools: string[] }>(s.base, "scrape_pools").then((d) => d.scrapePools.join(","));
    const groups = () => data<{ groups: { name: string }[] }>(s.base, "rules").then((d) => d.groups.map((g) => g.name).join(","));
    expect(await pools()).toBe("a");
    // The flag is carried out, so the log does not call it unimplemented.
    expect(s.logs()).not.toMatch(/flag=config\.auto-reload/);

    writeFileSync(file, config(["a", "b"]));
    await waitForChild(s, async () => (await pools()) === "a,b", 30_000, "job b after the config changed");

    writeFileSync(join(tmp.dir, "rules.yml"), rules("second"));
    await waitForChild(s, async () => (await groups()) === "second", 30_000, "rule group second after the rule file changed");

    writeFileSync(file, config(["a", "b"]) + "scrape_configs: [\n");
    await waitForChild(s, () => /level=error msg="Error reloading config"/.test(s.logs()), 30_000, "the bad config rejected");
    expect(await pools()).toBe("a,b");
    expect(await data<{ reloadConfigSuccess: boolean }>(s.base, "status/runtimeinfo")).toMatchObject({ reloadConfigSuccess: false });
    expect(s.logs()).toMatch(/msg="Configuration file change detected, reloading the configuration."/);
  });
});
