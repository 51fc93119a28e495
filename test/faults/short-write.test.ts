// A short write to the WAL must never be acknowledged. Under RLIMIT_FSIZE (prlimit) the
// kernel writes what fits below the limit and fails the next write with EFBIG, the same
// short-then-failing sequence a nearly full disk produces. Every commit the child saw
// succeed must be there after a restart without the limit.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Matcher } from "../../src/model/matcher.js";
import { openDB } from "../../src/tsdb/db.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const tmp = tempDir("short-write");
afterAll(() => tmp.cleanup());
const N_SERIES = 50;
// Not a multiple of the 32 KiB page, so the limit falls inside a page write.
const FILE_LIMIT = 300_000 + 12_345;

interface ChildRun {
  committed: number[];
  code: number | null;
  stderr: string;
}

function ingestUnderLimit(dir: string): Promise<ChildRun> {
  const child = spawn(
    "prlimit",
    [`--fsize=${FILE_LIMIT}`, process.execPath, join("node_modules", "vite-node", "vite-node.mjs"), join("test", "tsdb", "fixtures", "ingest-child.ts"), dir, String(N_SERIES), String(64 * 1024 * 1024)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const committed: number[] = [];
  let out = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    let nl;
    while ((nl = out.indexOf("\n")) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line !== "ready") committed.push(Number(line));
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ committed, code, stderr })));
}

describe.skipIf(!referenceBinary("prlimit"))("WAL short writes", () => {
  it("fails the commit that does not fit, names the segment, and keeps every acknowledged sample", async () => {
    const dir = join(tmp.dir, "data");
    const run = await ingestUnderLimit(dir);
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.stderr).toContain("EFBIG");
    expect(run.stderr).toContain(join(dir, "wal", "00000000"));
    expect(run.committed.length).toBeGreaterThan(10);

    const db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    try {
      // Nothing torn was left for the replay to cut.
      expect(db.metrics().walCorruptions).toBe(0);
      const q = await db.querier(-Infinity, Infinity);
      const series = await q.select(true, undefined, [new Matcher("=", "__name__", "crash_test")]);
      expect(series.length).toBe(N_SERIES);
      for (const s of series) {
        const i = Number(s.labels.find((l) => l.name === "series")!.value);
        const b = s.samples();
        const have = new Map<number, number>();
        for (let k = 0; k < b.ts.length; k++) have.set(b.ts[k], b.vs[k]);
        for (const t of run.committed) expect(have.get(t), `series ${i} at ${t}`).toBe(t / 1000 + i);
      }
      q.close();
    } finally {
      await db.close();
    }
  });
});
