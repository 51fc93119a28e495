// --web.route-prefix puts every route under the prefix; promwasm-tool query talks to it as promtool does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { queryCommand } from "../../src/cmd/tool-query.js";
import { tempDir } from "../helpers/reference.js";
import { NOW_MS, seedTSDB, startTestServer, writeConfig } from "./helpers.js";

const tmp = tempDir("web-prefix");
let server: RunningServer;
let base: string;
let logs: string[];
const nowSec = NOW_MS / 1000;

beforeAll(async () => {
  await seedTSDB(`${tmp.dir}/data`);
  const cfg = writeConfig(tmp.dir, "scrape_configs: []\n");
  ({ server, base, logs } = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${tmp.dir}/data`, "--web.external-url=http://monitoring.example/prom/", "--log.format=json"]));
}, 30_000);

afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

async function tool(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await queryCommand(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe("route prefix", () => {
  it("serves routes under the prefix only", async () => {
    expect(base).toMatch(/\/prom$/);
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/query?query=1`)).status).toBe(200);
    const root = base.replace(/\/prom$/, "");
    expect((await fetch(`${root}/api/v1/query?query=1`)).status).toBe(404);
    expect((await fetch(`${root}/-/healthy`)).status).toBe(404);
    const redirect = await fetch(`${root}/`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("/prom/");
  });
});

describe("logging", () => {
  it("writes JSON lines with --log.format=json", () => {
    const first = JSON.parse(logs[0]) as Record<string, unknown>;
    expect(first.msg).toBe("Starting promwasm");
    expect(first.level).toBe("info");
    expect(logs.every((l) => l.startsWith("{") && l.endsWith("}\n"))).toBe(true);
  });
});

describe("promwasm-tool query", () => {
  it("prints instant, range, series and labels results like promtool", async () => {
    expect(await tool("instant", `--time=${nowSec}`, base, 'up{job="node"}')).toEqual({ code: 0, out: `up{instance="localhost:9100", job="node"} => 0 @[${nowSec}]\n`, err: "" });
    expect((await tool("instant", "-o", "json", `--time=${nowSec}`, base, "big_value")).out).toBe(`[{"metric":{"__name__":"big_value","job":"api"},"value":[${nowSec},"1000000"]}]\n`);
    expect((await tool("instant", "--time=5", base, "2")).out).toBe("scalar: 2 @[5]\n");
    expect((await tool("range", `--start=${nowSec - 15}`, `--end=${nowSec}`, "--step=15s", base, 'up{job="node"}')).out).toBe(
      `up{instance="localhost:9100", job="node"} =>\n0 @[${nowSec - 15}]\n0 @[${nowSec}]\n`,
    );
    expect((await tool("series", "--match=up", base)).out).toBe('{__name__="up", instance="localhost:9090", job="prometheus"}\n{__name__="up", instance="localhost:9100", job="node"}\n');
    expect((await tool("labels", base, "job")).out).toBe("api\nnode\nprometheus\n");
  });

  it("reports query errors and bad arguments", async () => {
    const r = await tool("instant", base, "foo(");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^query error: bad_data: invalid parameter "query": /);
    expect((await tool("series", base)).err).toContain("required flag --match not provided");
    expect((await tool("instant", "--bogus", base, "1")).code).toBe(1);
  });
});
