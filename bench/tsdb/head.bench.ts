// Head benchmark: 100k series x 120 samples appended with the WAL on (one commit per
// scrape-like round of all series), memory per active series, and select + decode
// throughput. Ratios compare against baselines run in the same process: the same
// ingestion with the WAL off, and decoding with the plain-TS XOR decoder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import Benchmark from "benchmark";
import { labelsFromRecord, type Labels } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { HeadAppender } from "../../src/tsdb/head-append.js";
import { decodeXorBaseline } from "../baseline/xor.js";

const N_SERIES = Number(process.env.BENCH_SERIES ?? 100_000);
const N_SAMPLES = 120;
const STEP_MS = 15_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function memory(): { heap: number; buffers: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  // external already includes arrayBuffers (typed arrays, WASM memory).
  return { heap: m.heapUsed, buffers: m.external };
}

function seriesLabels(): Labels[] {
  const out: Labels[] = [];
  for (let i = 0; i < N_SERIES; i++) {
    out.push(
      labelsFromRecord({
        __name__: `bench_metric_${i % 100}`,
        instance: `host-${(i / 100) | 0}:9100`,
        job: `job-${i % 10}`,
        mode: i % 3 === 0 ? "user" : "system",
      }),
    );
  }
  return out;
}

interface IngestResult {
  readonly samplesPerSec: number;
  readonly firstRoundMs: number;
}

/** Appends N_SAMPLES rounds; the first round creates the series (label lookup), later ones use refs. */
function ingest(db: DB, labels: Labels[], values: Float64Array): IngestResult {
  const refs = new Float64Array(N_SERIES);
  const t0 = performance.now();
  let firstRoundMs = 0;
  for (let j = 0; j < N_SAMPLES; j++) {
    const app = db.appender() as HeadAppender;
    const t = 1_700_000_000_000 + j * STEP_MS;
    for (let i = 0; i < N_SERIES; i++) refs[i] = app.append(refs[i], labels[i], t, values[(i + j) & 1023]);
    app.commitSync();
    if (j === 0) firstRoundMs = performance.now() - t0;
  }
  const ms = performance.now() - t0;
  return { samplesPerSec: (N_SERIES * N_SAMPLES) / (ms / 1000), firstRoundMs };
}

async function main(): Promise<void> {
  const labels = seriesLabels();
  // Counter-like values with some noise, as scraped data looks.
  const values = new Float64Array(1024);
  for (let i = 0; i < values.length; i++) values[i] = Math.round(1000 + i * 3.7 + Math.sin(i) * 50);

  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), "promwasm-bench-tsdb-"));
    dirs.push(d);
    return d;
  };

  try {
    const before = memory();
    const db = await openDB(tmp(), { noLockfile: true });
    const withWal = ingest(db, labels, values);
    const after = memory();
    const heapPerSeries = (after.heap - before.heap) / N_SERIES;
    const buffersPerSeries = (after.buffers - before.buffers) / N_SERIES;

    // Baseline: the same ingestion without a WAL (head only), to show the WAL's cost.
    const baseDB = await openDB(tmp(), { noLockfile: true });
    (baseDB.head as { wal: unknown }).wal = undefined;
    const base = ingest(baseDB, labels, values);
    await baseDB.close();

    console.log(`series=${N_SERIES} samples/series=${N_SAMPLES}`);
    console.log(`append with WAL:    ${(withWal.samplesPerSec / 1e6).toFixed(2)}M samples/s (first round, creating series: ${withWal.firstRoundMs.toFixed(0)} ms)`);
    console.log(`append without WAL: ${(base.samplesPerSec / 1e6).toFixed(2)}M samples/s (ratio WAL/no-WAL ${(withWal.samplesPerSec / base.samplesPerSec).toFixed(2)})`);
    console.log(
      `memory per active series: ${((heapPerSeries + buffersPerSeries) / 1024).toFixed(2)} KiB ` +
        `(heap ${(heapPerSeries / 1024).toFixed(2)} KiB + typed arrays/WASM ${(buffersPerSeries / 1024).toFixed(2)} KiB; head's own estimate ${(db.head.memoryBytes() / N_SERIES / 1024).toFixed(2)} KiB)`,
    );

    // One more sample per series cuts every full chunk to chunks_head, so select reads cut
    // chunks (the common case for old data).
    const app = db.appender() as HeadAppender;
    for (let i = 0; i < N_SERIES; i++) app.append(0, labels[i], 1_700_000_000_000 + N_SAMPLES * STEP_MS, 0);
    app.commitSync();

    const q = await db.querier(-Infinity, Infinity);
    const matchers = [new Matcher("=~", "__name__", "bench_metric_1.*")];
    let samples = 0;
    const tSel = performance.now();
    for (const series of await q.select(false, undefined, matchers)) samples += series.samples().ts.length;
    const selMs = performance.now() - tSel;
    console.log(`select+decode (WASM): ${(samples / (selMs / 1000) / 1e6).toFixed(2)}M samples/s (${samples} samples, ${selMs.toFixed(0)} ms)`);
    q.close();

    // Decode kernels side by side on the same head chunk bytes.
    const chunk = db.head.chunkFiles.read(db.head.chunks.fileRef[0]);
    const { decodeXor } = await import("../../src/wasm/index.js");
    await new Promise<void>((resolve) => {
      new Benchmark.Suite("xor decode of one 120-sample head chunk")
        .add("wasm decodeXor", () => decodeXor(chunk))
        .add("plain-TS baseline", () => decodeXorBaseline(chunk))
        .on("cycle", (e: Benchmark.Event) => console.log(String(e.target)))
        .on("complete", function (this: Benchmark.Suite) {
          const list = this as unknown as Benchmark[];
          const [w, b] = [list[0], list[1]];
          console.log(`decode ratio wasm/baseline: ${(w.hz / b.hz).toFixed(2)}x`);
          resolve();
        })
        .run();
    });
    await db.close();

    // WAL replay: reopen the directory the WAL run wrote.
    const tReplay = performance.now();
    const reopened = await openDB(dirs[0], { noLockfile: true });
    const replayMs = performance.now() - tReplay;
    const replayed = reopened.metrics().headSamplesAppended;
    console.log(`WAL replay: ${(replayed / (replayMs / 1000) / 1e6).toFixed(2)}M samples/s (${replayed} samples, ${reopened.head.numSeries} series, ${replayMs.toFixed(0)} ms)`);
    await reopened.close();
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
