// --enable-feature through the HTTP API: experimental PromQL is rejected with Prometheus'
// errors by default and works when enabled; delayed name removal changes label_replace;
// unknown names are warnings, not startup errors.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { tempDir } from "../helpers/reference.js";
import { getJSON, NOW_MS, seedTSDB, startTestServer, writeConfig } from "./helpers.js";

const tmp = tempDir("web-features");
const t = NOW_MS / 1000;
let plain: { server: RunningServer; base: string; logs: string[] };
let featured: { server: RunningServer; base: string; logs: string[] };

async function start(name: string, extra: string[]): Promise<{ server: RunningServer; base: string; logs: string[] }> {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  await seedTSDB(join(dir, "data"));
  const cfg = writeConfig(dir, "scrape_configs: []\n");
  return startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${join(dir, "data")}`, ...extra]);
}

beforeAll(async () => {
  plain = await start("plain", []);
  featured = await start("featured", [
    "--enable-feature=promql-experimental-functions,no-such-feature",
    "--enable-feature=promql-delayed-name-removal,promql-duration-expr",
    "--enable-feature",
    "promql-binop-fill-modifiers,promql-extended-range-selectors,native-histograms",
  ]);
}, 60_000);

afterAll(async () => {
  await plain?.server.stop();
  await featured?.server.stop();
  tmp.cleanup();
});

const q = (base: string, expr: string) => getJSON(`${base}/api/v1/query?query=${encodeURIComponent(expr)}&time=${t}`);

describe("--enable-feature", () => {
  it("rejects experimental functions and syntax without the flags, with Prometheus' errors", async () => {
    expect(await q(plain.base, 'sort_by_label(up, "instance")')).toEqual({
      status: 400,
      body: { status: "error", errorType: "bad_data", error: 'invalid parameter "query": 1:1: parse error: function "sort_by_label" is not enabled' },
    });
    const limit = await q(plain.base, "limitk(1, up)");
    expect(limit.status).toBe(400);
    expect(limit.body.error).toContain("limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
    const dur = await q(plain.base, "rate(http_requests_total[1m * 2])");
    expect(dur.status).toBe(400);
    expect(dur.body.error).toContain("experimental duration expression is not enabled");
    // /api/v1/parse_query shares the server's parser options.
    const parsed = await getJSON(`${plain.base}/api/v1/parse_query?query=${encodeURIComponent('sort_by_label(up, "job")')}`);
    expect(parsed.status).toBe(400);
  });

  it("accepts them with the flags", async () => {
    const sorted = await q(featured.base, 'sort_by_label_desc(up, "instance")');
    expect(sorted.status).toBe(200);
    const result = (sorted.body.data as { result: { metric: Record<string, string> }[] }).result;
    expect(result.map((r) => r.metric.instance)).toEqual(["localhost:9100", "localhost:9090"]);
    const dur = await q(featured.base, "rate(http_requests_total[1m * 2])");
    expect(dur.status).toBe(200);
    expect((dur.body.data as { result: unknown[] }).result).toHaveLength(2);
    expect((await q(featured.base, "limitk(1, up)")).status).toBe(200);
    const parsed = await getJSON(`${featured.base}/api/v1/parse_query?query=${encodeURIComponent('sort_by_label(up, "job")')}`);
    expect(parsed.status).toBe(200);
  });

  it("keeps __name__ readable by label_replace with promql-delayed-name-removal", async () => {
    const expr = 'label_replace(rate(http_requests_total{code="200"}[5m]), "was", "$1", "__name__", "(.+)")';
    const off = (await q(plain.base, expr)).body.data as { result: { metric: Record<string, string> }[] };
    const on = (await q(featured.base, expr)).body.data as { result: { metric: Record<string, string> }[] };
    expect(off.result.map((r) => r.metric)).toEqual([{ code: "200", job: "api" }]);
    expect(on.result.map((r) => r.metric)).toEqual([{ code: "200", job: "api", was: "http_requests_total" }]);
  });

  it("logs enabled, unimplemented and unknown names instead of failing", () => {
    const logs = featured.logs.join("\n");
    expect(logs).toContain('msg="Experimental PromQL functions enabled."');
    expect(logs).toContain('msg="Experimental PromQL delayed name removal enabled."');
    expect(logs).toMatch(/level=warn .*msg="Unknown option for --enable-feature" option=no-such-feature/);
    expect(logs).toMatch(/level=warn .*option=native-histograms/);
    expect(plain.logs.join("\n")).not.toContain("--enable-feature");
  });
});
