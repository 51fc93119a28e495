import { afterEach, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { writeBlock } from "../../src/tsdb/block-writer.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { mergeBatches } from "../../src/storage/merge.js";
import { tempDir, waitFor } from "../helpers/reference.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const f64 = (...xs: number[]): Float64Array => Float64Array.from(xs);

describe("merging sources", () => {
  it("merges sorted batches, dropping repeated timestamps", () => {
    const m = mergeBatches([
      { ts: f64(1, 3, 5), vs: f64(10, 30, 50) },
      { ts: f64(2, 3, 6), vs: f64(20, 99, 60) },
      { ts: f64(), vs: f64() },
    ]);
    expect([...m.ts]).toEqual([1, 2, 3, 5, 6]);
    expect(m.vs[2]).toBe(30);
    const disjoint = mergeBatches([
      { ts: f64(7, 8), vs: f64(7, 8) },
      { ts: f64(1, 2), vs: f64(1, 2) },
    ]);
    expect([...disjoint.ts]).toEqual([1, 2, 7, 8]);
  });

  /** Two overlapping backfilled blocks (even and odd seconds of the first hour), then 2h of head data. */
  async function backfilledDB(): Promise<{ db: DB; dir: string }> {
    const t = tempDir("querier-merge");
    cleanups.push(t.cleanup);
    const lbl = (i: number) => labelsFromRecord({ __name__: "merged", i: String(i) });
    const seconds = (first: number, i: number) => ({
      ts: Float64Array.from({ length: 1800 }, (_, k) => (first + 2 * k) * 1000),
      vs: Float64Array.from({ length: 1800 }, (_, k) => first + 2 * k + i),
    });
    await writeBlock(t.dir, [0, 1].map((i) => ({ labels: lbl(i), samples: seconds(0, i) })));
    await writeBlock(t.dir, [1, 2].map((i) => ({ labels: lbl(i), samples: seconds(1, i) })));
    const db = await openDB(t.dir, { minBlockDurationMs: 3600_000 });
    cleanups.push(() => db.close());
    const refs = [0, 0, 0];
    for (let k = 3600; k < 3 * 3600; k += 10) {
      const app = db.appender();
      for (const i of [1, 2]) refs[i] = app.append(refs[i], lbl(i), k * 1000, k + i);
      await app.commit();
    }
    return { db, dir: t.dir };
  }

  it("answers select, label names and values over head + an overlapping block", async () => {
    const { db } = await backfilledDB();
    const q = await db.querier(0, 3600_000);
    const got = await q.select(true, undefined, [new Matcher("=", "__name__", "merged")]);
    expect(got.map((s) => s.labels[1].value)).toEqual(["0", "1", "2"]);
    const s1 = got[1].samples();
    // Series 1 interleaves both blocks' seconds, then continues in the head.
    expect(s1.ts.length).toBe(3601);
    for (let k = 0; k < 3600; k++) {
      expect(s1.ts[k]).toBe(k * 1000);
      expect(s1.vs[k]).toBe(k + 1);
    }
    expect([s1.ts[3600], s1.vs[3600]]).toEqual([3600_000, 3601]);
    expect(got[0].samples().ts.length).toBe(1800);
    expect(await q.labelValues("i", [])).toEqual(["0", "1", "2"]);
    expect(await q.labelNames([new Matcher("=", "i", "0")])).toEqual(["__name__", "i"]);
    q.close();
  });

  it("vertically compacts the head's block with the overlapping one, losing nothing", async () => {
    const { db } = await backfilledDB();
    const before = await collect(db);
    await db.compact();
    const blocks = db.blocks();
    for (let i = 1; i < blocks.length; i++) expect(blocks[i].minTime).toBeGreaterThanOrEqual(blocks[i - 1].maxTime);
    expect(blocks.some((b) => (b.compaction.parents?.length ?? 0) >= 2)).toBe(true);
    expect(await collect(db)).toEqual(before);
  });

  it("runs compaction from the start() loop until the signal aborts", async () => {
    const { db } = await backfilledDB();
    const ac = new AbortController();
    (db as unknown as { opts: { compactionIntervalMs: number } }).opts.compactionIntervalMs = 50;
    db.start(ac.signal);
    await waitFor(() => db.metrics().compactions > 0, 20_000, "a compaction by the loop");
    ac.abort();
    expect(db.blocks().length).toBeGreaterThan(0);
  });
});

async function collect(db: DB): Promise<Record<string, number[]>> {
  const q = await db.querier(-Infinity, Infinity);
  const out: Record<string, number[]> = {};
  for (const s of await q.select(true, undefined, [new Matcher("=", "__name__", "merged")])) {
    const b = s.samples();
    out[s.labels[1].value] = [...b.ts].flatMap((t, k) => [t, b.vs[k]]);
  }
  q.close();
  return out;
}
