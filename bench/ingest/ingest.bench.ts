// The real scrape path end to end (HTTP body -> parser -> cache -> head -> WAL), promwasm against
// Prometheus and VictoriaMetrics in one run: each system in turn scrapes the same synthetic
// exporter (bench/ingest/exporter.ts, its own process), warms up until every series has had a
// chunk cut, then is measured over a window: server CPU per ingested sample (from /proc, all
// threads) and median RSS per active series (samples and series from each system's own
// metrics). Rounds interleave the systems; the summary prints medians, promwasm's ratios and
// its memory by kind (promwasm_tsdb_head_bytes, promwasm_scrape_cache_bytes) when exposed.
//
//   npm run bench:ingest -- [--series=50000,100000] [--targets=20] [--interval=1s] [--rounds=3]
//                           [--warmup=125s] [--window=60s] [--systems=promwasm,prometheus,victoria-metrics] [--quick]
//                           [--promwasm=<another build's build/dist/src/cmd/promwasm.js>]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatDuration, parseDuration } from "../../src/model/duration.js";
import { cpuSeconds, killAllNow, rssBytes, sleep, spawnChild, stopChild, waitFor, type Child } from "./children.js";
import { metricSum, PROMWASM_BIN, resolveSystems, SYSTEM_NAMES, type Running, type System, type SystemName } from "./systems.js";

const EXPORTER = join(import.meta.dirname, "exporter.js");
/** Prometheus cuts a chunk at 120 samples; a few scrapes more make sure every series has. */
const WARMUP_SCRAPES = 125;
const PROGRESS_EVERY_MS = 30_000;
const RSS_EVERY_MS = 1000;

interface Options {
  readonly series: number[];
  readonly targets: number;
  readonly intervalMs?: number;
  readonly rounds: number;
  readonly warmupMs?: number;
  readonly windowMs: number;
  readonly systems: SystemName[];
  readonly promwasmBin: string;
}

/** One size's workload, as every system sees it. */
interface Workload {
  readonly ports: number[];
  readonly perTarget: number;
  readonly intervalMs: number;
  readonly warmupMs: number;
  readonly windowMs: number;
}

interface Measurement {
  readonly cpuUsPerSample: number;
  readonly rssKiBPerSeries: number;
  readonly rssMiB: number;
  readonly series: number;
  readonly samplesPerSec: number;
  /** Head chunks per series at the window's start (>= 2 once one chunk per series was cut); undefined without the gauge. */
  readonly chunksPerSeries?: number;
  /** promwasm_tsdb_head_bytes by kind and promwasm_scrape_cache_bytes at the window's end, when the system exposes them. */
  readonly memoryBytes: Map<string, number>;
}

function options(): Options {
  const { values: v } = parseArgs({
    options: {
      series: { type: "string" },
      targets: { type: "string" },
      interval: { type: "string" },
      rounds: { type: "string" },
      warmup: { type: "string" },
      window: { type: "string" },
      systems: { type: "string" },
      quick: { type: "boolean", default: false },
      agent: { type: "boolean", default: false },
      promwasm: { type: "string" },
    },
    strict: true,
  });
  if (v.agent) throw new Error("--agent is reserved for agent mode, which this bench does not run yet");
  const systems = (v.systems ?? SYSTEM_NAMES.join(",")).split(",").map((s) => {
    if (!(SYSTEM_NAMES as readonly string[]).includes(s)) throw new Error(`--systems: unknown system ${JSON.stringify(s)} (known: ${SYSTEM_NAMES.join(", ")})`);
    return s as SystemName;
  });
  const positive = (flag: string, s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag}: want a positive integer, got ${JSON.stringify(s)}`);
    return n;
  };
  // --quick: a smoke run that no chunk is cut in; explicit options still win.
  return {
    series: (v.series ?? (v.quick ? "5000" : "50000,100000")).split(",").map((s) => positive("series", s)),
    targets: positive("targets", v.targets ?? "20"),
    intervalMs: v.interval !== undefined ? parseDuration(v.interval) : v.quick ? 1000 : undefined,
    rounds: positive("rounds", v.rounds ?? (v.quick ? "1" : "3")),
    warmupMs: v.warmup !== undefined ? parseDuration(v.warmup) : v.quick ? 10_000 : undefined,
    windowMs: parseDuration(v.window ?? (v.quick ? "10s" : "60s")),
    systems,
    // Another build, e.g. a clean checkout's while this tree holds unfinished work.
    promwasmBin: resolve(v.promwasm ?? PROMWASM_BIN),
  };
}

function log(msg: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} ${msg}`);
}

async function startExporter(targets: number, perTarget: number): Promise<{ child: Child; ports: number[] }> {
  const child = spawnChild("exporter", process.execPath, [EXPORTER, `--targets=${targets}`, `--series-per-target=${perTarget}`]);
  const ports = await waitFor(
    child,
    async () => {
      const line = child.logs().split("\n")[0];
      return line.startsWith("{") ? (JSON.parse(line) as { ports: number[] }).ports : undefined;
    },
    30_000,
    "the exporter's ports",
  );
  return { child, ports };
}

function scrapeConfig(w: Workload): string {
  const interval = formatDuration(w.intervalMs);
  const targets = w.ports.map((p) => `"127.0.0.1:${p}"`).join(", ");
  return `global:\n  scrape_interval: ${interval}\n  scrape_timeout: ${interval}\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: [${targets}]\n`;
}

async function metricsText(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  if (!res.ok) throw new Error(`GET ${base}/metrics: ${res.status}`);
  return res.text();
}

async function targetsUp(base: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/targets?state=active`);
  const body = (await res.json()) as { data: { activeTargets: { health: string }[] } };
  return body.data.activeTargets.filter((t) => t.health === "up").length;
}

/** promwasm's memory by kind: the head's kinds, and its scrape caches as "scrape cache". */
function memoryByKind(metrics: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metrics.matchAll(/^promwasm_tsdb_head_bytes\{[^}]*\bkind="([^"]*)"[^}]*\} (\S+)/gm)) out.set(m[1], Number(m[2]));
  const cache = metricSum(metrics, "promwasm_scrape_cache_bytes");
  if (cache !== undefined) out.set("scrape cache", cache);
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/** Starts one system on the workload, warms it up and measures it over the window. */
async function measure(sys: System, w: Workload, root: string, tag: string): Promise<Measurement> {
  const dir = mkdtempSync(join(root, `${sys.name}-`));
  const config = join(dir, "scrape.yml");
  writeFileSync(config, scrapeConfig(w));
  let running: Running | undefined;
  try {
    running = await sys.start(config, join(dir, "data"));
    const { child, base } = running;
    log(`${tag} started (pid ${child.pid}, ${base})`);
    const nTargets = w.ports.length;
    const exported = nTargets * w.perTarget;
    const setupTimeout = 60_000 + 10 * w.intervalMs;
    await waitFor(child, async () => ((await targetsUp(base)) === nTargets ? true : undefined), setupTimeout, `${nTargets} targets up`);
    // Every exported series ingested once: the warm-up counts from here.
    await waitFor(child, async () => ((sys.samples(await metricsText(base)) ?? 0) >= exported ? true : undefined), setupTimeout, `${exported} samples ingested`);
    const warmupEnd = Date.now() + w.warmupMs;
    log(`${tag} all ${nTargets} targets up; warming up for ${formatDuration(w.warmupMs)}`);
    while (Date.now() < warmupEnd) {
      await sleep(Math.min(PROGRESS_EVERY_MS, warmupEnd - Date.now()));
      if (Date.now() >= warmupEnd) break;
      const m = await metricsText(base);
      log(`${tag} warm-up ${formatDuration(Math.round((w.warmupMs - (warmupEnd - Date.now())) / 1000) * 1000)}: series ${sys.series(m) ?? "?"}, RSS ${mib(rssBytes(child.pid))} MiB, CPU ${cpuSeconds(child.pid).toFixed(1)} s`);
    }

    const cpu0 = cpuSeconds(child.pid);
    const m0 = await metricsText(base);
    const t0 = Date.now();
    const rss: number[] = [];
    while (Date.now() - t0 < w.windowMs) {
      rss.push(rssBytes(child.pid));
      await sleep(Math.min(RSS_EVERY_MS, w.windowMs - (Date.now() - t0)));
    }
    const m1 = await metricsText(base);
    const t1 = Date.now();
    const cpu1 = cpuSeconds(child.pid);

    const samples = (sys.samples(m1) ?? NaN) - (sys.samples(m0) ?? NaN);
    const series = sys.series(m1);
    if (!(samples > 0) || series === undefined) throw new Error(`${sys.name} reports no ingested samples or no active series`);
    const chunks = metricSum(m0, "prometheus_tsdb_head_chunks");
    const series0 = sys.series(m0);
    return {
      cpuUsPerSample: ((cpu1 - cpu0) * 1e6) / samples,
      rssKiBPerSeries: median(rss) / 1024 / series,
      rssMiB: median(rss) / 2 ** 20,
      series,
      samplesPerSec: (samples * 1000) / (t1 - t0),
      chunksPerSeries: chunks !== undefined && series0 ? chunks / series0 : undefined,
      memoryBytes: memoryByKind(m1),
    };
  } finally {
    if (running) await stopChild(running.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(m: Measurement): string {
  const chunks = m.chunksPerSeries !== undefined ? `, ${m.chunksPerSeries.toFixed(2)} head chunks/series` : "";
  return `${m.cpuUsPerSample.toFixed(3)} µs CPU/sample, ${m.rssKiBPerSeries.toFixed(2)} KiB RSS/series (RSS ${m.rssMiB.toFixed(0)} MiB, ${m.series} series, ${m.samplesPerSec.toFixed(0)} samples/s${chunks})`;
}

function summarize(results: Map<SystemName, Measurement[]>): void {
  const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(18) : c.padStart(14))).join(" ");
  console.log(row(["system", "CPU µs/sample", "RSS KiB/series", "RSS MiB", "series", "samples/s", "chunks/series"]));
  const medians = new Map<SystemName, { cpu: number; rss: number }>();
  for (const [name, ms] of results) {
    const med = (f: (m: Measurement) => number): number => median(ms.map(f));
    const chunks = ms.map((m) => m.chunksPerSeries).filter((c): c is number => c !== undefined);
    medians.set(name, { cpu: med((m) => m.cpuUsPerSample), rss: med((m) => m.rssKiBPerSeries) });
    console.log(
      row([
        name,
        med((m) => m.cpuUsPerSample).toFixed(3),
        med((m) => m.rssKiBPerSeries).toFixed(2),
        med((m) => m.rssMiB).toFixed(0),
        med((m) => m.series).toFixed(0),
        med((m) => m.samplesPerSec).toFixed(0),
        chunks.length ? median(chunks).toFixed(2) : "-",
      ]),
    );
  }
  const ours = medians.get("promwasm");
  for (const [name, theirs] of medians) {
    if (ours && name !== "promwasm") console.log(`promwasm/${name}: CPU per sample ${(ours.cpu / theirs.cpu).toFixed(2)}x, RSS per series ${(ours.rss / theirs.rss).toFixed(2)}x`);
  }
  const runs = results.get("promwasm") ?? [];
  const kinds = new Set(runs.flatMap((m) => [...m.memoryBytes.keys()]));
  if (kinds.size) {
    const perSeries = [...kinds].map((k) => `${k} ${median(runs.map((m) => (m.memoryBytes.get(k) ?? 0) / m.series)).toFixed(0)}`);
    console.log(`promwasm memory per series by kind, bytes (median; RSS/series ${median(runs.map((m) => m.rssKiBPerSeries * 1024)).toFixed(0)}): ${perSeries.join(", ")}`);
  }
}

async function main(): Promise<void> {
  const opts = options();
  const systems = resolveSystems(opts.systems, opts.promwasmBin);
  if (!systems.length) throw new Error("no system to run");
  const root = mkdtempSync(join(tmpdir(), "promwasm-bench-ingest-"));
  let exporter: Child | undefined;
  const onSignal = (): void => {
    killAllNow();
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  log(`bench:ingest ${new Date().toISOString().slice(0, 10)}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  try {
    for (const total of opts.series) {
      const perTarget = Math.ceil(total / opts.targets);
      const intervalMs = opts.intervalMs ?? (total >= 100_000 ? 2000 : 1000);
      const started = await startExporter(opts.targets, perTarget);
      exporter = started.child;
      const w: Workload = { ports: started.ports, perTarget, intervalMs, warmupMs: opts.warmupMs ?? WARMUP_SCRAPES * intervalMs, windowMs: opts.windowMs };
      const header = `${opts.targets * perTarget} series (${opts.targets} targets x ${perTarget}), scrape every ${formatDuration(intervalMs)}, warm-up ${formatDuration(w.warmupMs)}, window ${formatDuration(w.windowMs)}`;
      log(header);
      const results = new Map<SystemName, Measurement[]>(systems.map((s) => [s.name, []]));
      for (let r = 0; r < opts.rounds; r++) {
        // Each round starts with another system, so none is always first after the exporter warms up.
        for (let i = 0; i < systems.length; i++) {
          const sys = systems[(i + r) % systems.length];
          const tag = `[${total} r${r + 1}/${opts.rounds} ${sys.name}]`;
          const m = await measure(sys, w, root, tag);
          log(`${tag} ${describe(m)}`);
          results.get(sys.name)!.push(m);
        }
      }
      await stopChild(exporter);
      console.log(`\n== ${header}; medians of ${opts.rounds} round(s); load average now ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
      summarize(results);
      console.log();
    }
  } finally {
    if (exporter) await stopChild(exporter);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
