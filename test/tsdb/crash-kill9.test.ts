// kill -9 during ingestion: every sample whose commit was reported survives a restart.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Matcher } from "../../src/model/matcher.js";
import { openDB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("crash");
afterAll(() => tmp.cleanup());
const N_SERIES = 20;

async function runAndKill(dir: string, minCommits: number): Promise<number[]> {
  const child = spawn(process.execPath, [join("node_modules", "vite-node", "vite-node.mjs"), join("test", "tsdb", "fixtures", "ingest-child.ts"), dir, String(N_SERIES)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const reported: number[] = [];
  let buf = "";
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line !== "ready") reported.push(Number(line));
      }
      if (reported.length >= minCommits) {
        child.removeAllListeners("exit");
        child.kill("SIGKILL");
        child.once("exit", () => resolve());
      }
    });
  });
  return reported;
}

describe("crash safety", () => {
  it("keeps every committed sample across kill -9, twice in a row", async () => {
    const dir = join(tmp.dir, "data");
    const first = await runAndKill(dir, 3000);
    // Restart and crash again on top of the recovered state.
    const second = await runAndKill(dir, 4000);
    const reported = new Set([...first, ...second]);
    const db = await openDB(dir, { minBlockDurationMs: 3600_000 });
    try {
      const q = await db.querier(-Infinity, Infinity);
      const series = await q.select(true, undefined, [new Matcher("=", "__name__", "crash_test")]);
      expect(series.length).toBe(N_SERIES);
      // The second run compacted the head, so the samples come from blocks, checkpoint and WAL.
      expect(db.blocks().length).toBeGreaterThan(0);
      for (const s of series) {
        const i = Number(s.labels.find((l) => l.name === "series")!.value);
        const b = s.samples();
        const have = new Map<number, number>();
        for (let k = 0; k < b.ts.length; k++) have.set(b.ts[k], b.vs[k]);
        for (const t of reported) expect(have.get(t), `series ${i} at ${t}`).toBe(t / 1000 + i);
      }
      q.close();
    } finally {
      await db.close();
    }
  });
});
