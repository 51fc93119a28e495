// The promwasm bin replaying a large WAL: /-/ready answers 503 while replay runs and 200
// after, and /api/v1/status/walreplay reports segment progress meanwhile.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { openDB } from "../../src/tsdb/db.js";
import { query, startPromwasm, stopChild, waitForChild, type Child } from "../helpers/process.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("cmd-replay");
const children: Child[] = [];
const SERIES = 100_000;
const SAMPLES = 120;

afterAll(async () => {
  for (const c of children) await stopChild(c);
  tmp.cleanup();
});

/** Twelve million samples in small segments: replay takes seconds and crosses many segments. */
async function writeWAL(dir: string): Promise<void> {
  const db = await openDB(dir, { walSegmentSizeBytes: 8 << 20, walCompression: true });
  const labels = Array.from({ length: SERIES }, (_, i) => labelsFromRecord({ __name__: "replay_test_metric", instance: `host-${i % 50}`, series: String(i) }));
  const refs = new Array<number>(SERIES).fill(0);
  const base = Date.now() - SAMPLES * 15_000;
  for (let j = 0; j < SAMPLES; j++) {
    const app = db.appender();
    for (let i = 0; i < SERIES; i++) refs[i] = app.append(refs[i], labels[i], base + j * 15_000, i + j);
    await app.commit();
  }
  await db.close();
}

interface Poll {
  readonly ready: number;
  readonly readyBody: string;
  readonly replay?: { status: number; data?: { min: number; max: number; current: number } };
}

describe("WAL replay on start", () => {
  it("answers /-/ready with 503 during replay, reports progress, then 200 with the data queryable", async () => {
    const cwd = join(tmp.dir, "replay");
    const data = join(cwd, "data");
    mkdirSync(cwd, { recursive: true });
    await writeWAL(data);
    const segments = readdirSync(join(data, "wal")).filter((n) => /^\d+$/.test(n));
    expect(segments.length).toBeGreaterThan(4);

    const cfg = join(cwd, "prometheus.yml");
    writeFileSync(cfg, "global:\n  scrape_interval: 15s\n");
    // It listens (and logs its port) before the replay starts.
    const child = await startPromwasm([`--config.file=${cfg}`, `--storage.tsdb.path=${data}`], cwd);
    children.push(child);
    const { base } = child;

    const polls: Poll[] = [];
    await waitForChild(
      child,
      async () => {
        const res = await fetch(`${base}/-/ready`);
        const poll: Poll = { ready: res.status, readyBody: await res.text() };
        if (res.status === 200) {
          polls.push(poll);
          return true;
        }
        const wr = await fetch(`${base}/api/v1/status/walreplay`);
        const body = (await wr.json()) as { data?: { min: number; max: number; current: number } };
        polls.push({ ...poll, replay: { status: wr.status, data: body.data } });
        return false;
      },
      120_000,
      "ready after the WAL replay",
    );

    const notReady = polls.filter((p) => p.ready === 503);
    expect(notReady.length).toBeGreaterThan(0);
    expect(notReady[0].readyBody).toBe("Service Unavailable");
    expect(polls[polls.length - 1].ready).toBe(200);
    expect(polls[polls.length - 1].readyBody).toBe("Prometheus Server is Ready.\n");
    // Progress is served while not ready: segment numbers of this WAL, moving forward.
    const progress = notReady.map((p) => p.replay!).filter((r) => r.status === 200 && r.data!.max > 0);
    expect(progress.length).toBeGreaterThan(0);
    for (const r of progress) {
      expect(r.data!.max).toBe(segments.length - 1);
      expect(r.data!.current).toBeGreaterThanOrEqual(r.data!.min);
      expect(r.data!.current).toBeLessThanOrEqual(r.data!.max);
    }
    const currents = new Set(progress.map((r) => r.data!.current));
    expect(currents.size).toBeGreaterThan(1);

    const after = (await (await fetch(`${base}/api/v1/status/walreplay`)).json()) as { data: { min: number; max: number; current: number } };
    expect(after.data.current).toBe(after.data.max);
    expect(await query(base, "count(replay_test_metric)")).toEqual([{ metric: {}, value: [expect.any(Number), String(SERIES)] }]);
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 240_000);
});
