// The head querier's lazy series: selects collect chunk refs, samples are read from
// chunks_head/ in one batch and decoded when a series is iterated, still correct when
// chunks were cut between the select and the iteration.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const at = (i: number): number => 1_000_000 + i * 15_000;
const value = (series: number, i: number): number => series * 1e6 + i;

async function db(series: number, samples: number): Promise<DB> {
  const t = tempDir("head-read");
  const d = await openDB(join(t.dir, "db"));
  cleanups.push(async () => {
    await d.close();
    t.cleanup();
  });
  await append(d, series, 0, samples);
  return d;
}

async function append(d: DB, series: number, from: number, to: number): Promise<void> {
  const app = d.appender();
  for (let i = from; i < to; i++) for (let s = 0; s < series; s++) app.append(0, labelsFromRecord({ __name__: "m", s: String(s) }), at(i), value(s, i));
  await app.commit();
}

function expected(series: number, lo: number, hi: number): { ts: number[]; vs: number[] } {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = lo; i <= hi; i++) {
    ts.push(at(i));
    vs.push(value(series, i));
  }
  return { ts, vs };
}

describe("head querier", () => {
  it("gives each series' samples in the range from cut chunks on disk and the open chunk", async () => {
    const d = await db(20, 1000); // 8 cut chunks per series in chunks_head/, then the open one
    for (const [lo, hi] of [
      [0, 999],
      [130, 870],
      [119, 120],
      [995, 999],
      [500, 500],
    ]) {
      const q = await d.querier(at(lo), at(hi));
      const got = await q.select(true, undefined, [new Matcher("=", "__name__", "m")]);
      expect(got.length).toBe(20);
      for (const s of got) {
        const n = Number(s.labels.find((l) => l.name === "s")!.value);
        // Decoded into a reader's reused arrays (too short at first, so they grow), then as a batch of its own.
        const scratch = { ts: new Float64Array(2), vs: new Float64Array(2) };
        const len = s.samplesInto!(scratch);
        expect({ ts: Array.from(scratch.ts.subarray(0, len)), vs: Array.from(scratch.vs.subarray(0, len)) }).toEqual(expected(n, lo, hi));
        const b = s.samples();
        expect({ ts: Array.from(b.ts), vs: Array.from(b.vs) }, `${labelsToString(s.labels)} in [${lo}, ${hi}]`).toEqual(expected(n, lo, hi));
      }
      q.close();
    }
  });

  it("reads the current chunks when the series was cut after the select", async () => {
    const d = await db(3, 230);
    const q = await d.querier(at(0), at(229));
    const got = await q.select(true, undefined, [new Matcher("=", "s", "1")]);
    // 60 more samples cut the open chunk (120 samples) into chunks_head/ before anything is decoded.
    await append(d, 3, 230, 290);
    expect(Array.from(got[0].samples().ts)).toEqual(expected(1, 0, 229).ts);
    q.close();
  });

  it("leaves out series with no chunk in the range", async () => {
    const d = await db(2, 100);
    await append(d, 1, 100, 300); // only s="0" goes on
    const q = await d.querier(at(200), at(299));
    const got = await q.select(true, undefined, [new Matcher("=", "__name__", "m")]);
    expect(got.map((s) => labelsToString(s.labels))).toEqual(['m{s="0"}']);
    q.close();
  });
});
