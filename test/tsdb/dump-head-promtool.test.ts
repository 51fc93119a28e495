// `promwasm-tool tsdb dump` includes the head (replayed from the WAL, read-only) like
// `promtool tsdb dump` 2.42 does: same output on a data dir holding blocks, a WAL checkpoint
// and WAL segments, and the data dir is left untouched.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTsdbCommand } from "../../src/cmd/tool-tsdb.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { openDB } from "../../src/tsdb/db.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const promtool = referenceBinary("promtool");
const tmp = tempDir("tsdb-dump-head");
const T0 = 1_700_000_000_000;
const MIN = 60_000;

afterAll(() => tmp.cleanup());

async function dump(...args: string[]): Promise<string> {
  let out = "";
  let err = "";
  const code = await runTsdbCommand(["dump", ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  expect(err).toBe("");
  expect(code).toBe(0);
  return out;
}

/** Every file under dir with its size and mtime, to show a read-only open wrote nothing. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.push(`${relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * 5h of data for 40 series, compacted (blocks and a checkpoint), then 1h more for those and
 * 10 new series, left in the WAL. Values mix counters, fractions, NaN, Inf and stale markers.
 */
async function writeDataDir(dir: string): Promise<void> {
  const db = await openDB(dir, { walSegmentSizeBytes: 256 * 1024 });
  const labels = (i: number) => labelsFromRecord({ __name__: i % 2 ? "dump_a" : "dump_b", i: String(i), quote: 'x"y' });
  const value = (i: number, j: number): number => (j % 97 === 5 ? NaN : j % 89 === 3 ? Infinity : i % 3 === 0 ? j * 1.5 + i / 7 : j + i);
  const appendRange = async (series: number[], from: number, to: number) => {
    for (let t = from; t < to; t += MIN) {
      const app = db.appender();
      for (const i of series) app.append(0, labels(i), t + i, value(i, (t - T0) / MIN));
      await app.commit();
    }
  };
  const first = Array.from({ length: 40 }, (_, i) => i);
  await appendRange(first, T0, T0 + 5 * 60 * MIN);
  await db.compact();
  expect(db.blocks().length).toBeGreaterThan(0);
  await appendRange([...first.slice(0, 30), ...Array.from({ length: 10 }, (_, i) => 40 + i)], T0 + 5 * 60 * MIN, T0 + 6 * 60 * MIN);
  // Series 30..39 end with a stale marker in the head.
  const app = db.appender();
  for (let i = 30; i < 40; i++) app.append(0, labels(i), T0 + 6 * 60 * MIN, STALE_NAN);
  await app.commit();
  await db.close();
}

describe.runIf(promtool)("tsdb dump with a head", () => {
  let dir: string;

  beforeAll(async () => {
    dir = join(tmp.dir, "data");
    await writeDataDir(dir);
  }, 120_000);

  it("has blocks, a checkpoint and WAL segments to read", () => {
    const names = readdirSync(dir);
    expect(names.filter((n) => /^[0-9A-Z]{26}$/.test(n)).length).toBeGreaterThan(0);
    const wal = readdirSync(join(dir, "wal"));
    expect(wal.some((n) => n.startsWith("checkpoint."))).toBe(true);
    expect(wal.filter((n) => /^\d+$/.test(n)).length).toBeGreaterThan(0);
  });

  it("prints what promtool prints, head samples included, without writing to the dir", async () => {
    const before = snapshot(dir);
    const ours = await dump(dir);
    expect(snapshot(dir)).toEqual(before);
    // promtool may repair what it opens, so it reads a copy.
    const copy = join(tmp.dir, "copy-all");
    cpSync(dir, copy, { recursive: true });
    const theirs = execFileSync(promtool!, ["tsdb", "dump", copy], { encoding: "utf8", maxBuffer: 256 << 20 });
    expect(theirs).toContain('{__name__="dump_a", i="41", quote="x\\"y"}');
    expect(ours.split("\n").length).toBe(theirs.split("\n").length);
    expect(ours).toBe(theirs);
  });

  it("matches promtool for a window across the last block and the head", async () => {
    const mint = String(T0 + 3 * 60 * MIN + 17);
    const maxt = String(T0 + 5 * 60 * MIN + 30 * MIN);
    const ours = await dump(`--min-time=${mint}`, `--max-time=${maxt}`, dir);
    const copy = join(tmp.dir, "copy-window");
    cpSync(dir, copy, { recursive: true });
    const theirs = execFileSync(promtool!, ["tsdb", "dump", `--min-time=${mint}`, `--max-time=${maxt}`, copy], { encoding: "utf8", maxBuffer: 256 << 20 });
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours).toBe(theirs);
  });

  it("matches promtool on a data dir with only a WAL (series in label order, not creation order)", async () => {
    const walOnly = join(tmp.dir, "wal-only");
    const db = await openDB(walOnly, {});
    const app = db.appender();
    for (const [i, name] of ["zz", "aa", "mm"].entries()) app.append(0, labelsFromRecord({ __name__: name }), T0 + i, i + 0.25);
    await app.commit();
    await db.close();
    const ours = await dump(walOnly);
    const copy = join(tmp.dir, "copy-wal-only");
    cpSync(walOnly, copy, { recursive: true });
    const theirs = execFileSync(promtool!, ["tsdb", "dump", copy], { encoding: "utf8" });
    expect(ours).toBe(theirs);
  });
});
