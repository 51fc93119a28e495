// The three scrapers bench:ingest compares: how each starts from a scrape config, and which of
// its own metrics count ingested samples and active series.
import { execFileSync } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { spawnChild, stopChild, waitFor, type Child } from "./children.js";

export const SYSTEM_NAMES = ["promwasm", "prometheus", "victoria-metrics"] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

export interface Running {
  readonly child: Child;
  /** http://127.0.0.1:<port> */
  readonly base: string;
}

export interface System {
  readonly name: SystemName;
  /** Starts it scraping per the config file, storing under dir; resolves once it serves HTTP. */
  start(config: string, dir: string): Promise<Running>;
  /** Samples ingested so far, from its own counter in a /metrics text. */
  samples(metrics: string): number | undefined;
  /** Active series, from its own gauge in a /metrics text. */
  series(metrics: string): number | undefined;
}

/** The promwasm bin built next to this bench. */
export const PROMWASM_BIN = join(import.meta.dirname, "..", "..", "src", "cmd", "promwasm.js");
const START_TIMEOUT_MS = 60_000;

/**
 * Sum over the series of metric name in a /metrics text whose label text contains match;
 * undefined when there are none.
 */
export function metricSum(text: string, name: string, match = ""): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let valueAt: number;
    if (rest.startsWith(" ")) valueAt = 1;
    else if (rest.startsWith("{")) valueAt = rest.indexOf("} ") + 2;
    else continue;
    if (match && !rest.slice(0, valueAt).includes(match)) continue;
    sum = (sum ?? 0) + Number(rest.slice(valueAt).split(" ")[0]);
  }
  return sum;
}

/** The binary's path, or undefined when it is not on PATH. */
export function which(bin: string): string | undefined {
  try {
    return execFileSync("which", [bin], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function ok(url: string): Promise<true | undefined> {
  return (await fetch(url)).ok ? true : undefined;
}

/** True when something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts a binary on a random port below Linux's ephemeral range (32768 and up), so outgoing
 * connections never hold it; these binaries cannot report a port the kernel picked. A port
 * someone listens on is skipped (its server would answer our readiness probe); when one is
 * taken between the check and the bind, the binary starts again on another.
 */
export async function startOnRandomPort(name: string, binary: string, args: (port: number) => string[], readyPath: string): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (await listening(port)) continue;
    const child = spawnChild(name, binary, args(port));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(child, () => ok(base + readyPath), START_TIMEOUT_MS, `${name} ready`);
      return { child, base };
    } catch (err) {
      await stopChild(child);
      if (attempt < 5 && /address already in use/i.test(child.logs())) continue;
      throw err;
    }
  }
}

const headSamples = (m: string): number | undefined => metricSum(m, "prometheus_tsdb_head_samples_appended_total");
const headSeries = (m: string): number | undefined => metricSum(m, "prometheus_tsdb_head_series");

function promwasm(bin: string): System {
  return {
    name: "promwasm",
    async start(config, dir) {
      const child = spawnChild("promwasm", process.execPath, [bin, `--config.file=${config}`, `--storage.tsdb.path=${dir}`, "--web.listen-address=127.0.0.1:0"]);
      try {
        const port = await waitFor(child, async () => /msg="Listening on" .*\bport=(\d+)/.exec(child.logs())?.[1], START_TIMEOUT_MS, "its listening log line");
        const base = `http://127.0.0.1:${port}`;
        await waitFor(child, () => ok(`${base}/-/ready`), START_TIMEOUT_MS, "promwasm ready");
        return { child, base };
      } catch (err) {
        await stopChild(child);
        throw err;
      }
    },
    samples: headSamples,
    series: headSeries,
  };
}

function prometheus(binary: string): System {
  return {
    name: "prometheus",
    start: (config, dir) => startOnRandomPort("prometheus", binary, (port) => [`--config.file=${config}`, `--storage.tsdb.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`], "/-/ready"),
    samples: headSamples,
    series: headSeries,
  };
}

function victoriaMetrics(binary: string): System {
  return {
    name: "victoria-metrics",
    start: (config, dir) =>
      startOnRandomPort("victoria-metrics", binary, (port) => [`-promscrape.config=${config}`, `-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`], "/health"),
    samples: (m) => metricSum(m, "vm_rows_inserted_total", 'type="promscrape"'),
    // Each run starts on an empty storage dir and the exporter's series never churn, so the
    // series created are the active ones (1.79's hour_metric_ids cache stays 0 within the hour).
    series: (m) => metricSum(m, "vm_new_timeseries_created_total"),
  };
}

/** The named systems whose binaries exist, with a message for each one skipped; promwasmBin is promwasm's promwasm.js. */
export function resolveSystems(names: readonly SystemName[], promwasmBin: string): System[] {
  const out: System[] = [];
  for (const name of names) {
    if (name === "promwasm") {
      out.push(promwasm(promwasmBin));
      continue;
    }
    const binary = which(name);
    if (!binary) console.log(`skipping ${name}: no ${name} binary on PATH`);
    else out.push(name === "prometheus" ? prometheus(binary) : victoriaMetrics(binary));
  }
  return out;
}
