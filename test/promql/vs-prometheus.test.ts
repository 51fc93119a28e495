// Compares the engine with a real Prometheus: the same samples are backfilled into a TSDB with
// promtool and loaded into the in-memory storage, then instant and range queries must agree.
// Sample times sit 7s off the minute grid and query times on it, so no sample lands on a
// window edge, where Prometheus 2.x (closed windows) and 3.x (left-open) differ.
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { labelsFromRecord, labelsKey, labelsToString, type Labels } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine.js";
import { almostEqual } from "../../src/promql/float-math.js";
import type { QueryValue } from "../../src/promql/value.js";
import { startReference, stopChild, type Server } from "../helpers/process.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";
import { MemoryStorage } from "./memory-storage.js";

const prometheusBin = referenceBinary("prometheus");
const promtoolBin = referenceBinary("promtool");

const QUERIES = [
  "http_requests_total",
  "rate(http_requests_total[5m])",
  "increase(http_requests_total[10m])",
  "irate(http_requests_total[2m])",
  "delta(mem_bytes[10m])",
  "idelta(mem_bytes[3m])",
  "deriv(mem_bytes[10m])",
  "predict_linear(mem_bytes[15m], 600)",
  "resets(http_requests_total[20m])",
  "changes(mem_bytes[20m])",
  "sum by (job) (rate(http_requests_total[5m]))",
  "avg without (instance) (mem_bytes)",
  "max(mem_bytes) - min(mem_bytes)",
  "count_values(\"v\", round(mem_bytes / 100))",
  "topk(2, mem_bytes)",
  "bottomk(1, rate(http_requests_total[5m]))",
  "quantile(0.9, mem_bytes)",
  "stddev(mem_bytes)",
  "histogram_quantile(0.9, sum by (le) (rate(req_duration_bucket[5m])))",
  "histogram_quantile(0.5, rate(req_duration_bucket[10m]))",
  'label_replace(mem_bytes, "host", "h-$1", "instance", "(.*)")',
  'label_join(mem_bytes, "id", "/", "job", "instance")',
  "max_over_time(mem_bytes[10m])",
  "min_over_time(mem_bytes[10m])",
  "avg_over_time(mem_bytes[10m])",
  "sum_over_time(mem_bytes[5m])",
  "count_over_time(mem_bytes[5m])",
  "quantile_over_time(0.75, mem_bytes[10m])",
  "stddev_over_time(mem_bytes[10m])",
  "last_over_time(mem_bytes[10m])",
  "present_over_time(mem_bytes[5m])",
  "max_over_time(rate(http_requests_total[5m])[20m30s:1m])",
  "avg_over_time(mem_bytes[10m] offset 5m)",
  "mem_bytes offset 3m",
  "rate(http_requests_total[5m]) / on(instance) group_left mem_bytes",
  "mem_bytes > bool 500",
  "mem_bytes > 500",
  "http_requests_total and on(instance) mem_bytes > 400",
  "mem_bytes unless on(instance) http_requests_total > 1000",
  "sum(http_requests_total) or vector(0)",
  "absent(nonexistent{job=\"x\"})",
  "clamp(mem_bytes, 200, 600)",
  "abs(delta(mem_bytes[5m]))",
  "timestamp(mem_bytes)",
  "scalar(sum(mem_bytes)) * 2",
  "sum by (job) (http_requests_total) % 7",
];

const STEP_S = 15;
const HOUR_MS = 3_600_000;

interface Sample {
  labels: Record<string, string>;
  t: number;
  v: number;
}

/** Deterministic data: counters with resets, gauges with a NaN, classic histogram buckets. */
function generate(base: number): Sample[] {
  const out: Sample[] = [];
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const n = 3600 / STEP_S;
  for (const [i, instance] of ["a", "b", "c"].entries()) {
    const job = i < 2 ? "api" : "db";
    let counter = 0;
    for (let k = 0; k < n; k++) {
      const t = base + 7000 + k * STEP_S * 1000;
      counter += Math.floor(rnd() * 20) + i;
      if (k === 100 + i * 37) counter = Math.floor(rnd() * 5);
      out.push({ labels: { __name__: "http_requests_total", job, instance }, t, v: counter });
      const gauge = k === 150 && instance === "b" ? NaN : Math.round(300 + 200 * Math.sin(k / 20 + i) + rnd() * 50);
      out.push({ labels: { __name__: "mem_bytes", job, instance }, t, v: gauge });
    }
  }
  const bounds = ["0.1", "0.5", "1", "5", "+Inf"];
  for (const job of ["api", "db"]) {
    const counts = bounds.map(() => 0);
    for (let k = 0; k < n; k++) {
      const t = base + 7000 + k * STEP_S * 1000;
      let acc = 0;
      for (let b = 0; b < bounds.length; b++) {
        acc += Math.floor(rnd() * 10);
        counts[b] += acc;
      }
      for (let b = 0; b < bounds.length; b++) {
        for (let j = 1; j < bounds.length; j++) counts[j] = Math.max(counts[j], counts[j - 1]);
        out.push({ labels: { __name__: "req_duration_bucket", job, le: bounds[b] }, t, v: counts[b] });
      }
    }
  }
  return out;
}

function openMetrics(samples: Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = byName.get(s.labels.__name__) ?? [];
    list.push(s);
    byName.set(s.labels.__name__, list);
  }
  let text = "";
  for (const [name, list] of byName) {
    text += `# TYPE ${name} unknown\n`;
    const bySeries = new Map<string, Sample[]>();
    for (const s of list) {
      const key = JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== "__name__"));
      bySeries.set(key, [...(bySeries.get(key) ?? []), s]);
    }
    for (const series of bySeries.values()) {
      for (const s of series) {
        const lbls = Object.entries(s.labels)
          .filter(([k]) => k !== "__name__")
          .map(([k, v]) => `${k}="${v}"`)
          .join(",");
        const v = Number.isNaN(s.v) ? "NaN" : String(s.v);
        text += `${name}{${lbls}} ${v} ${(s.t / 1000).toFixed(3)}\n`;
      }
    }
  }
  return text + "# EOF\n";
}

interface PromSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

function toPoints(v: QueryValue): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  if (v.type === "vector") for (const s of v.samples) out.set(labelsKey(s.metric), new Map([[s.t, s.v]]));
  else if (v.type === "matrix") for (const s of v.series) out.set(labelsKey(s.metric), new Map([...s.ts].map((t, i) => [t, s.vs[i]])));
  else if (v.type === "scalar") out.set("", new Map([[v.t, v.v]]));
  return out;
}

function promPoints(data: { resultType: string; result: unknown }): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  const num = (s: string) => (s === "NaN" ? NaN : s === "+Inf" ? Infinity : s === "-Inf" ? -Infinity : Number(s));
  if (data.resultType === "scalar") {
    const [t, v] = data.result as [number, string];
    out.set("", new Map([[Math.round(t * 1000), num(v)]]));
    return out;
  }
  for (const s of data.result as PromSeries[]) {
    const key = labelsKey(labelsFromRecord(s.metric));
    const pts = s.values ?? (s.value ? [s.value] : []);
    out.set(key, new Map(pts.map(([t, v]) => [Math.round(t * 1000), num(v)])));
  }
  return out;
}

function diff(ours: Map<string, Map<number, number>>, theirs: Map<string, Map<number, number>>): string[] {
  const problems: string[] = [];
  const show = (k: string) => labelsToString(k.split("\xff").filter(Boolean).map((p) => ({ name: p.split("\xfe")[0], value: p.split("\xfe")[1] })) as Labels);
  for (const [k, pts] of theirs) {
    const mine = ours.get(k);
    if (!mine) {
      problems.push(`missing series ${show(k)}`);
      continue;
    }
    for (const [t, v] of pts) {
      const m = mine.get(t);
      if (m === undefined) problems.push(`${show(k)}@${t}: missing, want ${v}`);
      else if (!almostEqual(v, m, 1e-6)) problems.push(`${show(k)}@${t}: got ${m}, want ${v}`);
    }
    if (mine.size !== pts.size) problems.push(`${show(k)}: ${mine.size} points, want ${pts.size}`);
  }
  for (const k of ours.keys()) if (!theirs.has(k)) problems.push(`extra series ${show(k)}`);
  return problems;
}

describe.skipIf(!prometheusBin || !promtoolBin)("engine vs Prometheus 2.42", () => {
  const tmp = tempDir("promql-vs-prom");
  const base = Math.floor((Date.now() - 4 * HOUR_MS) / (2 * HOUR_MS)) * 2 * HOUR_MS;
  const storage = new MemoryStorage();
  const engine = new Engine({});
  let prometheus: Server | undefined;

  beforeAll(async () => {
    const samples = generate(base);
    for (const s of samples) storage.add(labelsFromRecord(s.labels), s.t, s.v);
    const input = join(tmp.dir, "data.om");
    writeFileSync(input, openMetrics(samples));
    const dataDir = join(tmp.dir, "data");
    mkdirSync(dataDir);
    execFileSync(promtoolBin!, ["tsdb", "create-blocks-from", "openmetrics", "-q", input, dataDir], { stdio: "pipe" });
    const config = join(tmp.dir, "prometheus.yml");
    writeFileSync(config, "global:\n  scrape_interval: 1h\n");
    prometheus = await startReference(prometheusBin!, (port) => [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`], { timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await stopChild(prometheus);
    engine.close();
    tmp.cleanup();
  });

  async function prom(path: string, params: Record<string, string>): Promise<{ resultType: string; result: unknown }> {
    const res = await fetch(`${prometheus!.base}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: { resultType: string; result: unknown }; error?: string };
    if (body.status !== "success") throw new Error(`prometheus: ${body.error}`);
    return body.data;
  }

  test.each(QUERIES)("instant %s", async (q) => {
    const t = base + 50 * 60_000;
    const theirs = promPoints(await prom("/api/v1/query", { query: q, time: String(t / 1000) }));
    const ours = toPoints((await engine.instantQuery(storage, q, t)).value);
    expect(diff(ours, theirs)).toEqual([]);
  });

  test.each(QUERIES)("range %s", async (q) => {
    const start = base + 10 * 60_000;
    const end = base + 60 * 60_000;
    const theirs = promPoints(await prom("/api/v1/query_range", { query: q, start: String(start / 1000), end: String(end / 1000), step: "60" }));
    const ours = toPoints((await engine.rangeQuery(storage, q, start, end, 60_000)).value);
    expect(diff(ours, theirs)).toEqual([]);
  });
});
