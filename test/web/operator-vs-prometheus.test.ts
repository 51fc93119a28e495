// promwasm and Prometheus 2.42 run the same config against the same loopback targets, and
// what an operator reads must agree: the scrape URL and query sent for `params` with several
// values, lastError for refused, reset, closed, slow and 404 targets (Go's wording),
// a disabled /api/v1/write, /api/v1/scrape_pools, /federate's label order with external labels, TSDB status counts,
// and stats=all sample counts (checked through identities that hold on both servers).
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrometheus, startPromwasm, stopChild, waitForChild, waitReady, type PrometheusProcess, type Server } from "../helpers/process.js";
import { listen, referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

const prometheusBin = referenceBinary("prometheus");

interface ActiveTarget {
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  health: string;
}

async function api<T>(base: string, path: string, params: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${base}/api/v1/${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`${base} ${path}: ${body.error}`);
  return body.data;
}

function config(ports: { http: number; reset: number; eof: number }): string {
  const http = `127.0.0.1:${ports.http}`;
  return [
    "global: { scrape_interval: 1s, scrape_timeout: 500ms, external_labels: { zz: ext, aa: ext2 } }",
    "scrape_configs:",
    "  - job_name: params",
    '    params: { "collect[]": [cpu, meminfo], other: ["a b*~"] }',
    `    static_configs: [{ targets: ['${http}'] }]`,
    "  - job_name: paramsrelabel",
    "    params: { collect: [cpu, meminfo] }",
    `    static_configs: [{ targets: ['${http}'] }]`,
    "    relabel_configs: [{ target_label: __param_collect, replacement: disk }, { target_label: __param_new, replacement: v }]",
    "  - job_name: refused",
    "    static_configs: [{ targets: ['127.0.0.1:1'] }]",
    "  - job_name: notfound",
    "    metrics_path: /nf",
    `    static_configs: [{ targets: ['${http}'] }]`,
    "  - job_name: slow",
    "    metrics_path: /slow",
    `    static_configs: [{ targets: ['${http}'] }]`,
    "  - job_name: reset",
    `    static_configs: [{ targets: ['127.0.0.1:${ports.reset}'] }]`,
    "  - job_name: eof",
    `    static_configs: [{ targets: ['127.0.0.1:${ports.eof}'] }]`,
    "  - job_name: nohost",
    "    static_configs: [{ targets: ['nonexistent.invalid:9100'] }]",
  ].join("\n");
}

describe.runIf(prometheusBin)("operator-visible answers side by side with Prometheus 2.42", () => {
  const tmp = tempDir("operator-vs-prom");
  /** Query strings each server sent, keyed by who sent them. */
  const queries = { prometheus: new Set<string>(), promwasm: new Set<string>() };
  let exporter: HttpServer;
  let reset: TcpServer;
  let eof: TcpServer;
  let prom: PrometheusProcess | undefined;
  let ours: Server | undefined;

  beforeAll(async () => {
    exporter = createHttpServer((req, res) => {
      const url = req.url ?? "";
      if (url.startsWith("/slow")) return; // never answers: the scrape times out
      if (url.startsWith("/nf")) {
        res.writeHead(404).end();
        return;
      }
      queries[/promwasm/.test(req.headers["user-agent"] ?? "") ? "promwasm" : "prometheus"].add(url);
      res.end('m{b="1",a="2",c="x"} 1\nz_total 3\n');
    });
    reset = createTcpServer((c) => c.on("data", () => c.resetAndDestroy()));
    eof = createTcpServer((c) => c.on("data", () => c.end()));
    const ports = { http: await listen(exporter), reset: await listen(reset), eof: await listen(eof) };
    const ourDir = join(tmp.dir, "promwasm");
    const promDir = join(tmp.dir, "prometheus");
    for (const d of [ourDir, promDir]) mkdirSync(d);
    writeFileSync(join(ourDir, "prometheus.yml"), config(ports));
    prom = await startPrometheus(prometheusBin!, promDir, () => config(ports));
    ours = await startPromwasm([`--config.file=${join(ourDir, "prometheus.yml")}`, `--storage.tsdb.path=${join(ourDir, "data")}`], ourDir);
    await waitReady(ours);
    // Both have scraped every target at least twice (so every series exists on both).
    for (const server of [prom as Server, ours]) {
      await waitForChild(
        server,
        async () => {
          const { activeTargets } = await api<{ activeTargets: ActiveTarget[] }>(server.base, "targets");
          const scrapes = await api<{ result: unknown[] }>(server.base, "query", { query: "count_over_time(up[1m]) >= 2" });
          return activeTargets.length === 8 && activeTargets.every((t) => t.health !== "unknown") && scrapes.result.length === 8;
        },
        60_000,
        "every target scraped twice",
      );
    }
  }, 120_000);

  afterAll(async () => {
    await stopChild(ours);
    await stopChild(prom);
    exporter?.closeAllConnections();
    for (const s of [exporter, reset, eof]) s?.close();
    tmp.cleanup();
  });

  it("sends every value of a param, with __param_ labels replacing only the first", async () => {
    await waitFor(() => queries.promwasm.size >= 2 && queries.prometheus.size >= 2, 30_000, "both scraped the params jobs");
    expect([...queries.promwasm].sort()).toEqual([...queries.prometheus].sort());
    const byPool = async (base: string) => Object.fromEntries((await api<{ activeTargets: ActiveTarget[] }>(base, "targets")).activeTargets.map((t) => [t.scrapePool, t.scrapeUrl]));
    expect(await byPool(ours!.base)).toEqual(await byPool(prom!.base));
  });

  it("reports scrape errors in Prometheus' words", async () => {
    // The local end of a reset connection differs from run to run; Node does not report it.
    const normalize = (s: string) => s.replace(/read tcp [^ ]*->[^:]*:\d+:/, "read tcp:");
    const errors = async (base: string) =>
      Object.fromEntries((await api<{ activeTargets: ActiveTarget[] }>(base, "targets")).activeTargets.map((t) => [t.scrapePool, normalize(t.lastError)]));
    const theirs = await errors(prom!.base);
    const mine = await errors(ours!.base);
    // A sandbox without DNS answers the lookup differently; compare it when Prometheus got "no such host".
    if (!/no such host/.test(theirs.nohost ?? "")) {
      delete theirs.nohost;
      delete mine.nohost;
    }
    expect(mine).toEqual(theirs);
    expect(theirs.refused).toMatch(/dial tcp 127\.0\.0\.1:1: connect: connection refused$/);
  });

  it("explains a disabled remote write receiver with the flag that enables it", async () => {
    const post = async (base: string) => {
      const res = await fetch(`${base}/api/v1/write`, { method: "POST", body: "x" });
      return { status: res.status, body: await res.text() };
    };
    const theirs = await post(prom!.base);
    expect(theirs.body).toMatch(/^remote write receiver needs to be enabled with --/);
    // 2.42 names its feature flag; Prometheus 3 names the flag both accept.
    expect(await post(ours!.base)).toEqual({ status: theirs.status, body: "remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n" });
    expect((await fetch(`${ours!.base}/api/v1/write`)).status).toBe((await fetch(`${prom!.base}/api/v1/write`)).status);
  });

  it("lists scrape pools", async () => {
    expect(await api(ours!.base, "scrape_pools")).toEqual(await api(prom!.base, "scrape_pools"));
  });

  it("federates with the series' labels first and missing external labels after them", async () => {
    const lines = async (base: string, match: string) => {
      const res = await fetch(`${base}/federate?${new URLSearchParams({ "match[]": match })}`);
      // Timestamps are each server's own scrape times, and so is how long a scrape took.
      return (await res.text())
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/ \d+$/, "").replace(/^(scrape_duration_seconds\{.*\}) .*$/, "$1"))
        .sort();
    };
    for (const match of ["up", '{job="params"}', '{__name__=~"m|z_total"}']) {
      expect(await lines(ours!.base, match), match).toEqual(await lines(prom!.base, match));
    }
  });

  it("counts the same series in /api/v1/status/tsdb", async () => {
    type Stats = Record<string, { name: string; value: number }[]> & { headStats: { numSeries: number } };
    // Prometheus' top-10 lists leave the order of equal counts to a heap, and which of several
    // equal counts make the cut: compare them sorted, and the count at the cut without names.
    const sorted = (xs: { name: string; value: number }[]) => {
      const out = [...xs].sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
      if (out.length < 10) return out;
      const cut = out[out.length - 1].value;
      return [...out.filter((x) => x.value > cut), { name: "(ties at the cut)", value: cut }];
    };
    const pick = (s: Stats) => ({
      numSeries: s.headStats.numSeries,
      memoryInBytesByLabelName: sorted(s.memoryInBytesByLabelName),
      seriesCountByMetricName: sorted(s.seriesCountByMetricName),
      labelValueCountByLabelName: sorted(s.labelValueCountByLabelName),
      seriesCountByLabelValuePair: sorted(s.seriesCountByLabelValuePair),
    });
    expect(pick(await api<Stats>(ours!.base, "status/tsdb"))).toEqual(pick(await api<Stats>(prom!.base, "status/tsdb")));
  });

  it("counts queryable samples as Prometheus does (identities checked on both servers)", async () => {
    type Result = { result: { values?: [number, string][]; value?: [number, string] }[]; stats: { samples: { totalQueryableSamples: number } } };
    const t = String(Math.floor(Date.now() / 1000) - 2);
    const start = String(Number(t) - 30);
    const total = (r: Result) => r.stats.samples.totalQueryableSamples;
    const sum = (r: Result) => r.result.reduce((n, s) => n + (s.values ?? [s.value!]).reduce((m, [, v]) => m + Number(v), 0), 0);
    for (const server of [prom!, ours!]) {
      const q = (query: string, extra: Record<string, string> = { time: t }) => api<Result>(server.base, extra.step ? "query_range" : "query", { query, stats: "all", ...extra });
      const range = { start, end: t, step: "5" };
      const instantUp = await q("up");
      expect(total(instantUp), `${server.name}: instant up`).toBe(instantUp.result.length);
      const rangeUp = await q("up", range);
      expect(total(rangeUp), `${server.name}: range up`).toBe(rangeUp.result.reduce((n, s) => n + s.values!.length, 0));
      expect(total(await q("rate(up[30s])")), `${server.name}: rate`).toBe(sum(await q("count_over_time(up[30s])")));
      expect(total(await q("count_over_time(up[20s])", range)), `${server.name}: range count_over_time`).toBe(sum(await q("count_over_time(up[20s])", range)));
      expect(total(await q("max_over_time(up[1m:10s])")), `${server.name}: subquery`).toBe(sum(await q("count_over_time(up[1m:10s])")));
    }
  });
});
