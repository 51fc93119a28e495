// A full disk under a running server (its data dir on a small tmpfs): remote writes fail
// with an error naming ENOSPC and the WAL segment, queries and health keep answering, and
// once space is freed ingestion resumes without a restart. Nothing acknowledged is lost and
// no partial record is left behind (a restart after kill -9 replays a clean WAL).
// Prometheus 2.42 in the same trial died with SIGBUS when its head chunk mmap hit the full disk.
import { execFileSync } from "node:child_process";
import { mkdirSync, openSync, closeSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import snappy from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prompbType } from "../../bench/baseline/prompb.js";
import { startPromwasm, stopChild, waitForChild, waitReady, type Server } from "../helpers/process.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("disk-full");
const mnt = join(tmp.dir, "mnt");
const N_SERIES = 200;
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;

/** Mounts a 16 MiB tmpfs, or says why not (mounting needs root, as in CI). */
function mountTmpfs(): string | undefined {
  mkdirSync(mnt, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt], { stdio: "pipe" });
    return undefined;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err).trim();
  }
}
const mountRefused = mountTmpfs();
if (mountRefused) console.warn(`skipping disk-full faults: cannot mount a tmpfs (${mountRefused})`);

let server: Server | undefined;
afterAll(async () => {
  await stopChild(server);
  if (!mountRefused) execFileSync("umount", [mnt]);
  tmp.cleanup();
});

const WriteRequest = prompbType("WriteRequest");
/** Batch i: one sample for each series at T0 + i s. */
function batch(i: number): Buffer {
  const timeseries = Array.from({ length: N_SERIES }, (_, s) => ({
    labels: [
      { name: "__name__", value: "disk_full_test" },
      { name: "series", value: String(s) },
    ],
    samples: [{ value: i, timestamp: T0 + i * 1000 }],
  }));
  return snappy.compressSync(Buffer.from(WriteRequest.encode(WriteRequest.create({ timeseries })).finish()));
}

async function push(base: string, i: number): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/api/v1/write`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", "x-prometheus-remote-write-version": "0.1.0" },
    body: batch(i),
  });
  return { status: res.status, text: await res.text() };
}

/** Samples stored for all series up to batch `last`. */
async function storedSamples(base: string, last: number): Promise<number> {
  const q = encodeURIComponent("sum(count_over_time(disk_full_test[1h]))");
  const res = await fetch(`${base}/api/v1/query?query=${q}&time=${(T0 + last * 1000) / 1000}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

/** Fills the file system: big writes, then small ones, until ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, "w");
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const buf = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, buf);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(mountRefused !== undefined)("disk full", () => {
  const data = join(mnt, "data");
  const config = join(tmp.dir, "prometheus.yml");
  const args = [`--config.file=${config}`, `--storage.tsdb.path=${data}`, "--web.enable-remote-write-receiver"];
  beforeAll(() => writeFileSync(config, "global:\n  scrape_interval: 15s\n"));

  it("fails writes naming ENOSPC and the segment, keeps serving, and resumes when space is freed", async () => {
    server = await startPromwasm(args, tmp.dir);
    await waitReady(server);
    const acked: number[] = [];
    let i = 0;
    for (; i < 5; i++) {
      expect((await push(server.base, i)).status).toBe(204);
      acked.push(i);
    }

    const filler = join(mnt, "filler");
    fill(filler);
    // Writes may still fit in the last, partly used page of the file system; go on until one fails.
    let failed: { status: number; text: string } | undefined;
    for (; !failed && i < 10_000; i++) {
      const r = await push(server.base, i);
      if (r.status === 204) acked.push(i);
      else failed = r;
    }
    expect(failed?.status).toBe(500);
    expect(failed?.text).toContain("ENOSPC");
    expect(failed?.text).toMatch(/write WAL segment \S+\/wal\/\d{8}/);
    // Still full: every further write fails as a whole.
    for (let k = 0; k < 3; k++, i++) expect((await push(server.base, i)).status).toBe(500);

    expect((await fetch(`${server.base}/-/healthy`)).status).toBe(200);
    const last = acked[acked.length - 1];
    expect(await storedSamples(server.base, last)).toBe(acked.length * N_SERIES);

    rmSync(filler);
    const resumed = await waitForChild(server, async () => ((await push(server!.base, i)).status === 204 ? i : undefined), 30_000, "a remote write to succeed after space was freed");
    acked.push(resumed);
    expect(await storedSamples(server.base, resumed)).toBe(acked.length * N_SERIES);

    // kill -9 and restart: the WAL replays without a torn record and holds every acknowledged batch.
    await stopChild(server);
    server = await startPromwasm(args, tmp.dir);
    await waitReady(server);
    expect(await storedSamples(server.base, resumed)).toBe(acked.length * N_SERIES);
    expect(server.logs()).toMatch(/msg="WAL replay completed" .*\bcorruptions=0\b/);
  });
});
