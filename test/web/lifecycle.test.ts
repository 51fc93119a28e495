// --web.enable-lifecycle: /-/reload applies a new config, /-/quit stops the server.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { tempDir, waitFor } from "../helpers/reference.js";
import { getJSON, startTestServer, writeConfig } from "./helpers.js";

const tmp = tempDir("web-lifecycle");
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

describe("lifecycle API", () => {
  it("reloads, rejects a bad config, and quits", async () => {
    const cfg = writeConfig(tmp.dir, "global:\n  external_labels:\n    v: one\n");
    const started = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${tmp.dir}/data`, "--web.enable-lifecycle"]);
    server = started.server;
    const { base } = started;
    writeConfig(tmp.dir, "global:\n  query_log_file: queries.jsonl\n  external_labels:\n    v: two\n");
    expect((await fetch(`${base}/-/reload`, { method: "PUT" })).status).toBe(200);
    expect(((await getJSON(`${base}/api/v1/status/config`)).body.data as { yaml: string }).yaml).toContain("v: two");
    // query_log_file is relative to the config file's directory.
    await fetch(`${base}/api/v1/query_range?query=vector(1)&start=0&end=60&step=30`);
    // The line is written asynchronously after the response.
    const text = await waitFor(() => readFileSync(join(tmp.dir, "queries.jsonl"), "utf8").trim() || undefined, 5000, "query log line");
    const line = JSON.parse(text) as Record<string, Record<string, unknown>>;
    expect(line.params).toEqual({ end: "1970-01-01T00:01:00.000Z", query: "vector(1)", start: "1970-01-01T00:00:00.000Z", step: 30 });
    expect(line.httpRequest.path).toBe("/api/v1/query_range");
    expect(Object.keys(line.stats.timings as object)).toContain("evalTotalTime");
    writeConfig(tmp.dir, "global:\n  scrape_interval: 1.5h\n");
    const bad = await fetch(`${base}/-/reload`, { method: "POST" });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toBe(`failed to reload config: couldn't load configuration (--config.file=${JSON.stringify(cfg)}): not a valid duration string: "1.5h" (${cfg}:2)\n`);
    expect(((await getJSON(`${base}/api/v1/status/config`)).body.data as { yaml: string }).yaml).toContain("v: two");
    const quit = await fetch(`${base}/-/quit`, { method: "POST" });
    expect(await quit.text()).toBe("Requesting termination... Goodbye!");
    await server.done;
    await expect(fetch(`${base}/-/healthy`)).rejects.toThrow();
  });
});
