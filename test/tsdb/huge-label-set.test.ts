// A series with more than 65,535 labels: Prometheus sets no limit on labels per series,
// so all of them are stored, logged to the WAL, replayed and written to blocks.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord, type Labels } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const tmp = tempDir("huge-labels");
afterAll(() => tmp.cleanup());
const promtool = referenceBinary("promtool");

const N_LABELS = 70_001;
const record: Record<string, string> = { __name__: "wide" };
for (let i = 1; i < N_LABELS; i++) record[`l${String(i).padStart(5, "0")}`] = `v${i}`;
const wide = labelsFromRecord(record);

async function stored(db: DB): Promise<Labels> {
  const q = await db.querier(-Infinity, Infinity);
  try {
    const series = await q.select(true, undefined, [new Matcher("=", "__name__", "wide")]);
    expect(series.length).toBe(1);
    expect(Array.from(series[0].samples().vs)).toEqual([1, 2]);
    return series[0].labels;
  } finally {
    q.close();
  }
}

describe("a series with 70,001 labels", () => {
  it("is stored whole in the head, across a WAL replay and in a block promtool reads", async () => {
    expect(wide.length).toBe(N_LABELS);
    const dir = join(tmp.dir, "data");
    let db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    const app = db.appender();
    const ref = app.append(0, wide, 1000, 1);
    app.append(ref, wide, 2000, 2);
    await app.commit();
    expect(await stored(db)).toEqual(wide);
    await db.close();

    db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    try {
      expect(await stored(db)).toEqual(wide);
      const snap = join(tmp.dir, "snapshot");
      await db.snapshot(snap, true);
      const [ulid] = readdirSync(snap);
      const fromBlock = await openDB(snap, { minBlockDurationMs: 3600_000 });
      try {
        expect(await stored(fromBlock)).toEqual(wide);
      } finally {
        await fromBlock.close();
      }
      if (promtool) {
        const dump = execFileSync(promtool, ["tsdb", "dump", snap], { encoding: "utf8", maxBuffer: 64 << 20 });
        const lines = dump.trim().split("\n");
        expect(lines.length).toBe(2);
        expect(lines[0]).toContain(`l70000="v70000"`);
        expect(lines[0].match(/="v\d+"/g)?.length).toBe(N_LABELS - 1);
        expect(ulid).toMatch(/^[0-9A-Z]{26}$/);
      }
    } finally {
      await db.close();
    }
  });
});
