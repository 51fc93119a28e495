// Remote write and read both ways with a real Prometheus 2.42 on loopback:
//  1. Prometheus scrapes itself and remote-writes to our receiver (into a promwasm TSDB);
//     it also remote-reads generated data from our read handler.
//  2. Our sender writes generated samples to Prometheus' receiver, and our read client
//     reads them back from Prometheus' /api/v1/read.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString, type Labels } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { isStaleNaN, STALE_NAN } from "../../src/model/sample.js";
import { Engine } from "../../src/promql/engine.js";
import { RemoteHttpClient } from "../../src/remote/http-client.js";
import { RemoteReadClient } from "../../src/remote/read-client.js";
import { RemoteStorage } from "../../src/remote/storage.js";
import { Fanout } from "../../src/storage/fanout.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { referenceBinary, tempDir, waitFor } from "../helpers/reference.js";
import { promApi, readConfig, startPrometheus, startRemoteEndpoint, writeConfig, type PromMatrixSeries, type PrometheusProcess, type RemoteEndpoint } from "./helpers.js";

const prometheus = referenceBinary("prometheus");

/** Go's float formatting for the values we compare (shortest round-trip, like strconv 'f' -1). */
function promValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function sortedByLabels<T extends { key: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

describe.runIf(prometheus)("remote write and read with Prometheus 2.42", () => {
  const tmp = tempDir("remote-interop");
  const procs: PrometheusProcess[] = [];
  const endpoints: RemoteEndpoint[] = [];
  const dbs: DB[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const p of procs) p.stop();
    for (const c of closers) await c();
    for (const e of endpoints) await e.close();
    for (const d of dbs) await d.close();
    tmp.cleanup();
  });

  it("receives what Prometheus scrapes and serves remote read to it", { timeout: 90_000 }, async () => {
    const db = await openDB(join(tmp.dir, "recv"));
    dbs.push(db);
    // Separate data for Prometheus to remote-read: 10 minutes of two series, an hour ago.
    const readDb = await openDB(join(tmp.dir, "readsrc"));
    dbs.push(readDb);
    const base = Date.now() - 3600_000;
    const app = readDb.appender();
    for (let i = 0; i < 600; i++) {
      app.append(0, labelsFromRecord({ __name__: "remote_metric", instance: "a" }), base + i * 1000, i * 0.25);
      app.append(0, labelsFromRecord({ __name__: "remote_metric", instance: "b" }), base + i * 1000, 1e6 - i);
    }
    await app.commit();

    const ep = await startRemoteEndpoint({ appendable: db, queryable: readDb, externalLabels: labelsFromRecord({ dc: "west" }) });
    endpoints.push(ep);
    const dir = join(tmp.dir, "p1");
    mkdirSync(dir);
    const config = (port: number) =>
      [
        "global: { scrape_interval: 1s, scrape_timeout: 900ms }",
        "scrape_configs:",
        "  - job_name: prom",
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        "remote_write:",
        `  - url: ${ep.base}/api/v1/write`,
        "    queue_config: { batch_send_deadline: 500ms, min_backoff: 50ms, max_backoff: 500ms }",
        "remote_read:",
        `  - url: ${ep.base}/api/v1/read`,
        "    read_recent: true",
      ].join("\n");
    const prom = await startPrometheus(prometheus!, dir, config);
    procs.push(prom);
    const promBase = prom.base;

    // Remote read: Prometheus returns our data, with our external label, through its own API.
    const evalAt = (base + 599_000) / 1000;
    const rr = await promApi<{ result: PromMatrixSeries[] }>(promBase, "/api/v1/query", { query: 'remote_metric{dc="west"}[10m]', time: String(evalAt) });
    expect(rr.result.map((s) => labelsToString(labelsFromRecord(s.metric))).sort()).toEqual([
      'remote_metric{dc="west", instance="a"}',
      'remote_metric{dc="west", instance="b"}',
    ]);
    const a = rr.result.find((s) => s.metric.instance === "a")!;
    expect(a.values.length).toBe(600);
    expect(a.values[0]).toEqual([base / 1000, "0"]);
    expect(a.values[599]).toEqual([(base + 599_000) / 1000, "149.75"]);
    const sumB = await promApi<{ result: { value: [number, string] }[] }>(promBase, "/api/v1/query", { query: 'sum_over_time(remote_metric{instance="b"}[10m])', time: String(evalAt) });
    expect(sumB.result[0].value[1]).toBe(String(600 * 1e6 - (599 * 600) / 2));

    // Remote write: wait until our TSDB has several scrapes of Prometheus' own metrics.
    const upMatcher = [new Matcher("=", "__name__", "up"), new Matcher("=", "job", "prom")];
    const ourUp = async () => {
      const q = await db.querier(0, Date.now() + 60_000);
      try {
        const s = await q.select(false, undefined, upMatcher);
        return s.length === 1 ? s[0].samples() : undefined;
      } finally {
        q.close();
      }
    };
    const first = await waitFor(async () => {
      const s = await ourUp();
      return s && s.ts.length >= 1 ? s.ts[0] : undefined;
    }, 30_000, "first remote-written sample");
    const enough = await waitFor(async () => {
      const s = await ourUp();
      return s && s.ts.length >= 8 ? s.ts[s.ts.length - 1] : undefined;
    }, 40_000, "eight scrapes received");
    // A window that both sides hold completely: later than the first and earlier than the last received scrape.
    const end = enough - 1500;
    const start = first + 1000;
    const rangeSecs = Math.floor((end - start) / 1000);
    expect(rangeSecs).toBeGreaterThanOrEqual(4);

    // Raw samples of every series Prometheus scraped, compared exactly.
    const theirs = await promApi<{ result: PromMatrixSeries[] }>(promBase, "/api/v1/query", { query: `{job="prom"}[${rangeSecs}s]`, time: String(end / 1000) });
    const q = await db.querier(end - rangeSecs * 1000, end);
    const ours = await q.select(true, undefined, [new Matcher("=", "job", "prom")]);
    q.close();
    const lo = end - rangeSecs * 1000;
    const theirRows = sortedByLabels(
      theirs.result.map((s) => ({ key: labelsToString(labelsFromRecord(s.metric)), values: s.values.filter(([t]) => t * 1000 > lo).map(([t, v]) => `${Math.round(t * 1000)}=${v}`) })),
    ).filter((r) => r.values.length > 0);
    const ourRows = sortedByLabels(
      ours.map((s) => {
        const b = s.samples();
        const values: string[] = [];
        for (let i = 0; i < b.ts.length; i++) if (b.ts[i] > lo && b.ts[i] <= end) values.push(`${b.ts[i]}=${promValue(b.vs[i])}`);
        return { key: labelsToString(s.labels), values };
      }),
    ).filter((r) => r.values.length > 0);
    expect(theirRows.length).toBeGreaterThan(100);
    expect(ourRows.map((r) => r.key)).toEqual(theirRows.map((r) => r.key));
    expect(ourRows).toEqual(theirRows);

    // The same range query evaluated by both engines over their own storage.
    const engine = new Engine();
    for (const expr of ['up{job="prom"}', "prometheus_tsdb_head_series", 'sum by (job) (scrape_samples_scraped{job="prom"})']) {
      const their = await promApi<{ result: PromMatrixSeries[] }>(promBase, "/api/v1/query_range", {
        query: expr,
        start: String(start / 1000),
        end: String(end / 1000),
        step: "1",
      });
      const mine = await engine.rangeQuery(db, expr, start, end, 1000);
      if (mine.value.type !== "matrix") throw new Error("expected a matrix");
      const mineRows = mine.value.series.map((s) => ({
        metric: labelsToString(s.metric),
        values: Array.from(s.ts, (t, i) => `${t}=${promValue(s.vs[i])}`),
      }));
      const theirRows2 = their.result.map((s) => ({
        metric: labelsToString(labelsFromRecord(s.metric)),
        values: s.values.map(([t, v]) => `${Math.round(t * 1000)}=${v}`),
      }));
      expect(mineRows.length).toBeGreaterThan(0);
      expect(mineRows).toEqual(theirRows2);
    }
    expect(ep.writeHeaders[0]["content-encoding"]).toBe("snappy");
    expect(ep.writeHeaders[0]["x-prometheus-remote-write-version"]).toBe("0.1.0");
  });

  it("sends to Prometheus' receiver and reads back through its remote read API", { timeout: 60_000 }, async () => {
    const dir = join(tmp.dir, "p2");
    mkdirSync(dir);
    const prom = await startPrometheus(prometheus!, dir, () => "global: { scrape_interval: 1m }\n", ["--web.enable-remote-write-receiver"]);
    procs.push(prom);
    const local = await openDB(join(tmp.dir, "local"));
    dbs.push(local);
    const remote = new RemoteStorage();
    const ext = labelsFromRecord({ replica: "r1" });
    await remote.applyConfig(
      [
        writeConfig(
          `${prom.base}/api/v1/write`,
          { writeRelabelConfigs: [{ sourceLabels: ["__name__"], regex: "skip_.*", action: "drop", separator: ";", modulus: 0, targetLabel: "", replacement: "$1" }] },
          { batchSendDeadlineMs: 200, maxSamplesPerSend: 100 },
        ),
      ],
      [readConfig(`${prom.base}/api/v1/read`)],
      ext,
    );
    const fanout = new Fanout({ primary: local, appendables: [remote], queryables: [remote] });
    closers.push(() => remote.close());

    // 3 kept series and 1 dropped, 120 samples each, 1s apart, ending a minute ago.
    const t0 = Math.floor((Date.now() - 180_000) / 1000) * 1000;
    const series: Labels[] = ["x", "y", "z"].map((k) => labelsFromRecord({ __name__: "gen_metric", key: k }));
    const dropped = labelsFromRecord({ __name__: "skip_me", key: "x" });
    const value = (s: number, i: number) => (s === 2 && i === 7 ? NaN : s * 1000 + i * 0.5 - 17.125);
    for (let i = 0; i < 120; i += 40) {
      const app = fanout.appender();
      const refs = new Array<number>(4).fill(0);
      for (let j = i; j < i + 40; j++) {
        series.forEach((l, s) => (refs[s] = app.append(refs[s], l, t0 + j * 1000, value(s, j))));
        refs[3] = app.append(refs[3], dropped, t0 + j * 1000, j);
      }
      await app.commit();
    }
    // A series that ends with a stale marker: Prometheus must see the marker's exact bits.
    const staleApp = fanout.appender();
    const ls = labelsFromRecord({ __name__: "gen_stale" });
    for (let j = 0; j < 10; j++) staleApp.append(0, ls, t0 + j * 1000, j);
    staleApp.append(0, ls, t0 + 10_000, STALE_NAN);
    await staleApp.commit();
    const evalAt = (t0 + 119_000) / 1000;
    await waitFor(async () => {
      const r = await promApi<{ result: { value: [number, string] }[] }>(prom.base, "/api/v1/query", { query: "count_over_time(gen_metric[2m])", time: String(evalAt) });
      return r.result.length === 3 && r.result.every((x) => x.value[1] === "120");
    }, 20_000, "Prometheus to hold all 360 samples");
    const instant = (q: string, t: number) => promApi<{ result: { value: [number, string] }[] }>(prom.base, "/api/v1/query", { query: q, time: String(t / 1000) });
    await waitFor(async () => (await instant("gen_stale", t0 + 9_500)).result.length === 1, 10_000, "gen_stale stored");
    expect((await instant("gen_stale", t0 + 9_500)).result[0].value[1]).toBe("9");
    // Without the marker the last value would be returned for 5 minutes of lookback.
    expect((await instant("gen_stale", t0 + 10_500)).result).toEqual([]);
    const m = remote.writeMetrics()[0].metrics;
    expect(m.samplesSent).toBe(371);
    expect(m.samplesDropped).toBe(120);
    expect(m.samplesFailed).toBe(0);
    expect(m.highestSentTimestampMs).toBe(t0 + 119_000);

    const got = await promApi<{ result: PromMatrixSeries[] }>(prom.base, "/api/v1/query", { query: "{__name__=~\"gen_metric|skip_me\"}[2m]", time: String(evalAt) });
    const rows = got.result.map((r) => ({ metric: labelsToString(labelsFromRecord(r.metric)), values: r.values })).sort((a, b) => (a.metric < b.metric ? -1 : 1));
    expect(rows.map((r) => r.metric)).toEqual(['gen_metric{key="x", replica="r1"}', 'gen_metric{key="y", replica="r1"}', 'gen_metric{key="z", replica="r1"}']);
    rows.forEach((r, s) => {
      expect(r.values).toEqual(Array.from({ length: 120 }, (_, i) => [(t0 + i * 1000) / 1000, promValue(value(s, i))]));
    });

    // Our read client against Prometheus' /api/v1/read: the external label becomes a
    // matcher and is stripped from the results.
    const reader = remote.queryables[0];
    const rq = await reader.querier(t0, t0 + 119_000);
    const read = await rq.select(true, undefined, [new Matcher("=", "__name__", "gen_metric")]);
    rq.close();
    expect(read.map((s) => labelsToString(s.labels))).toEqual(['gen_metric{key="x"}', 'gen_metric{key="y"}', 'gen_metric{key="z"}']);
    read.forEach((s, k) => {
      const b = s.samples();
      expect(Array.from(b.ts)).toEqual(Array.from({ length: 120 }, (_, i) => t0 + i * 1000));
      expect(Array.from(b.vs, promValue)).toEqual(Array.from({ length: 120 }, (_, i) => promValue(value(k, i))));
    });
    // The same through a SAMPLES response (the above negotiated streamed XOR chunks).
    const samplesReader = new RemoteReadClient({
      name: "samples",
      client: new RemoteHttpClient({ url: `${prom.base}/api/v1/read`, timeoutMs: 5000 }),
      externalLabels: ext,
      requiredMatchers: {},
      readRecent: true,
      filterExternalLabels: true,
      streamed: false,
    });
    const sq = await samplesReader.querier(t0, t0 + 119_000);
    const viaSamples = await sq.select(true, undefined, [new Matcher("=", "__name__", "gen_metric")]);
    sq.close();
    samplesReader.close();
    expect(viaSamples.map((s) => [labelsToString(s.labels), Array.from(s.samples().ts), Array.from(s.samples().vs, promValue)])).toEqual(
      read.map((s) => [labelsToString(s.labels), Array.from(s.samples().ts), Array.from(s.samples().vs, promValue)]),
    );
    // A sub-range and a regex matcher are honoured by the remote.
    const rq2 = await reader.querier(t0 + 10_000, t0 + 19_000);
    const part = await rq2.select(true, undefined, [new Matcher("=~", "__name__", "gen_.*"), new Matcher("!=", "key", "y")]);
    rq2.close();
    expect(part.map((s) => [labelsToString(s.labels), s.samples().ts.length])).toEqual([
      ['gen_metric{key="x"}', 10],
      ['gen_metric{key="z"}', 10],
      ["gen_stale", 1],
    ]);
    // Raw reads carry the stale marker itself.
    expect(isStaleNaN(part[2].samples().vs[0])).toBe(true);
    // Through the fanout, the local copy and the remote copy are one series.
    const fq = await fanout.querier(t0, t0 + 119_000);
    const merged = await fq.select(true, undefined, [new Matcher("=", "__name__", "gen_metric")]);
    fq.close();
    expect(merged.map((s) => [labelsToString(s.labels), s.samples().ts.length])).toEqual([
      ['gen_metric{key="x"}', 120],
      ['gen_metric{key="y"}', 120],
      ['gen_metric{key="z"}', 120],
    ]);
  });
});
