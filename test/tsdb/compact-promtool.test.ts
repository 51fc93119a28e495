// Interop: blocks we compact (and our WAL + head chunks) are read by promtool 2.42.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { openDB } from "../../src/tsdb/db.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const promtool = referenceBinary("promtool");
const tmp = tempDir("compact-promtool");
afterAll(() => tmp.cleanup());

const N_SERIES = 5;
const N_SAMPLES = 1500; // 15s apart: 6.25h, so blocks plus a head remain
const valueOf = (i: number, j: number): number => (j % 7 === 0 ? j / 8 : i * 100 + j);

describe.runIf(promtool)("compacted blocks read by promtool", () => {
  it.each([false, true])("lists our blocks and dumps exactly the samples we appended (blocks + WAL + head chunks; WAL compression %s)", async (walCompression) => {
    const dir = join(tmp.dir, `wal-compression-${walCompression}`);
    const db = await openDB(dir, { minBlockDurationMs: 3600_000, walCompression });
    const refs = new Array<number>(N_SERIES).fill(0);
    for (let j = 0; j < N_SAMPLES; j++) {
      const app = db.appender();
      for (let i = 0; i < N_SERIES; i++) {
        refs[i] = app.append(refs[i], labelsFromRecord({ __name__: "promtool_check", idx: String(i), zone: i % 2 ? "odd" : "even" }), j * 15_000, valueOf(i, j));
      }
      await app.commit();
    }
    await db.compact();
    const blocks = db.blocks();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    await db.close();

    const list = execFileSync(promtool!, ["tsdb", "list", dir], { encoding: "utf8" });
    for (const b of blocks) {
      const row = list.split("\n").find((l) => l.startsWith(b.ulid));
      expect(row, `promtool tsdb list shows ${b.ulid}`).toBeDefined();
      expect(row!.split(/\s+/).slice(1, 3)).toEqual([String(b.minTime), String(b.maxTime)]);
    }

    const dump = execFileSync(promtool!, ["tsdb", "dump", dir], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const seen = new Map<string, Map<number, number>>();
    for (const line of dump.split("\n")) {
      const m = /^\{(.*)\} (\S+) (\d+)$/.exec(line);
      if (!m) continue;
      const idx = /idx="(\d+)"/.exec(m[1])![1];
      let s = seen.get(idx);
      if (!s) seen.set(idx, (s = new Map()));
      s.set(Number(m[3]), Number(m[2]));
    }
    expect(seen.size).toBe(N_SERIES);
    for (let i = 0; i < N_SERIES; i++) {
      const s = seen.get(String(i))!;
      expect(s.size).toBe(N_SAMPLES);
      for (let j = 0; j < N_SAMPLES; j++) expect(s.get(j * 15_000)).toBe(valueOf(i, j));
    }
  });
});
