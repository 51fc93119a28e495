// The HTTP API against a real TSDB and engine: response shapes from docs/querying/api.md,
// Prometheus' error codes, and promtool's query commands as a client.
import { execFile } from "node:child_process";
import { request } from "node:http";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";
import { getJSON, NOW_MS, SAMPLES, seedTSDB, startTestServer, writeConfig } from "./helpers.js";

const nowSec = NOW_MS / 1000;
let server: RunningServer;
let base: string;
let api: string;
const tmp = tempDir("web-api");

beforeAll(async () => {
  const data = `${tmp.dir}/data`;
  await seedTSDB(data);
  const cfg = writeConfig(tmp.dir, "global:\n  external_labels:\n    region: eu\nscrape_configs: []\n");
  ({ server, base } = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${data}`, "--web.enable-admin-api"]));
  api = `${base}/api/v1`;
}, 30_000);

afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

describe("query", () => {
  it("returns an instant vector with string values and float-second times", async () => {
    const { status, body } = await getJSON(`${api}/query?query=up&time=${nowSec}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: "success",
      data: {
        resultType: "vector",
        result: [
          { metric: { __name__: "up", instance: "localhost:9090", job: "prometheus" }, value: [nowSec, "1"] },
          { metric: { __name__: "up", instance: "localhost:9100", job: "node" }, value: [nowSec, "0"] },
        ],
      },
    });
  });

  it("formats values as Prometheus does (fixed notation, Inf, NaN) and accepts RFC3339 and POST forms", async () => {
    const iso = new Date(NOW_MS + 500).toISOString();
    const { body } = await getJSON(`${api}/query`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: "big_value", time: iso }).toString(),
    });
    expect((body.data as { result: { value: unknown[] }[] }).result[0].value).toEqual([nowSec + 0.5, "1000000"]);
    for (const [q, v] of [["1/0", "+Inf"], ["-1/0", "-Inf"], ["0/0", "NaN"], ["1e-7", "0.0000001"], ["1e21", "1000000000000000000000"]]) {
      const r = await getJSON(`${api}/query?query=${encodeURIComponent(q)}&time=1.5`);
      expect(r.body.data).toEqual({ resultType: "scalar", result: [1.5, v] });
    }
    const s = await getJSON(`${api}/query?query=${encodeURIComponent('"hi"')}&time=2`);
    expect(s.body.data).toEqual({ resultType: "string", result: [2, "hi"] });
  });

  it("returns a matrix for query_range and stats when asked", async () => {
    const start = nowSec - 60;
    const { body } = await getJSON(`${api}/query_range?query=${encodeURIComponent('http_requests_total{code="500"}')}&start=${start}&end=${nowSec}&step=30s&stats=all`);
    const data = body.data as { resultType: string; result: { metric: object; values: [number, string][] }[]; stats: { timings: object; samples: object } };
    expect(data.resultType).toBe("matrix");
    expect(data.result).toEqual([
      { metric: { __name__: "http_requests_total", code: "500", job: "api" }, values: [[start, String(SAMPLES - 5)], [start + 30, String(SAMPLES - 3)], [nowSec, String(SAMPLES - 1)]] },
    ]);
    expect(Object.keys(data.stats).sort()).toEqual(["samples", "timings"]);
  });

  it("maps errors to Prometheus' errorType and status", async () => {
    const cases: [string, number, string, string | undefined][] = [
      ["query?query=foo(", 400, "bad_data", undefined],
      ["query?query=up&time=abc", 400, "bad_data", `invalid parameter "time": Invalid time value for 'time': cannot parse "abc" to a valid timestamp`],
      ["query_range?query=up&start=1&end=0&step=1", 400, "bad_data", `invalid parameter "end": end timestamp must not be before start time`],
      ["query_range?query=up&start=0&end=100000&step=1", 400, "bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"],
      ["query_range?query=up&start=0&end=10&step=0", 400, "bad_data", `invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer`],
      ["query_range?query=up&start=0&end=10", 400, "bad_data", `invalid parameter "step": cannot parse "" to a valid duration`],
      ["query?query=1&timeout=xx", 400, "bad_data", `invalid parameter "timeout": cannot parse "xx" to a valid duration`],
      ["label/a-b/values", 400, "bad_data", `invalid label name: "a-b"`],
      ["series", 400, "bad_data", "no match[] parameter provided"],
      ["series?match[]=%7Bjob%3D~%22.*%22%7D", 400, "bad_data", `invalid parameter "match[]": match[] must contain at least one non-empty matcher`],
      ["query?query=" + encodeURIComponent("up + on() up") + `&time=${nowSec}`, 422, "execution", undefined],
      ["query?query=" + "x".repeat(10) + "&time=" + "9".repeat(400), 400, "bad_data", undefined],
    ];
    for (const [path, code, type, message] of cases) {
      const { status, body } = await getJSON(`${api}/${path}`);
      expect({ path, status, type: body.errorType, statusField: body.status }).toEqual({ path, status: code, type, statusField: "error" });
      if (message !== undefined) expect(body.error).toBe(message);
    }
    const notFound = await fetch(`${api}/nope`);
    expect(notFound.status).toBe(404);
  });

  it("rejects a huge body and a request line that is too long without crashing", async () => {
    const big = await fetch(`${api}/query`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "query=" + "a".repeat(17 << 20) });
    expect(big.status).toBe(400);
    expect(await rawStatus(`${api}/query?query=${"a".repeat(70_000)}`)).toBe(431);
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
  });
});

describe("metadata endpoints", () => {
  it("lists series, label names and values", async () => {
    const series = await getJSON(`${api}/series?match[]=up&start=${nowSec - 3600}&end=${nowSec}`);
    expect(series.body).toEqual({
      status: "success",
      data: [
        { __name__: "up", instance: "localhost:9090", job: "prometheus" },
        { __name__: "up", instance: "localhost:9100", job: "node" },
      ],
    });
    const labels = await getJSON(`${api}/labels`);
    expect(labels.body.data).toEqual(["__name__", "code", "instance", "job"]);
    const values = await getJSON(`${api}/label/job/values?match[]=up`);
    expect(values.body.data).toEqual(["node", "prometheus"]);
    const names = await getJSON(`${api}/label/__name__/values`);
    expect(names.body.data).toEqual(["big_value", "http_requests_total", "up"]);
    const exemplars = await getJSON(`${api}/query_exemplars?query=up&start=0&end=1`);
    expect(exemplars.body).toEqual({ status: "success", data: [] });
  });

  it("formats and parses queries", async () => {
    const f = await getJSON(`${api}/format_query?query=${encodeURIComponent("sum(up)by(job)")}`);
    expect(f.body).toEqual({ status: "success", data: "sum by (job) (up)" });
    const p = await getJSON(`${api}/parse_query?query=${encodeURIComponent('rate(x{a="b"}[5m])')}`);
    expect(p.body.data).toEqual({
      type: "call",
      func: { name: "rate" },
      args: [{ type: "matrixSelector", range: 300_000, name: "x", offset: 0, matchers: [{ type: "=", name: "a", value: "b" }, { type: "=", name: "__name__", value: "x" }], timestamp: null, startOrEnd: null }],
    });
  });

  it("answers targets, rules, alerts and alertmanagers with the documented shapes", async () => {
    expect((await getJSON(`${api}/targets`)).body).toEqual({ status: "success", data: { activeTargets: [], droppedTargets: [] } });
    expect((await getJSON(`${api}/targets?state=active`)).body.data).toEqual({ activeTargets: [], droppedTargets: [] });
    expect((await getJSON(`${api}/targets/metadata`)).body).toEqual({ status: "success", data: [] });
    expect((await getJSON(`${api}/metadata`)).body).toEqual({ status: "success", data: {} });
    expect((await getJSON(`${api}/rules`)).body).toEqual({ status: "success", data: { groups: [] } });
    expect((await getJSON(`${api}/alerts`)).body).toEqual({ status: "success", data: { alerts: [] } });
    expect((await getJSON(`${api}/alertmanagers`)).body).toEqual({ status: "success", data: { activeAlertmanagers: [], droppedAlertmanagers: [] } });
  });

  it("reports status", async () => {
    const cfg = (await getJSON(`${api}/status/config`)).body.data as { yaml: string };
    expect(cfg.yaml).toContain("region: eu");
    const flags = (await getJSON(`${api}/status/flags`)).body.data as Record<string, string>;
    expect(flags["web.enable-admin-api"]).toBe("true");
    expect(flags["storage.tsdb.retention.time"]).toBe("0s");
    expect(flags["query.lookback-delta"]).toBe("5m");
    const rt = (await getJSON(`${api}/status/runtimeinfo`)).body.data as Record<string, unknown>;
    expect(Object.keys(rt).sort()).toEqual(["CWD", "GODEBUG", "GOGC", "GOMAXPROCS", "GOMEMLIMIT", "corruptionCount", "goroutineCount", "lastConfigTime", "reloadConfigSuccess", "startTime", "storageRetention"]);
    expect(rt.reloadConfigSuccess).toBe(true);
    expect(rt.storageRetention).toBe("15d");
    const bi = (await getJSON(`${api}/status/buildinfo`)).body.data as Record<string, unknown>;
    expect(Object.keys(bi).sort()).toEqual(["branch", "buildDate", "buildUser", "goVersion", "revision", "version"]);
    const tsdb = (await getJSON(`${api}/status/tsdb`)).body.data as { headStats: { numSeries: number }; seriesCountByMetricName: { name: string; value: number }[] };
    expect(tsdb.headStats.numSeries).toBe(5);
    expect(tsdb.seriesCountByMetricName[0]).toEqual({ name: "http_requests_total", value: 2 });
    const wal = (await getJSON(`${api}/status/walreplay`)).body.data as Record<string, number>;
    expect(Object.keys(wal).sort()).toEqual(["current", "max", "min"]);
  });
});

describe("federate, metrics, lifecycle", () => {
  it("federates the latest samples with external labels", async () => {
    const res = await fetch(`${base}/federate?match[]=up&match[]=big_value`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    // The seeded samples end at NOW_MS, which may be up to 15s before the request: within the 5m lookback.
    expect(text).toBe(
      [
        "# TYPE big_value untyped",
        `big_value{job="api",region="eu"} 1e+06 ${NOW_MS}`,
        "# TYPE up untyped",
        `up{instance="localhost:9090",job="prometheus",region="eu"} 1 ${NOW_MS}`,
        `up{instance="localhost:9100",job="node",region="eu"} 0 ${NOW_MS}`,
        "",
      ].join("\n"),
    );
  });

  it("exposes self-monitoring metrics", async () => {
    await fetch(`${api}/query?query=up`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^prometheus_http_requests_total\{code="200",handler="\/api\/v1\/query"\} \d+$/m);
    expect(text).toMatch(/^prometheus_tsdb_head_series 5$/m);
    expect(text).toMatch(/^prometheus_config_last_reload_successful 1$/m);
    expect(text).toMatch(/^prometheus_build_info\{/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });

  it("keeps lifecycle endpoints off without --web.enable-lifecycle", async () => {
    const r = await fetch(`${base}/-/reload`, { method: "POST" });
    expect(r.status).toBe(403);
    expect(await r.text()).toBe("Lifecycle API is not enabled.");
  });

  it("runs admin endpoints", async () => {
    const snap = await getJSON(`${api}/admin/tsdb/snapshot`, { method: "POST" });
    expect(snap.status).toBe(200);
    expect((snap.body.data as { name: string }).name).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{16}$/);
    const del = await fetch(`${api}/admin/tsdb/delete_series?match[]=big_value`, { method: "POST" });
    expect(del.status).toBe(204);
    expect((await getJSON(`${api}/query?query=big_value&time=${nowSec}`)).body.data).toEqual({ resultType: "vector", result: [] });
    expect((await fetch(`${api}/admin/tsdb/clean_tombstones`, { method: "POST" })).status).toBe(204);
    expect((await fetch(`${api}/admin/tsdb/snapshot`)).status).toBe(405);
  });
});

const promtool = referenceBinary("promtool");
describe.runIf(promtool !== undefined)("promtool query against promwasm", () => {
  // Async: the server runs in this process, so a blocking call would starve it.
  const run = async (...args: string[]): Promise<string> => (await promisify(execFile)(promtool!, ["query", ...args], { encoding: "utf8", timeout: 20_000 })).stdout;

  it("instant, range, series and labels succeed", async () => {
    expect(await run("instant", `--time=${nowSec}`, base, 'up{job="node"}')).toBe(`up{instance="localhost:9100", job="node"} => 0 @[${nowSec}]\n`);
    expect(await run("instant", "-o", "json", `--time=${nowSec}`, base, "up == 1")).toBe(
      `[{"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},"value":[${nowSec},"1"]}]\n`,
    );
    expect(await run("range", `--start=${nowSec - 30}`, `--end=${nowSec}`, "--step=15s", base, 'http_requests_total{code="200"}')).toBe(
      `http_requests_total{code="200", job="api"} =>\n${(SAMPLES - 3) * 10} @[${nowSec - 30}]\n${(SAMPLES - 2) * 10} @[${nowSec - 15}]\n${(SAMPLES - 1) * 10} @[${nowSec}]\n`,
    );
    expect(await run("series", "--match=http_requests_total", base)).toBe(
      `{__name__="http_requests_total", code="200", job="api"}\n{__name__="http_requests_total", code="500", job="api"}\n`,
    );
    expect(await run("labels", base, "job")).toBe("api\nnode\nprometheus\n");
  });

  it("reports a query error like Prometheus", async () => {
    let err = "";
    try {
      await run("instant", base, "foo(");
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toContain('query error: bad_data: invalid parameter "query"');
  });
});

/** One request on its own connection (the server closes it after a 431). */
function rawStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}
