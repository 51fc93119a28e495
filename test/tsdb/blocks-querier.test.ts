// Queries over several blocks disjoint in time: each series is one series whose samples
// from every block come in time order, with series only some blocks hold and tombstones.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { disjointInTime } from "../../src/tsdb/blocks-querier.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";

const HOUR = 3_600_000;
const at = (i: number): number => i * 60_000; // one sample a minute from t=0
const N = 9 * 60; // 9 h: blocks of 2 h, then the head

describe("queries across disjoint blocks", () => {
  const tmp = tempDir("blocks-querier");
  let db: DB;
  beforeAll(async () => {
    db = await openDB(join(tmp.dir, "db"));
    const app = db.appender();
    for (let i = 0; i < N; i++) {
      app.append(0, labelsFromRecord({ __name__: "m", s: "all" }), at(i), i);
      // Only in the first and third 2 h range.
      if (i < 120 || (i >= 240 && i < 360)) app.append(0, labelsFromRecord({ __name__: "m", s: "gaps" }), at(i), -i);
    }
    await app.commit();
    await db.compact();
    await db.deleteSeries([new Matcher("=", "s", "all")], at(130), at(139));
  });
  afterAll(async () => {
    await db.close();
    tmp.cleanup();
  });

  it("joins each series' samples from all blocks in time order", async () => {
    const blocks = db.blocks();
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(disjointInTime(blocks)).toBe(true);
    const q = await db.querier(at(0), at(6 * 60 - 1));
    const got = await q.select(true, undefined, [new Matcher("=", "__name__", "m")]);
    q.close();
    expect(got.map((s) => labelsToString(s.labels))).toEqual(['m{s="all"}', 'm{s="gaps"}']);
    const all = got[0].samples();
    const want: number[] = [];
    for (let i = 0; i < 6 * 60; i++) if (i < 130 || i > 139) want.push(i);
    expect(Array.from(all.vs)).toEqual(want);
    expect(Array.from(all.ts)).toEqual(want.map(at));
    const scratch = { ts: new Float64Array(0), vs: new Float64Array(0) };
    const n = got[1].samplesInto!(scratch);
    expect(Array.from(scratch.vs.subarray(0, n))).toEqual([...Array.from({ length: 120 }, (_, i) => -i), ...Array.from({ length: 120 }, (_, i) => -(240 + i))]);
    const gaps = got[1].samples();
    expect(gaps.ts.length).toBe(240);
    expect(gaps.vs[119]).toBe(-119);
    expect(gaps.vs[120]).toBe(-240);
  });

  it("cuts the range inside the first and the last block", async () => {
    const q = await db.querier(at(100), at(300));
    const got = await q.select(true, { start: at(110), end: at(250) }, [new Matcher("=", "s", "gaps")]);
    q.close();
    expect(Array.from(got[0].samples().vs)).toEqual([...Array.from({ length: 10 }, (_, k) => -(110 + k)), ...Array.from({ length: 11 }, (_, k) => -(240 + k))]);
  });

  it("tells overlapping blocks apart", () => {
    expect(disjointInTime([{ minTime: 0, maxTime: 2 * HOUR }, { minTime: 2 * HOUR, maxTime: 4 * HOUR }])).toBe(true);
    expect(disjointInTime([{ minTime: 0, maxTime: 2 * HOUR }, { minTime: HOUR, maxTime: 3 * HOUR }])).toBe(false);
  });
});
