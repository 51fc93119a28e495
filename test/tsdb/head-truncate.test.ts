import { afterEach, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const lbl = (gen: string, i: number) => labelsFromRecord({ __name__: "churn", gen, pod: `${gen}-pod-${i}` });

async function append(db: DB, gen: string, n: number, from: number, to: number): Promise<void> {
  for (let t = from; t < to; t += 60_000) {
    const app = db.appender();
    for (let i = 0; i < n; i++) app.append(0, lbl(gen, i), t, t / 60_000 + i);
    await app.commit();
  }
}

async function names(db: DB, mint = -Infinity, maxt = Infinity): Promise<string[]> {
  const q = await db.querier(mint, maxt);
  const out: string[] = [];
  for (const s of await q.select(true, undefined, [new Matcher("=", "__name__", "churn")])) out.push(`${labelsToString(s.labels)} ${s.samples().ts.length}`);
  q.close();
  return out;
}

describe("head truncation", () => {
  it("drops series that stopped receiving samples once their data is in a block, keeping lookups right", async () => {
    const t = tempDir("head-truncate");
    cleanups.push(t.cleanup);
    const db = await openDB(t.dir, { minBlockDurationMs: 3600_000 });
    cleanups.push(() => db.close());
    await append(db, "old", 200, 0, 3600_000); // 60 samples each in the first hour
    await append(db, "new", 50, 3600_000, 3 * 3600_000);
    expect(db.head.numSeries).toBe(250);
    const before = await names(db);
    await db.compact();
    // The old generation left the head (its hour is in a block); the new one stays.
    expect(db.head.numSeries).toBe(50);
    expect(db.metrics().headSeriesRemoved).toBe(200);
    expect(db.stats().headStats.numSeries).toBe(50);
    expect(await names(db)).toEqual(before);
    // Label lookups after the symbol rebuild still resolve to the same series.
    await append(db, "new", 50, 3 * 3600_000, 3 * 3600_000 + 60_000);
    expect(db.head.numSeries).toBe(50);
    const q = await db.querier(3 * 3600_000, Infinity);
    const s = await q.select(true, undefined, [new Matcher("=", "pod", "new-pod-7")]);
    expect(s.map((x) => labelsToString(x.labels))).toEqual(['churn{gen="new", pod="new-pod-7"}']);
    expect([...s[0].samples().vs]).toEqual([180 + 7]);
    q.close();
    // A series of the old generation coming back gets a fresh ref with the right labels.
    await append(db, "old", 1, 3 * 3600_000, 3 * 3600_000 + 60_000);
    expect(db.head.numSeries).toBe(51);
    expect(await db.querier(3 * 3600_000, Infinity).then((qq) => qq.labelValues("pod", [new Matcher("=", "gen", "old")]))).toEqual(["old-pod-0"]);
  });
});

describe("series id reuse", () => {
  it("reuses the ids of removed series under new refs; stale refs never reach the new series", async () => {
    const t = tempDir("head-reuse");
    cleanups.push(t.cleanup);
    const opts = { minBlockDurationMs: 3600_000 };
    const db = await openDB(t.dir, opts);
    cleanups.push(() => db.close());
    const gen = (g: number, i: number) => labelsFromRecord({ __name__: "churn", gen: String(g), pod: String(i) });
    const staleRefs: number[] = [];
    // Five generations of 300 pods, each living 1h: the head never holds more than two.
    for (let g = 0; g < 5; g++) {
      const refs = new Array<number>(300).fill(0);
      for (let t = g * 3600_000; t < (g + 1) * 3600_000; t += 60_000) {
        const app = db.appender();
        for (let i = 0; i < 300; i++) refs[i] = app.append(refs[i], gen(g, i), t, g * 1000 + i);
        await app.commit();
      }
      if (g === 0) staleRefs.push(...refs);
      await db.compact();
    }
    // Ids are reused, so the columns stay sized for the live series, not all 1500 ever seen.
    expect(db.head.series.capacity).toBeLessThanOrEqual(1024);
    expect(db.head.registry.idCapacity()).toBeLessThanOrEqual(1024);
    // A generation-0 ref now resolves to nothing, so the append falls back to its labels.
    const app = db.appender();
    const back = app.append(staleRefs[5], gen(0, 5), 5 * 3600_000, 42);
    expect(back).not.toBe(staleRefs[5]);
    await app.commit();
    const q = await db.querier(5 * 3600_000, Infinity);
    const got = await q.select(true, undefined, [new Matcher("=", "__name__", "churn")]);
    expect(got.map((s) => labelsToString(s.labels))).toEqual(['churn{gen="0", pod="5"}']);
    q.close();
    // Every generation is still queryable, and a restart restores the same refs.
    const all = await names(db);
    expect(all.length).toBe(1500);
    const refBefore = db.head.refOf(db.head.lookup(gen(4, 7)));
    await db.close();
    const db2 = await openDB(t.dir, opts);
    cleanups.push(() => db2.close());
    expect(db2.head.refOf(db2.head.lookup(gen(4, 7)))).toBe(refBefore);
    expect(await names(db2)).toEqual(all);
  });
});
