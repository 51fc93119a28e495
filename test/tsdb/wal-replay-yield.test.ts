// WAL replay inside one large segment still lets timers run: a server stays responsive
// (503 on /-/ready, progress on /api/v1/status/walreplay) while it opens its TSDB.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { openDB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("tsdb-replay-yield");
afterAll(() => tmp.cleanup());

describe("WAL replay", () => {
  it("gives timers turns while replaying a single segment, and replays every sample", async () => {
    const dir = join(tmp.dir, "db");
    const series = 20_000;
    const samples = 150;
    const db = await openDB(dir, { walCompression: false });
    const labels = Array.from({ length: series }, (_, i) => labelsFromRecord({ __name__: "m", i: String(i) }));
    const refs = new Array<number>(series).fill(0);
    for (let j = 0; j < samples; j++) {
      const app = db.appender();
      for (let i = 0; i < series; i++) refs[i] = app.append(refs[i], labels[i], 1_000_000 + j * 10_000, j);
      await app.commit();
    }
    await db.close();
    const segs = readdirSync(join(dir, "wal")).filter((n) => statSync(join(dir, "wal", n)).size > 0);
    expect(segs).toHaveLength(1);

    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    const reopened = await openDB(dir, {});
    const tookMs = performance.now() - started;
    clearInterval(timer);
    try {
      expect(reopened.metrics().headSeries).toBe(series);
      const q = await reopened.querier(0, Number.MAX_SAFE_INTEGER);
      const got = await q.select(false, undefined, []);
      expect(got.reduce((n, s) => n + s.samples().ts.length, 0)).toBe(series * samples);
      q.close();
    } finally {
      await reopened.close();
    }
    // Yields come about every 50ms of replay: without them this single segment gives at most two turns.
    expect(ticks).toBeGreaterThanOrEqual(Math.min(3, Math.floor(tookMs / 100)));
  }, 120_000);
});
