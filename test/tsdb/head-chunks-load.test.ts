// chunks_head/ files of an earlier run are loaded at startup, as Prometheus loads its
// mmapped head chunks: a damaged WAL segment then loses only samples no cut chunk holds.
import { openSync, closeSync, writeSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("head-chunks-load");
afterAll(() => tmp.cleanup());

const N_SERIES = 50;
const N_SAMPLES = 600;
const opts = { minBlockDurationMs: 3 * 3600_000, walSegmentSizeBytes: 1024 * 1024 };

async function samplesBySeries(db: DB): Promise<Map<number, Map<number, number>>> {
  const q = await db.querier(-Infinity, Infinity);
  const out = new Map<number, Map<number, number>>();
  for (const s of await q.select(true, undefined, [new Matcher("=", "__name__", "loaded")])) {
    const b = s.samples();
    const m = new Map<number, number>();
    for (let k = 0; k < b.ts.length; k++) m.set(b.ts[k], b.vs[k]);
    out.set(Number(s.labels.find((l) => l.name === "i")!.value), m);
  }
  q.close();
  return out;
}

describe("head chunks at startup", () => {
  it("keeps every sample of the cut chunks when the WAL segment that also holds them is damaged", async () => {
    const dir = join(tmp.dir, "data");
    const db = await openDB(dir, opts);
    const refs = new Array<number>(N_SERIES).fill(0);
    for (let j = 0; j < N_SAMPLES; j++) {
      const app = db.appender();
      for (let i = 0; i < N_SERIES; i++) refs[i] = app.append(refs[i], labelsFromRecord({ __name__: "loaded", i: String(i) }), j * 15_000, j * 10 + i);
      await app.commit();
    }
    // Cut chunks end where the 120-sample chunks end: what the chunk files must give back.
    const cutUntil = new Map<number, number>();
    for (let i = 0; i < N_SERIES; i++) {
      const id = db.head.lookup(labelsFromRecord({ __name__: "loaded", i: String(i) }));
      cutUntil.set(i, db.head.chunks.maxt[db.head.series.lastChunk[id]]);
    }
    await db.close();

    // Zero a page in the middle of the first WAL segment: replay loses what follows it there.
    const wal = join(dir, "wal");
    const first = readdirSync(wal).filter((n) => /^\d+$/.test(n)).sort()[0];
    expect(statSync(join(wal, first)).size).toBeGreaterThan(2 * 32 * 1024);
    const fd = openSync(join(wal, first), "r+");
    writeSync(fd, new Uint8Array(32 * 1024), 0, 32 * 1024, 32 * 1024);
    closeSync(fd);

    const reopened = await openDB(dir, opts);
    try {
      expect(reopened.metrics().walCorruptions).toBeGreaterThan(0);
      const got = await samplesBySeries(reopened);
      expect(got.size).toBe(N_SERIES);
      for (let i = 0; i < N_SERIES; i++) {
        const have = got.get(i)!;
        const until = cutUntil.get(i)!;
        expect(until).toBeGreaterThanOrEqual(360 * 15_000);
        for (let j = 0; j * 15_000 <= until; j++) expect(have.get(j * 15_000), `series ${i} sample ${j}`).toBe(j * 10 + i);
        // Nothing is doubled where the chunks and the WAL both hold a sample.
        expect(have.size).toBeLessThanOrEqual(N_SAMPLES);
      }
    } finally {
      await reopened.close();
    }
  });

  it("replays no sample twice and appends after the loaded chunks across restarts", async () => {
    const dir = join(tmp.dir, "restarts");
    let t = 0;
    for (let run = 0; run < 3; run++) {
      const db = await openDB(dir, opts);
      let ref = 0;
      for (let j = 0; j < 250; j++, t += 15_000) {
        const app = db.appender();
        ref = app.append(ref, labelsFromRecord({ __name__: "loaded", i: "0" }), t, t / 1000);
        await app.commit();
      }
      const got = (await samplesBySeries(db)).get(0)!;
      expect(got.size).toBe(t / 15_000);
      for (let k = 0; k < t; k += 15_000) expect(got.get(k)).toBe(k / 1000);
      await db.close();
    }
  });
});
