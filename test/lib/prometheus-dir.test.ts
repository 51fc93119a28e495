// promwasm/tsdb opens, read-only, a data dir that Prometheus 2.42 wrote (blocks from promtool's
// backfill, then a head and WAL from Prometheus' remote-write receiver), and the
// promwasm/promql Engine answers queries over it with the same JSON Prometheus served from
// that dir before it was stopped. The dir is left exactly as it was. Samples sit 7s off the
// query grid, so none lands on a window's edge, where Prometheus 2.x (closed windows) and the
// engine (left-open, as Prometheus 3.x) differ.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, toPrometheusJSON } from "../../src/lib/promql.js";
import { openTSDB } from "../../src/lib/tsdb.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { encodeLabelsField, writeTimeSeries } from "../../src/remote/codec.js";
import { ProtoWriter } from "../../src/remote/proto-wire.js";
import { encodeSnappy } from "../../src/remote/snappy.js";
import { startReference, stopChild, type Server } from "../helpers/process.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const prometheus = referenceBinary("prometheus");
const promtool = referenceBinary("promtool");
const tmp = tempDir("lib-prom-dir");
const dataDir = join(tmp.dir, "data");
let prom: Server | undefined;

afterAll(async () => {
  await stopChild(prom);
  tmp.cleanup();
});

const GRID = 1_700_000_000; // seconds; query times are on it
const T0 = GRID + 7; // the first sample
const STEP = 30;
const BACKFILLED = 360; // 3h from promtool
const PUSHED = 120; // 1h more through remote write
const LE = ["0.1", "0.5", "1", "+Inf"];

type Point = [labels: Record<string, string>, value: number];

/** Every series' value at sample j: counters (one with a reset), gauges and a histogram. */
function points(j: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < 4; i++) out.push([{ __name__: "backfilled_total", i: String(i) }, i === 3 ? (j % 200) * 4 : j * (i + 1)]);
  for (const [i, room] of ["a", "b"].entries()) out.push([{ __name__: "temp", room }, 20 + ((j * 7 + i * 3) % 11) / 4]);
  LE.forEach((le, k) => out.push([{ __name__: "latency_seconds_bucket", le }, j * (k + 1) + (k === 3 ? j : 0)]));
  out.push([{ __name__: "latency_seconds_count" }, j * 5]);
  out.push([{ __name__: "latency_seconds_sum" }, j * 2.5]);
  return out;
}

function openMetrics(): string {
  const fam = (name: string) => (p: Point) => p[0].__name__.startsWith(name);
  const series = (p: Point) => Object.entries(p[0]).filter(([k]) => k !== "__name__").map(([k, v]) => `${k}="${v}"`).join(",");
  const lines: string[] = [];
  // OpenMetrics keeps each family together; within it, each series' samples in time order.
  for (const [name, type] of [["backfilled", "counter"], ["temp", "gauge"], ["latency_seconds", "histogram"]] as const) {
    lines.push(`# TYPE ${name} ${type}`);
    const keys = points(0).filter(fam(name)).map((p) => `${p[0].__name__}{${series(p)}}`);
    for (const key of keys) {
      for (let j = 0; j < BACKFILLED; j++) {
        const p = points(j).find((q) => `${q[0].__name__}{${series(q)}}` === key)!;
        lines.push(`${key} ${p[1]} ${T0 + j * STEP}`);
      }
    }
  }
  return lines.join("\n") + "\n# EOF\n";
}

/** The pushed hour as one remote-write request, encoded by promwasm's remote-write codec. */
function writeRequest(): Uint8Array<ArrayBuffer> {
  const w = new ProtoWriter();
  for (const [k, [labels]] of points(0).entries()) {
    const ts: number[] = [];
    const vs: number[] = [];
    for (let j = BACKFILLED; j < BACKFILLED + PUSHED; j++) {
      ts.push((T0 + j * STEP) * 1000);
      vs.push(points(j)[k][1]);
    }
    writeTimeSeries(w, 1, encodeLabelsField(labelsFromRecord(labels)), ts, vs, 0, ts.length);
  }
  return new Uint8Array(encodeSnappy(w.finish()));
}

/** Every file under dir with size and mtime. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${relative(dir, p)} ${statSync(p).size} ${statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

const RANGE = { start: GRID + 3600, end: GRID + 4 * 3600 - 60, step: 120 }; // across the last block and the head
const RANGE_QUERIES = [
  "rate(backfilled_total[5m])",
  "sum(increase(backfilled_total[10m]))",
  "resets(backfilled_total[1h])",
  "histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))",
  "rate(latency_seconds_sum[5m]) / rate(latency_seconds_count[5m])",
  "max_over_time(temp[10m:1m])",
  "avg by (room) (temp offset 30m)",
  "deriv(temp[15m])",
];
/** An instant vector's order is Prometheus' map order unless the query sorts; compare as a set. */
function byMetric(data: unknown): unknown {
  const d = data as { resultType: string; result: { metric: Record<string, string> }[] };
  if (d.resultType !== "vector") return d;
  const key = (r: { metric: Record<string, string> }) => JSON.stringify(Object.entries(r.metric).sort());
  return { ...d, result: [...d.result].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) };
}

const INSTANT_QUERIES: [query: string, time: number][] = [
  ["backfilled_total[2m]", GRID + BACKFILLED * STEP + 30],
  ['count by (__name__) ({__name__=~".+"})', GRID + BACKFILLED * STEP + 600],
  ["sort_desc(temp)", GRID + (BACKFILLED + PUSHED - 1) * STEP],
  ["quantile_over_time(0.25, temp[1h])", GRID + BACKFILLED * STEP],
];

describe.runIf(prometheus && promtool)("a data dir written by Prometheus 2.42, opened read-only", () => {
  const theirs = new Map<string, unknown>();

  beforeAll(async () => {
    const input = join(tmp.dir, "input.om");
    writeFileSync(input, openMetrics());
    execFileSync(promtool!, ["tsdb", "create-blocks-from", "openmetrics", input, dataDir], { stdio: "pipe" });
    const config = join(tmp.dir, "prometheus.yml");
    writeFileSync(config, "global: {}\n");
    prom = await startReference(prometheus!, (port) => [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
    ]);
    const res = await fetch(`${prom.base}/api/v1/write`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", "x-prometheus-remote-write-version": "0.1.0" },
      body: writeRequest(),
    });
    expect(res.status, await res.text()).toBe(204);
    for (const q of RANGE_QUERIES) {
      const r = await fetch(`${prom.base}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${RANGE.start}&end=${RANGE.end}&step=${RANGE.step}`);
      theirs.set(q, ((await r.json()) as { data: unknown }).data);
    }
    for (const [q, t] of INSTANT_QUERIES) {
      const r = await fetch(`${prom.base}/api/v1/query?query=${encodeURIComponent(q)}&time=${t}`);
      theirs.set(q, ((await r.json()) as { data: unknown }).data);
    }
    // A clean shutdown: the pushed hour stays in the WAL (the head is too short to compact).
    prom.proc.kill("SIGTERM");
    expect(await prom.exited).toBe(0);
  }, 180_000);

  it("holds blocks from the backfill and a WAL from Prometheus", () => {
    expect(readdirSync(dataDir).filter((n) => /^[0-9A-Z]{26}$/.test(n)).length).toBeGreaterThan(0);
    expect(readdirSync(join(dataDir, "wal")).filter((n) => /^\d+$/.test(n)).length).toBeGreaterThan(0);
    // Prometheus answered with data from both parts, so the comparison below covers both.
    const m = theirs.get("backfilled_total[2m]") as { result: { values: [number, string][] }[] };
    expect(m.result).toHaveLength(4);
    expect(m.result[0].values.map(([t]) => t)).toEqual([T0 + (BACKFILLED - 3) * STEP, T0 + (BACKFILLED - 2) * STEP, T0 + (BACKFILLED - 1) * STEP, T0 + BACKFILLED * STEP]);
  });

  it("answers every query as Prometheus did, and writes nothing to the dir", async () => {
    const before = listing(dataDir);
    const engine = new Engine();
    {
      await using db = await openTSDB(dataDir, { readOnly: true });
      expect(db.blocks().length).toBeGreaterThan(0);
      expect(await db.labelValues("room", "temp")).toEqual(["a", "b"]);
      for (const q of RANGE_QUERIES) {
        const ours = await engine.rangeQuery(db, q, { start: RANGE.start * 1000, end: RANGE.end * 1000, stepMs: RANGE.step * 1000 });
        expect((JSON.parse(toPrometheusJSON(ours)) as { data: unknown }).data, q).toEqual(theirs.get(q));
      }
      for (const [q, t] of INSTANT_QUERIES) {
        const ours = await engine.instantQuery(db, q, t * 1000);
        const data = (JSON.parse(toPrometheusJSON(ours)) as { data: unknown }).data;
        if (q.startsWith("sort")) expect(data, q).toEqual(theirs.get(q));
        else expect(byMetric(data), q).toEqual(byMetric(theirs.get(q)));
      }
    }
    expect(listing(dataDir)).toEqual(before);
  }, 120_000);
});
