// bench:query: ten dashboard-style PromQL queries over the same promtool-built blocks
// (5,400 series x 6 h by default, see dataset.ts), served over HTTP by promwasm,
// Prometheus 2.42 and VictoriaMetrics (loaded with vmctl from the same blocks) in one run.
// Rounds interleave the systems query by query, rotating who goes first; the table shows
// each system's median latency, the ratios to Prometheus, and the series each returned.
// Env: BENCH_HOURS, BENCH_INTERVAL_MS, BENCH_ROUNDS; BENCH_PROMWASM_NODE_ARGS adds node
// flags to the promwasm children (e.g. "--cpu-prof --cpu-prof-dir=DIR"; it then exits by SIGTERM
// so the profile is written); BENCH_BASELINE_BIN, another build's promwasm.js, runs it
// alongside as "promwasm-base" to compare before and after a change in the same run.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killAllNow, spawnChild, stopChild, waitFor, type Child } from "../ingest/children.js";
import { startOnRandomPort, which, PROMWASM_BIN } from "../ingest/systems.js";
import { datasetBlocks, END, type DatasetShape } from "./dataset.js";

const SHAPE: DatasetShape = { hours: Number(process.env.BENCH_HOURS ?? 6), intervalMs: Number(process.env.BENCH_INTERVAL_MS ?? 30_000) };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const NODE_ARGS = (process.env.BENCH_PROMWASM_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
const BASELINE_BIN = process.env.BENCH_BASELINE_BIN;
const START_TIMEOUT_MS = 120_000;
const STEP_S = 60;

interface BenchQuery {
  readonly name: string;
  readonly query: string;
  /** Instant at END when false; else over the whole data set at STEP_S. */
  readonly range: boolean;
}

const QUERIES: readonly BenchQuery[] = [
  { name: "sum by job rate", query: "sum by (job) (rate(http_requests_total[5m]))", range: true },
  { name: "histogram_quantile", query: "histogram_quantile(0.9, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))", range: true },
  { name: "topk max_over_time 6h", query: "topk(5, max_over_time(process_resident_memory_bytes[6h]))", range: false },
  { name: "regex mode rate", query: 'sum by (instance) (rate(node_cpu_seconds_total{mode=~"user|system|iowait"}[5m]))', range: true },
  { name: "regex count", query: 'count({__name__=~"http_.*", instance=~"host-1.*"})', range: true },
  { name: "subquery", query: "max_over_time(sum by (job) (rate(http_requests_total[5m]))[1h:1m])", range: true },
  { name: "ratio join", query: 'sum by (job) (rate(http_requests_total{code="500"}[5m])) / sum by (job) (rate(http_requests_total[5m]))', range: true },
  { name: "count by job all", query: 'count by (job) ({__name__=~".+"})', range: true },
  { name: "quantile_over_time", query: "quantile_over_time(0.9, process_resident_memory_bytes[1h])", range: true },
  { name: "one-to-one join", query: "rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])", range: true },
];

interface Served {
  readonly name: "promwasm" | "promwasm-base" | "prometheus" | "victoria-metrics";
  readonly child: Child;
  readonly base: string;
}

const log = (s: string): void => void process.stdout.write(`# ${s}\n`);

async function ok(url: string): Promise<true | undefined> {
  return (await fetch(url)).ok ? true : undefined;
}

async function startPromwasm(name: "promwasm" | "promwasm-base", bin: string, dir: string, config: string): Promise<Served> {
  const child = spawnChild(name, process.execPath, [
    ...NODE_ARGS,
    bin,
    `--config.file=${config}`,
    `--storage.tsdb.path=${dir}`,
    "--storage.tsdb.retention.time=100y",
    "--storage.tsdb.max-block-duration=2h",
    "--web.listen-address=127.0.0.1:0",
  ]);
  const port = await waitFor(child, async () => /msg="Listening on" .*\bport=(\d+)/.exec(child.logs())?.[1], START_TIMEOUT_MS, "its listening log line");
  const base = `http://127.0.0.1:${port}`;
  await waitFor(child, () => ok(`${base}/-/ready`), START_TIMEOUT_MS, `${name} ready`);
  return { name, child, base };
}

async function startPrometheus(binary: string, dir: string, config: string): Promise<Served> {
  const args = (port: number) => [
    `--config.file=${config}`,
    `--storage.tsdb.path=${dir}`,
    "--storage.tsdb.retention.time=100y",
    "--storage.tsdb.max-block-duration=2h",
    `--web.listen-address=127.0.0.1:${port}`,
  ];
  const r = await startOnRandomPort("prometheus", binary, args, "/-/ready");
  return { name: "prometheus", ...r };
}

/** VictoriaMetrics on an empty dir, then the blocks imported with vmctl and flushed. */
async function startVictoria(binary: string, dir: string, blocks: string): Promise<Served> {
  const args = (port: number) => [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, "-retentionPeriod=100y", "-search.disableCache"];
  const r = await startOnRandomPort("victoria-metrics", binary, args, "/health");
  log("importing the blocks into VictoriaMetrics with vmctl prometheus");
  // vmctl 1.79 fails without a terminal for its progress bars, so it gets one from script(1).
  const vmctl = `vmctl prometheus --prom-snapshot=${blocks} --vm-addr=${r.base} -s --vm-disable-progress-bar`;
  execFileSync("script", ["-q", "-e", "-c", vmctl, "/dev/null"], { stdio: ["ignore", "ignore", "inherit"] });
  await fetch(`${r.base}/internal/force_flush`);
  return { name: "victoria-metrics", ...r };
}

interface Answer {
  readonly ms: number;
  readonly series: number;
}

async function run(s: Served, q: BenchQuery): Promise<Answer> {
  const params = new URLSearchParams({ query: q.query });
  if (q.range) {
    params.set("start", String((END - SHAPE.hours * 3_600_000) / 1000));
    params.set("end", String(END / 1000));
    params.set("step", String(STEP_S));
  } else {
    params.set("time", String(END / 1000));
  }
  const t0 = performance.now();
  const res = await fetch(`${s.base}/api/v1/${q.range ? "query_range" : "query"}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: params.toString(),
  });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  const ms = performance.now() - t0;
  if (body.status !== "success") throw new Error(`${s.name}: ${q.query}: ${body.error}`);
  return { ms, series: body.data!.result.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Peak resident set size (VmHWM) in MiB. */
function peakRssMiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

async function main(): Promise<void> {
  const blocks = await datasetBlocks(SHAPE, log);
  const work = mkdtempSync(join(tmpdir(), "promwasm-bench-query-"));
  const config = join(work, "prometheus.yml");
  writeFileSync(config, "global:\n  evaluation_interval: 1h\n");
  const served: Served[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of served) {
      // A profiled promwasm writes its profile on a clean exit.
      if (s.name.startsWith("promwasm") && NODE_ARGS.length > 0) {
        s.child.proc.kill("SIGTERM");
        await s.child.exited;
      } else {
        await stopChild(s.child);
      }
    }
    rmSync(work, { recursive: true, force: true });
  };
  process.once("SIGINT", () => {
    killAllNow();
    process.exit(130);
  });
  try {
    const copy = (name: string): string => {
      const dir = join(work, name);
      cpSync(blocks, dir, { recursive: true });
      return dir;
    };
    served.push(await startPromwasm("promwasm", PROMWASM_BIN, copy("promwasm"), config));
    if (BASELINE_BIN) served.push(await startPromwasm("promwasm-base", BASELINE_BIN, copy("promwasm-base"), config));
    const prom = which("prometheus");
    if (prom) served.push(await startPrometheus(prom, copy("prometheus"), config));
    else log("skipping prometheus: no binary on PATH");
    const vm = which("victoria-metrics");
    if (vm && which("vmctl")) served.push(await startVictoria(vm, join(work, "victoria-metrics"), blocks));
    else log("skipping victoria-metrics: no victoria-metrics or vmctl on PATH");

    const times = new Map<string, number[]>();
    const series = new Map<string, number>();
    const key = (s: Served, q: BenchQuery) => `${s.name}\u0000${q.name}`;
    log("warm-up round");
    for (const q of QUERIES) for (const s of served) series.set(key(s, q), (await run(s, q)).series);
    const loadBefore = loadAverage();
    for (let r = 0; r < ROUNDS; r++) {
      for (const q of QUERIES) {
        for (let k = 0; k < served.length; k++) {
          const s = served[(k + r) % served.length];
          const a = await run(s, q);
          const list = times.get(key(s, q)) ?? [];
          list.push(a.ms);
          times.set(key(s, q), list);
        }
      }
    }
    const loadAfter = loadAverage();

    const names = served.map((s) => s.name);
    const promIdx = names.indexOf("prometheus");
    const header = ["query", ...names.map((n) => `${n} ms`), ...(promIdx >= 0 ? names.filter((n) => n !== "prometheus").map((n) => `${n}/prometheus`) : []), "series"];
    const rows: string[][] = [];
    const logRatios = names.map(() => 0);
    for (const q of QUERIES) {
      const meds = served.map((s) => median(times.get(key(s, q))!));
      const ratios = promIdx >= 0 ? served.flatMap((s, i) => (i === promIdx ? [] : [meds[i] / meds[promIdx]])) : [];
      meds.forEach((m, i) => (logRatios[i] += promIdx >= 0 ? Math.log(m / meds[promIdx]) : 0));
      rows.push([q.name, ...meds.map((m) => m.toFixed(1)), ...ratios.map((x) => `${x.toFixed(2)}x`), served.map((s) => series.get(key(s, q))).join(" / ")]);
    }
    if (promIdx >= 0) {
      const geo = served.flatMap((_, i) => (i === promIdx ? [] : [`${Math.exp(logRatios[i] / QUERIES.length).toFixed(2)}x`]));
      rows.push(["geomean", ...served.map(() => ""), ...geo, ""]);
    }
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    process.stdout.write(`${SHAPE.hours} h at ${SHAPE.intervalMs / 1000} s, ${ROUNDS} rounds; medians of wall time per HTTP query; load average ${loadBefore} before, ${loadAfter} after\n`);
    process.stdout.write(line(header) + "\n");
    for (const r of rows) process.stdout.write(line(r) + "\n");
    process.stdout.write(`pids: ${served.map((s) => `${s.name} ${s.child.pid}`).join(", ")}\n`);
    process.stdout.write(`peak RSS (MiB): ${served.map((s) => `${s.name} ${peakRssMiB(s.child.pid).toFixed(0)}`).join(", ")}\n`);
  } finally {
    await stopAll();
  }
}

await main();
