// Shared setup for the web UI tests (build/ui and build/browser come from test/global-setup.ts):
// a data dir holding a block plus head data for one series.
import { mkdirSync } from "node:fs";
import { labelsFromRecord } from "../../src/model/labels.js";
import { writeBlock } from "../../src/tsdb/block-writer.js";
import { openDB } from "../../src/tsdb/db.js";

/** Whole seconds so that API times (float seconds) are exact. */
export const END_MS = Math.floor(Date.now() / 60_000) * 60_000;
export const STEP_MS = 15_000;
/** raw_metric{job="a"}: a block from END-4h to END-3h, then 300 samples in the head up to END. */
export const BLOCK_SAMPLES = 241;
export const HEAD_SAMPLES = 300;
export const BLOCK_START_MS = END_MS - 4 * 3600_000;
export const HEAD_START_MS = END_MS - (HEAD_SAMPLES - 1) * STEP_MS;

export function valueA(t: number): number {
  // Irregular enough that XOR encoding has work to do.
  return Math.round(1000 * Math.sin(t / 600_000)) / 8 + t / 1e9;
}

/** Writes the block and the head's WAL into dataDir; the server replays them. Returns the block ULID. */
export async function seedChunkData(dataDir: string): Promise<string> {
  const a = labelsFromRecord({ __name__: "raw_metric", job: "a" });
  const b = labelsFromRecord({ __name__: "raw_metric", job: "b" });
  const ts = new Float64Array(BLOCK_SAMPLES).map((_, i) => BLOCK_START_MS + i * STEP_MS);
  mkdirSync(dataDir, { recursive: true });
  const ulid = await writeBlock(dataDir, [{ labels: a, samples: { ts, vs: ts.map(valueA) } }]);
  const db = await openDB(dataDir, {});
  const app = db.appender();
  let ra = 0;
  let rb = 0;
  for (let i = 0; i < HEAD_SAMPLES; i++) {
    const t = HEAD_START_MS + i * STEP_MS;
    ra = app.append(ra, a, t, valueA(t));
    if (i % 30 === 29) rb = app.append(rb, b, t, i);
  }
  await app.commit();
  await db.close();
  return ulid;
}
