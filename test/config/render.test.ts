// /api/v1/status/config shows the loaded config as Prometheus renders it; the fixture is
// Prometheus 2.42's own rendering of valid/full.yml (its stray "outofordertimewindow" line removed).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfig } from "../../src/config/load.js";
import { renderConfig } from "../../src/config/render.js";

const dir = join(import.meta.dirname, "testdata");

describe("renderConfig", () => {
  it("matches Prometheus' rendering of the full fixture", async () => {
    const cfg = await loadConfigFile(join(dir, "valid", "full.yml"));
    // promwasm resolves relative paths at load time; Prometheus 2.42 shows them as written.
    const ours = renderConfig(cfg).split(join(dir, "valid") + "/").join("");
    expect(ours).toBe(readFileSync(join(dir, "rendered", "full.prometheus-2.42.yml"), "utf8"));
  });

  it("renders defaults for a minimal config and never shows secrets", () => {
    const cfg = parseConfig("scrape_configs:\n  - job_name: a\n    basic_auth:\n      username: u\n      password: hunter2\n", { file: "p.yml", baseDir: "/" });
    const text = renderConfig(cfg);
    expect(text).not.toContain("hunter2");
    expect(text).toContain("password: <secret>");
    expect(text).toContain("scrape_timeout: 10s");
    // What it renders loads back to the same settings.
    const again = parseConfig(text.replace("<secret>", "hunter2"), { file: "p.yml", baseDir: "/" });
    expect({ ...again, source: undefined }).toEqual({ ...cfg, source: undefined });
  });
});
