import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Logger } from "../../src/log/logger.js";
import { labelsFromRecord, type Labels } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB, type DB, type DBOptions } from "../../src/tsdb/db.js";
import { LockedError } from "../../src/tsdb/errors.js";
import { RecordEncoder } from "../../src/tsdb/record/record.js";
import { WL, listSegments, segmentName } from "../../src/tsdb/wlog/wlog.js";
import { tempDir, waitFor } from "../helpers/reference.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dataDir(): string {
  const t = tempDir("db");
  cleanups.push(t.cleanup);
  return t.dir;
}

function logCapture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger({ write: (l) => lines.push(l) }), lines };
}

async function open(dir: string, opts: DBOptions = {}): Promise<DB> {
  const db = await openDB(dir, opts);
  cleanups.push(() => db.close());
  return db;
}

const series = (i: number): Labels => labelsFromRecord({ __name__: "metric", instance: `i${i}`, job: "test" });

/** Appends nSeries x nSamples, one commit per timestamp, samples every 15s from t0. */
async function fill(db: DB, nSeries: number, nSamples: number, t0 = 0): Promise<void> {
  const refs = new Array<number>(nSeries).fill(0);
  for (let j = 0; j < nSamples; j++) {
    const app = db.appender();
    for (let i = 0; i < nSeries; i++) refs[i] = app.append(refs[i], series(i), t0 + j * 15_000, i * 1000 + t0 / 15_000 + j);
    await app.commit();
  }
}

async function readAll(db: DB, mint = -Infinity, maxt = Infinity): Promise<Map<string, [number, number][]>> {
  const q = await db.querier(mint, maxt);
  const out = new Map<string, [number, number][]>();
  for (const s of await q.select(true, undefined, [new Matcher("=", "__name__", "metric")])) {
    const b = s.samples();
    out.set(s.labels.find((l) => l.name === "instance")!.value, Array.from(b.ts, (t, k) => [t, b.vs[k]]));
  }
  q.close();
  return out;
}

function expectFilled(got: Map<string, [number, number][]>, nSeries: number, nSamples: number, t0 = 0): void {
  expect(got.size).toBe(nSeries);
  for (let i = 0; i < nSeries; i++) {
    const s = got.get(`i${i}`)!;
    expect(s.length).toBe(nSamples);
    for (let j = 0; j < nSamples; j++) expect(s[j]).toEqual([t0 + j * 15_000, i * 1000 + t0 / 15_000 + j]);
  }
}

describe("DB lifecycle", () => {
  for (const walCompression of [false, true]) {
    it(`replays its WAL after a restart (compression ${walCompression})`, async () => {
      const dir = dataDir();
      const db = await openDB(dir, { walCompression });
      await fill(db, 50, 300);
      await db.close();
      const db2 = await open(dir, { walCompression: !walCompression });
      expectFilled(await readAll(db2), 50, 300);
      expect(db2.head.numSeries).toBe(50);
      // Appends continue where the replay stopped, under the same refs.
      await fill(db2, 50, 1, 300 * 15_000);
      await db2.close();
      const db3 = await open(dir);
      expectFilled(await readAll(db3), 50, 301);
    });
  }

  it("repairs a torn WAL tail, logs it and keeps everything before it", async () => {
    const dir = dataDir();
    const db = await openDB(dir);
    await fill(db, 10, 100);
    await db.close();
    const seg = segmentName(join(dir, "wal"), listSegments(join(dir, "wal"))[0]);
    truncateSync(seg, statSync(seg).size - 100);
    const { logger, lines } = logCapture();
    const db2 = await open(dir, { logger });
    expect(lines.join("")).toMatch(/WAL corruption detected/);
    expect(db2.metrics().walCorruptions).toBe(1);
    const got = await readAll(db2);
    expect(got.size).toBe(10);
    // Only the last commit (one record) is lost.
    for (const s of got.values()) expect(s.length).toBe(99);
  });

  it("cuts the WAL at a well-framed record that does not decode", async () => {
    const dir = dataDir();
    const db = await openDB(dir);
    await fill(db, 3, 10);
    await db.close();
    const wl = new WL({ dir: join(dir, "wal") });
    wl.log(new Uint8Array([2, 0, 0, 1])); // a samples record shorter than its header
    wl.close();
    const { logger, lines } = logCapture();
    const db2 = await open(dir, { logger });
    expect(lines.join("")).toMatch(/WAL corruption detected.*undecodable record/);
    expectFilled(await readAll(db2), 3, 10);
    // Ingestion goes on, and the next restart is clean.
    await fill(db2, 3, 1, 10 * 15_000);
    await db2.close();
    const db3 = await open(dir);
    expectFilled(await readAll(db3), 3, 11);
    expect(db3.metrics().walCorruptions).toBe(0);
  });

  it("writes new segments after the checkpoint even when no segment follows it", async () => {
    const dir = dataDir();
    const db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    await fill(db, 3, 600); // 2.5h: compacts and checkpoints
    await db.compact();
    await db.close();
    const walDir = join(dir, "wal");
    for (const s of listSegments(walDir)) rmSync(segmentName(walDir, s));
    const db2 = await open(dir, { minBlockDurationMs: 3600_000 });
    const kept = (await readAll(db2)).get("i0")!.length;
    await fill(db2, 3, 1, 600 * 15_000);
    await db2.close();
    const db3 = await open(dir, { minBlockDurationMs: 3600_000 });
    expect((await readAll(db3)).get("i0")!.length).toBe(kept + 1);
  });

  it("keeps out-of-order samples across restart and compaction", async () => {
    const dir = dataDir();
    const opts = { minBlockDurationMs: 3600_000, outOfOrderTimeWindowMs: 30 * 60_000 };
    const db = await openDB(dir, opts);
    const lbl = series(0);
    // Every minute for 3h in order, then the half-minutes of the last 20 minutes out of order.
    for (let m = 0; m <= 180; m++) {
      const app = db.appender();
      app.append(0, lbl, m * 60_000, m);
      await app.commit();
    }
    const app = db.appender();
    for (let m = 160; m < 180; m++) app.append(0, lbl, m * 60_000 + 30_000, m + 0.5);
    await app.commit();
    const expected = [...Array.from({ length: 181 }, (_, m) => [m * 60_000, m]), ...Array.from({ length: 20 }, (_, k) => [(160 + k) * 60_000 + 30_000, 160 + k + 0.5])].sort((a, b) => a[0] - b[0]);
    expect((await readAll(db)).get("i0")).toEqual(expected);
    await db.close();
    const db2 = await open(dir, opts);
    expect((await readAll(db2)).get("i0")).toEqual(expected);
    await db2.compact();
    expect(db2.blocks().length).toBeGreaterThan(0);
    expect((await readAll(db2)).get("i0")).toEqual(expected);
  });

  it("replays series with refs too large to index under local refs, consistently across restarts", async () => {
    const dir = dataDir();
    const wl = new WL({ dir: join(dir, "wal") });
    const enc = new RecordEncoder();
    const huge = 2 ** 40 + 5;
    wl.log(enc.series([{ ref: 3, labels: series(0) }, { ref: huge, labels: series(1) }]));
    wl.log(enc.samples([3, huge, 3, huge], [0, 0, 15_000, 15_000], [0, 1000, 1, 1001], 4));
    wl.close();
    const db = await openDB(dir);
    expectFilled(await readAll(db), 2, 2);
    expect(db.head.isAlive(3)).toBe(true);
    await fill(db, 2, 1, 2 * 15_000);
    await db.close();
    const db2 = await open(dir);
    expectFilled(await readAll(db2), 2, 3);
    expect(db2.head.numSeries).toBe(2);
  });

  it("keeps samples written under an aliased WAL ref through checkpoints", async () => {
    const dir = dataDir();
    const wl = new WL({ dir: join(dir, "wal") });
    const enc = new RecordEncoder();
    // Ref 7 repeats ref 3's labels (Prometheus can log a series twice); ref 9 is too large to index.
    wl.log(enc.series([{ ref: 3, labels: series(0) }, { ref: 4, labels: series(1) }, { ref: 7, labels: series(0) }, { ref: 2 ** 40, labels: series(2) }]));
    const n = 5 * 240; // 5h of series 1 every 15s, so compaction and checkpoints happen
    wl.log(enc.samples(new Array(n).fill(4), Array.from({ length: n }, (_, j) => j * 15_000), Array.from({ length: n }, (_, j) => 1000 + j), n));
    const late = (n - 1) * 15_000;
    wl.log(enc.samples([7, 2 ** 40], [late, late], [n - 1, 2000 + n - 1], 2));
    wl.close();
    const db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    await db.compact();
    expect(db.metrics().checkpoints).toBeGreaterThan(0);
    await db.close();
    const db2 = await open(dir, { minBlockDurationMs: 3600_000 });
    const got = await readAll(db2);
    expect(got.get("i0")).toEqual([[late, n - 1]]);
    expect(got.get("i2")).toEqual([[late, 2000 + n - 1]]);
    expect(got.get("i1")!.length).toBe(n);
  });

  it("skips a garbage block dir and a block without meta.json, and logs both", async () => {
    const dir = dataDir();
    const db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    await fill(db, 5, 400); // 100 min of data over 1h blocks: the head compacts
    await db.compact();
    const blocks = db.blocks();
    expect(blocks.length).toBeGreaterThan(0);
    const before = await readAll(db);
    await db.close();

    const garbage = join(dir, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    mkdirSync(garbage);
    writeFileSync(join(garbage, "index"), "not an index");
    writeFileSync(join(garbage, "meta.json"), "{ nope");
    const noMeta = join(dir, "01BX5ZZKBKACTAV9WEVGEMMVRZ");
    cpSync(join(dir, blocks[0].ulid), noMeta, { recursive: true });
    rmSync(join(noMeta, "meta.json"));
    writeFileSync(join(dir, "unrelated.txt"), "keep me");

    const { logger, lines } = logCapture();
    const db2 = await open(dir, { logger, minBlockDurationMs: 3600_000 });
    const log = lines.join("");
    expect(log).toMatch(/skipping block that cannot be opened.*01ARZ3NDEKTSV4RRFFQ69G5FAV/);
    expect(log).toMatch(/skipping block that cannot be opened.*01BX5ZZKBKACTAV9WEVGEMMVRZ/);
    expect(await readAll(db2)).toEqual(before);
    // Nothing it does not understand is deleted.
    expect(existsSync(garbage)).toBe(true);
    expect(existsSync(noMeta)).toBe(true);
    expect(existsSync(join(dir, "unrelated.txt"))).toBe(true);
  });

  it("removes leftover temp dirs from interrupted block writes", async () => {
    const dir = dataDir();
    mkdirSync(join(dir, "01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation"), { recursive: true });
    mkdirSync(join(dir, "01ARZ3NDEKTSV4RRFFQ69G5FAW.tmp-for-deletion"), { recursive: true });
    await open(dir);
    expect(readdirSync(dir).filter((n) => n.includes(".tmp-for-"))).toEqual([]);
  });

  it("refuses a directory locked by a live process and takes over a dead one's lock", async () => {
    const dir = dataDir();
    writeFileSync(join(dir, "lock"), String(process.ppid));
    await expect(openDB(dir)).rejects.toSatisfy((e: unknown) => (e as Error).cause instanceof LockedError);
    writeFileSync(join(dir, "lock"), "999999999");
    await open(dir);
  });

  it("compacts the head into blocks, truncates the head and the WAL, and still answers queries", async () => {
    const dir = dataDir();
    const db = await open(dir, { minBlockDurationMs: 3600_000 });
    await fill(db, 20, 1000); // ~4.2h
    await db.compact();
    const m = db.metrics();
    expect(m.compactions).toBeGreaterThan(0);
    expect(m.checkpoints).toBeGreaterThan(0);
    expect(db.head.minTime).toBeGreaterThanOrEqual(db.blocks()[db.blocks().length - 1].maxTime);
    expect(readdirSync(join(dir, "wal")).some((n) => n.startsWith("checkpoint."))).toBe(true);
    expectFilled(await readAll(db), 20, 1000);
    // A restart sees blocks + checkpoint + WAL with nothing lost or doubled.
    await db.close();
    const db2 = await open(dir, { minBlockDurationMs: 3600_000 });
    expectFilled(await readAll(db2), 20, 1000);
    expect(db2.startTime()).toBe(0);
  });

  it("starts a head compaction from the commit that makes the head compactable, not only from the timer", async () => {
    const dir = dataDir();
    // The timer alone would not run within the test: only the commit can start it.
    const db = await open(dir, { minBlockDurationMs: 30_000, compactionIntervalMs: 3600_000 });
    db.start();
    await fill(db, 5, 3); // 30 s: not compactable yet (needs more than 45 s)
    expect(db.blocks().length).toBe(0);
    await fill(db, 5, 2, 45_000); // the head now spans 60 s
    await waitFor(() => db.blocks().length > 0 || undefined, 30_000, "a block cut by the commit");
    expect(db.blocks()[0]).toMatchObject({ minTime: 0, maxTime: 30_000 });
  });

  it("merges blocks level by level", async () => {
    const dir = dataDir();
    const db = await open(dir, { minBlockDurationMs: 3600_000, maxBlockDurationMs: 3 * 3600_000 });
    await fill(db, 3, 2400); // 10h
    await db.compact();
    const blocks = db.blocks();
    expect(blocks.some((b) => b.compaction.level >= 2 && b.maxTime - b.minTime === 3 * 3600_000)).toBe(true);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i].minTime).toBeGreaterThanOrEqual(blocks[i - 1].maxTime);
    expectFilled(await readAll(db), 3, 2400);
  });

  it("deletes blocks beyond time retention", async () => {
    const dir = dataDir();
    const db = await open(dir, { minBlockDurationMs: 3600_000, retentionTimeMs: 3 * 3600_000, maxBlockDurationMs: 3600_000 });
    await fill(db, 2, 2400); // 10h
    await db.compact();
    const blocks = db.blocks();
    const newest = Math.max(...blocks.map((b) => b.maxTime));
    for (const b of blocks) expect(newest - b.maxTime).toBeLessThanOrEqual(3 * 3600_000);
    expect(db.metrics().timeRetentions).toBeGreaterThan(0);
    const got = await readAll(db);
    expect(got.get("i0")![0][0]).toBeGreaterThan(0);
  });

  it("deletes the oldest blocks beyond size retention", async () => {
    const dir = dataDir();
    const db = await open(dir, { minBlockDurationMs: 3600_000, maxBlockDurationMs: 3600_000, retentionSizeBytes: 1 });
    await fill(db, 2, 2400);
    await db.compact();
    expect(db.blocks().length).toBe(0);
    expect(db.metrics().sizeRetentions).toBeGreaterThan(0);
  });

  it("deletes series with tombstones in head and blocks, across restarts and clean-up", async () => {
    const dir = dataDir();
    const db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    await fill(db, 4, 1000);
    await db.compact();
    await db.deleteSeries([new Matcher("=", "instance", "i1")], -Infinity, Infinity);
    await db.deleteSeries([new Matcher("=", "instance", "i2")], 0, 100 * 15_000 - 1);
    const check = async (d: DB): Promise<void> => {
      const got = await readAll(d);
      expect(got.has("i1")).toBe(false);
      expect(got.get("i2")!.length).toBe(900);
      expect(got.get("i0")!.length).toBe(1000);
    };
    await check(db);
    await db.close();
    const db2 = await open(dir, { minBlockDurationMs: 3600_000 });
    await check(db2);
    await db2.cleanTombstones();
    await check(db2);
    for (const b of db2.blocks()) expect(b.stats.numTombstones ?? 0).toBe(0);
  });

  it("snapshots blocks and head into a directory another DB can open", async () => {
    const dir = dataDir();
    const snap = dataDir();
    const db = await open(dir, { minBlockDurationMs: 3600_000 });
    await fill(db, 3, 600);
    await db.compact();
    await db.snapshot(join(snap, "s"), true);
    const db2 = await open(join(snap, "s"), { minBlockDurationMs: 3600_000 });
    expectFilled(await readAll(db2), 3, 600);
  });

  it("reports head stats and WAL replay status", async () => {
    const dir = dataDir();
    const db = await openDB(dir);
    await fill(db, 7, 3);
    const st = db.stats();
    expect(st.headStats.numSeries).toBe(7);
    expect(st.seriesCountByMetricName).toEqual([{ name: "metric", value: 7 }]);
    expect(st.labelValueCountByLabelName[0]).toEqual({ name: "instance", value: 7 });
    await db.close();
    // The caller's status object is filled while open() is still replaying.
    const live = { min: -1, max: -1, current: -1 };
    const opening = openDB(dir, { replayStatus: live });
    await new Promise((r) => setImmediate(r));
    expect(live).toEqual({ min: 0, max: 0, current: 0 }); // the first run wrote segment 0
    const db2 = await opening;
    cleanups.push(() => db2.close());
    expect(db2.walReplayStatus()).toEqual({ min: 0, max: 0, current: 0 });
  });
});
