// bench:query's data: 270 targets (10 jobs x 27 instances) of 20 series each (request
// counters by method and code, a latency histogram, CPU seconds by mode, resident memory),
// one sample per interval over the hours before END, written as OpenMetrics and turned into
// 2h blocks by promtool, as a user backfills them. The blocks are kept in the temp dir keyed
// by shape, so later runs skip the generation.
import { execFileSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** 2023-11-15T00:00:00Z, a multiple of 2h, so the blocks line up with Prometheus' own. */
export const END = 1_700_006_400_000;
export const JOBS = 10;
export const INSTANCES = 27;
export const SERIES_PER_TARGET = 20;
const METHODS_CODES = [
  ["GET", "200"],
  ["GET", "500"],
  ["POST", "200"],
  ["POST", "500"],
] as const;
const BUCKETS = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"] as const;
const CPU_MODES = ["idle", "user", "system", "iowait", "irq"] as const;

export interface DatasetShape {
  readonly hours: number;
  readonly intervalMs: number;
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function targetLabels(j: number, i: number): string {
  return `instance="host-${j * INSTANCES + i}:9100",job="job-${j}"`;
}

/** Writes the OpenMetrics text: families in turn, each series' samples in time order. */
async function writeOpenMetrics(file: string, shape: DatasetShape): Promise<void> {
  const out = createWriteStream(file);
  const points = Math.floor((shape.hours * 3_600_000) / shape.intervalMs);
  const start = END - points * shape.intervalMs;
  const times: string[] = [];
  // The last sample is one interval before END, so the blocks end at END.
  for (let k = 0; k < points; k++) times.push(String((start + k * shape.intervalMs) / 1000));
  let buf = "";
  const write = async (s: string): Promise<void> => {
    buf += s;
    if (buf.length < 1 << 20) return;
    const chunk = buf;
    buf = "";
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  };
  const rnd = rng(42);
  await write("# TYPE http_requests counter\n");
  for (let j = 0; j < JOBS; j++) {
    for (let i = 0; i < INSTANCES; i++) {
      for (const [method, code] of METHODS_CODES) {
        const rate = code === "500" ? 0.5 : 20 + 10 * j;
        let v = 0;
        for (const t of times) {
          v += Math.floor(rate * (0.5 + rnd()) * (shape.intervalMs / 1000));
          await write(`http_requests_total{code="${code}",${targetLabels(j, i)},method="${method}"} ${v} ${t}\n`);
        }
      }
    }
  }
  await write("# TYPE http_request_duration_seconds histogram\n");
  for (let j = 0; j < JOBS; j++) {
    for (let i = 0; i < INSTANCES; i++) {
      // Cumulative bucket counts per step, so every bucket series is a consistent counter.
      const counts = BUCKETS.map(() => new Float64Array(times.length));
      const sums = new Float64Array(times.length);
      const acc = new Float64Array(BUCKETS.length);
      let sum = 0;
      for (let k = 0; k < times.length; k++) {
        const n = 5 + Math.floor(rnd() * 20);
        for (let o = 0; o < n; o++) {
          const x = -Math.log(1 - rnd()) * 0.3 * (1 + j / 10);
          sum += x;
          for (let b = 0; b < BUCKETS.length; b++) if (b === BUCKETS.length - 1 || x <= Number(BUCKETS[b])) acc[b]++;
        }
        for (let b = 0; b < BUCKETS.length; b++) counts[b][k] = acc[b];
        sums[k] = sum;
      }
      const l = targetLabels(j, i);
      for (let b = 0; b < BUCKETS.length; b++) {
        for (let k = 0; k < times.length; k++) await write(`http_request_duration_seconds_bucket{${l},le="${BUCKETS[b]}"} ${counts[b][k]} ${times[k]}\n`);
      }
      for (let k = 0; k < times.length; k++) await write(`http_request_duration_seconds_sum{${l}} ${sums[k].toFixed(3)} ${times[k]}\n`);
      for (let k = 0; k < times.length; k++) await write(`http_request_duration_seconds_count{${l}} ${counts[BUCKETS.length - 1][k]} ${times[k]}\n`);
    }
  }
  await write("# TYPE node_cpu_seconds counter\n");
  for (let j = 0; j < JOBS; j++) {
    for (let i = 0; i < INSTANCES; i++) {
      for (const mode of CPU_MODES) {
        let v = 0;
        for (const t of times) {
          v += (mode === "idle" ? 0.6 : 0.1) * (shape.intervalMs / 1000) * (0.5 + rnd());
          await write(`node_cpu_seconds_total{${targetLabels(j, i)},mode="${mode}"} ${v.toFixed(2)} ${t}\n`);
        }
      }
    }
  }
  await write("# TYPE process_resident_memory_bytes gauge\n");
  for (let j = 0; j < JOBS; j++) {
    for (let i = 0; i < INSTANCES; i++) {
      let v = 200e6 + rnd() * 100e6;
      for (const t of times) {
        v = Math.max(50e6, v + (rnd() - 0.5) * 4e6);
        await write(`process_resident_memory_bytes{${targetLabels(j, i)}} ${Math.round(v)} ${t}\n`);
      }
    }
  }
  await write("# EOF\n");
  out.end(buf);
  await new Promise<void>((resolve, reject) => out.once("finish", resolve).once("error", reject));
}

/** The directory of promtool-built blocks for shape, building it when absent. */
export async function datasetBlocks(shape: DatasetShape, log: (s: string) => void): Promise<string> {
  const dir = join(tmpdir(), `promwasm-bench-query-${JOBS * INSTANCES * SERIES_PER_TARGET}s-${shape.hours}h-${shape.intervalMs}ms`);
  if (existsSync(dir) && readdirSync(dir).length > 0) return dir;
  const work = `${dir}.tmp-${process.pid}`;
  mkdirSync(work, { recursive: true });
  try {
    const om = join(work, "data.om");
    log(`writing ${JOBS * INSTANCES * SERIES_PER_TARGET} series x ${shape.hours} h as OpenMetrics`);
    await writeOpenMetrics(om, shape);
    log("building blocks with promtool tsdb create-blocks-from openmetrics");
    execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", "-q", om, join(work, "blocks")], { stdio: ["ignore", "ignore", "inherit"] });
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, "blocks"), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}
