// Head ingestion against Prometheus 2.42 with the same shape: N series, S rounds of one
// sample per series. Prometheus gets its samples by scraping a local exporter (so its
// CPU includes HTTP, text parsing and relabeling); ours go straight into the head's
// appender with the WAL on. Both sides report CPU time per sample (after the round that
// creates the series) and memory per head series, measured in the same run.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { labelsFromRecord, type Labels } from "../../src/model/labels.js";
import { openDB } from "../../src/tsdb/db.js";
import type { HeadAppender } from "../../src/tsdb/head-append.js";

const N_SERIES = Number(process.env.BENCH_SERIES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function which(bin: string): string | undefined {
  try {
    return execFileSync("which", [bin], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const addr = srv.address();
  await new Promise((r) => srv.close(r));
  return typeof addr === "object" && addr ? addr.port : 0;
}

function seriesLabels(i: number): Record<string, string> {
  return { __name__: `bench_metric_${i % 100}`, instance_id: `host-${(i / 100) | 0}`, mode: i % 3 === 0 ? "user" : "system" };
}

/** Values that change each scrape, like counters. */
function exposition(round: number): string {
  const lines: string[] = [];
  for (let i = 0; i < N_SERIES; i++) {
    const l = seriesLabels(i);
    lines.push(`${l.__name__}{instance_id="${l.instance_id}",mode="${l.mode}"} ${1000 + round * 7 + (i % 97)}`);
  }
  return lines.join("\n") + "\n";
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Result {
  readonly cpuUsPerSample: number;
  readonly bytesPerSeries: number;
  readonly what: string;
}

async function runPrometheus(bin: string, dir: string): Promise<Result> {
  let round = 0;
  const exporter = createServer((_req, res) => {
    res.setHeader("Content-Type", "text/plain; version=0.0.4");
    res.end(exposition(round++));
  });
  const exporterPort = await freePort();
  await new Promise<void>((r) => exporter.listen(exporterPort, "127.0.0.1", r));
  const port = await freePort();
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: bench\n    sample_limit: 0\n    static_configs:\n      - targets: ["127.0.0.1:${exporterPort}"]\n`,
  );
  const child = spawn(bin, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
  const metrics = `http://127.0.0.1:${port}/metrics`;
  try {
    await until(async () => ((await metric(metrics, "prometheus_tsdb_head_series")) >= N_SERIES ? true : undefined), 120_000, "the first scrape");
    const cpu0 = await metric(metrics, "process_cpu_seconds_total");
    const s0 = await metric(metrics, "prometheus_tsdb_head_samples_appended_total");
    const s1 = await until(
      async () => {
        const s = await metric(metrics, "prometheus_tsdb_head_samples_appended_total");
        return s >= s0 + N_SERIES * ROUNDS ? s : undefined;
      },
      ROUNDS * 10_000 + 60_000,
      `${ROUNDS} scrapes`,
    );
    const cpu1 = await metric(metrics, "process_cpu_seconds_total");
    const heap = await metric(metrics, "go_memstats_heap_inuse_bytes");
    const series = await metric(metrics, "prometheus_tsdb_head_series");
    return { cpuUsPerSample: ((cpu1 - cpu0) * 1e6) / (s1 - s0), bytesPerSeries: heap / series, what: "Go heap in use / head series; CPU incl. scrape+parse" };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await new Promise((r) => exporter.close(r));
  }
}

async function runOurs(dir: string): Promise<Result> {
  const labels: Labels[] = [];
  for (let i = 0; i < N_SERIES; i++) labels.push(labelsFromRecord(seriesLabels(i)));
  gc();
  const m0 = process.memoryUsage();
  const db = await openDB(dir, { noLockfile: true });
  const refs = new Float64Array(N_SERIES);
  const round = (r: number): void => {
    const app = db.appender() as HeadAppender;
    const t = 1_700_000_000_000 + r * 1000;
    for (let i = 0; i < N_SERIES; i++) refs[i] = app.append(refs[i], labels[i], t, 1000 + r * 7 + (i % 97));
    app.commitSync();
  };
  round(0);
  const cpu0 = process.cpuUsage();
  for (let r = 1; r <= ROUNDS; r++) round(r);
  const cpu = process.cpuUsage(cpu0);
  gc();
  const m1 = process.memoryUsage();
  await db.close();
  const bytes = m1.heapUsed - m0.heapUsed + (m1.external - m0.external);
  return { cpuUsPerSample: (cpu.user + cpu.system) / (N_SERIES * ROUNDS), bytesPerSeries: bytes / N_SERIES, what: "JS heap + typed arrays / head series; CPU of append+commit only" };
}

function print(name: string, r: Result): void {
  console.log(
    `${name.padEnd(16)} ${r.cpuUsPerSample.toFixed(3)} µs CPU/sample (${(1 / r.cpuUsPerSample).toFixed(2)}M samples/s per core), ` +
      `${(r.bytesPerSeries / 1024).toFixed(2)} KiB/series  [${r.what}]`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "promwasm-vs-prom-"));
  try {
    console.log(`series=${N_SERIES} rounds=${ROUNDS} (one sample per series per round)`);
    const ours = await runOurs(join(dir, "ours"));
    print("promwasm head", ours);
    const bin = which("prometheus");
    if (!bin) {
      console.log("prometheus not installed: skipping the Prometheus side");
      return;
    }
    const prom = await runPrometheus(bin, dir);
    print("prometheus 2.42", prom);
    console.log(`ratio CPU/sample prometheus/promwasm: ${(prom.cpuUsPerSample / ours.cpuUsPerSample).toFixed(2)}x; memory/series: ${(prom.bytesPerSeries / ours.bytesPerSeries).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
