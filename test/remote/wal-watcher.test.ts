// Remote write fed by tailing a real TSDB's WAL: segments cut, checkpoints and deleted
// segments followed, series from before the start known, and a slow remote holding the
// backlog in the WAL instead of dropping samples.
import { createServer, type Server } from "node:http";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString, type Labels } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { RemoteStorage } from "../../src/remote/storage.js";
import { WalWatcher } from "../../src/remote/wal-watcher.js";
import { RecordEncoder } from "../../src/tsdb/record/record.js";
import { WL } from "../../src/tsdb/wlog/wlog.js";
import { handleRemoteWrite } from "../../src/remote/write-handler.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { listen, tempDir, waitFor } from "../helpers/reference.js";
import { readBody, writeConfig } from "./helpers.js";

const tmp = tempDir("remote-wal-watcher");
let seq = 0;

/** A receiver storing into its own TSDB; `down` makes it answer 503. */
async function receiver(): Promise<{ url: string; db: DB; server: Server; state: { down: boolean; requests: number } }> {
  const db = await openDB(join(tmp.dir, `recv${seq++}`));
  const state = { down: false, requests: 0 };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      state.requests++;
      if (state.down) {
        res.writeHead(503).end("down");
        return;
      }
      const r = await handleRemoteWrite(body, req.headers, db);
      res.writeHead(r.status).end(r.message);
    })();
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/api/v1/write`, db, server, state };
}

async function stored(db: DB): Promise<Map<string, number[]>> {
  const q = await db.querier(-1e15, 1e15);
  const out = new Map<string, number[]>();
  for (const s of await q.select(true, undefined, [new Matcher("=~", "__name__", ".+")])) out.set(labelsToString(s.labels), Array.from(s.samples().ts));
  q.close();
  return out;
}

async function commit(db: DB, series: Labels[], ts: number[]): Promise<void> {
  const app = db.appender();
  for (const t of ts) for (const l of series) app.append(0, l, t, t % 1000);
  await app.commit();
}

describe("remote write from the WAL", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    tmp.cleanup();
  });

  it("follows segments and checkpoints and knows series created before it started", async () => {
    const r = await receiver();
    cleanups.push(async () => {
      await new Promise<void>((s) => r.server.close(() => s()));
      await r.db.close();
    });
    // 64 KiB segments and 1s blocks, so the test cuts segments and compacts (checkpoint + truncation).
    const db = await openDB(join(tmp.dir, "src"), { walSegmentSizeBytes: 64 * 1024, minBlockDurationMs: 1000, maxBlockDurationMs: 1000 });
    cleanups.push(() => db.close());
    const old = labelsFromRecord({ __name__: "old", k: "v" });
    const now = Date.now();
    await commit(db, [old], [now - 60_000]); // before the queue starts: never sent, but its series record is needed
    const remote = new RemoteStorage({ walDir: join(tmp.dir, "src", "wal"), flushDeadlineMs: 2000 });
    cleanups.push(() => remote.close());
    await remote.applyConfig([writeConfig(r.url, {}, { batchSendDeadlineMs: 20, maxSamplesPerSend: 200 })], [], labelsFromRecord({ via: "wal" }));
    // The appender is a no-op in WAL mode: nothing is sent twice.
    const noop = remote.appender();
    noop.append(1, old, now + 1, 1);
    await noop.commit();

    const many = Array.from({ length: 300 }, (_, i) => labelsFromRecord({ __name__: "bulk", i: String(i) }));
    const ts: number[] = [];
    for (let k = 0; k < 60; k++) {
      const batch = [now + 1000 + k * 50];
      ts.push(...batch);
      await commit(db, [old, ...many], batch);
    }
    const segmentsBefore = readdirSync(join(tmp.dir, "src", "wal")).filter((n) => /^\d+$/.test(n)).length;
    expect(segmentsBefore).toBeGreaterThan(2);
    await waitFor(async () => (await stored(r.db)).get('old{k="v", via="wal"}')?.length === 60, 10_000, "first phase received");

    // Compact: a block is cut, the WAL checkpointed and old segments deleted. Then keep writing.
    await commit(db, [old], [now + 6000]);
    await db.compact();
    expect(readdirSync(join(tmp.dir, "src", "wal")).some((n) => n.startsWith("checkpoint."))).toBe(true);
    expect(existsSync(join(tmp.dir, "src", "wal", "00000000"))).toBe(false);
    const fresh = labelsFromRecord({ __name__: "fresh" });
    await commit(db, [old, fresh], [now + 7000, now + 7100]);

    await waitFor(async () => (await stored(r.db)).get('fresh{via="wal"}')?.length === 2, 10_000, "after compaction received");
    const got = await stored(r.db);
    expect(got.get('old{k="v", via="wal"}')).toEqual([...ts, now + 6000, now + 7000, now + 7100]);
    for (const l of many) expect(got.get(labelsToString(labelsFromRecord({ ...Object.fromEntries(l.map((x) => [x.name, x.value])), via: "wal" })))).toEqual(ts);
    expect(got.size).toBe(302);
    const m = remote.writeMetrics()[0].metrics;
    expect(m.samplesFailed).toBe(0);
    expect(m.samplesDroppedQueueFull).toBe(0);

    // A queue started later begins at the current segment (samples stamped in the future still count).
    const r2 = await receiver();
    cleanups.push(async () => {
      await new Promise<void>((s) => r2.server.close(() => s()));
      await r2.db.close();
    });
    const late = new RemoteStorage({ walDir: join(tmp.dir, "src", "wal"), flushDeadlineMs: 2000 });
    cleanups.push(() => late.close());
    await late.applyConfig([writeConfig(r2.url, {}, { batchSendDeadlineMs: 20 })], [], []);
    await commit(db, [old], [now + 8000]);
    await waitFor(async () => (await stored(r2.db)).get('old{k="v"}')?.length === 3, 10_000, "late watcher received");
    const late2 = await stored(r2.db);
    expect(late2.get('old{k="v"}')).toEqual([now + 7000, now + 7100, now + 8000]);
    expect(late2.get("fresh")).toEqual([now + 7000, now + 7100]);
  });

  for (const compress of [false, true]) {
    it(`takes series from the newest checkpoint and skips samples of unknown series${compress ? " (snappy WAL)" : ""}`, async () => {
      const walDir = join(tmp.dir, `crafted-${compress}`);
      const wl = new WL({ dir: walDir, compress });
      const enc = new RecordEncoder();
      // Many similar series make the record compressible.
      const filler = Array.from({ length: 200 }, (_, i) => ({ ref: 100 + i, labels: labelsFromRecord({ __name__: "filler_metric_with_a_long_name", i: String(i) }) }));
      wl.log(enc.series([{ ref: 1, labels: labelsFromRecord({ __name__: "kept" }) }, { ref: 2, labels: labelsFromRecord({ __name__: "gone" }) }, ...filler]));
      wl.log(enc.samples([1, 2], [10, 10], [1, 2], 2));
      wl.nextSegment();
      wl.log(enc.series(filler));
      wl.log(enc.samples([1, 2, 1, 150], [100, 100, 200, 300], [5, 6, 7, 8], 4));
      wl.close();
      // What a checkpoint of segment 0 holds when only series 1 is still alive; then segment 0 goes.
      const cp = new WL({ dir: join(walDir, "checkpoint.00000000"), compress });
      cp.log(enc.series([{ ref: 1, labels: labelsFromRecord({ __name__: "kept" }) }]));
      cp.close();
      rmSync(join(walDir, "00000000"));
      expect(readdirSync(walDir).sort()).toEqual(["00000001", "checkpoint.00000000"]);
      // The first fragment of segment 1 carries the snappy flag exactly when compression is on.
      expect((readFileSync(join(walDir, "00000001"))[0] & 8) !== 0).toBe(compress);
      const got: string[] = [];
      const w = new WalWatcher({
        walDir,
        startTimeMs: 50,
        sink: {
          canAccept: () => true,
          enqueue: (refs, labels, ts, vs, n) => {
            for (let i = 0; i < n; i++) got.push(`${refs[i]} ${labelsToString(labels[i])} ${ts[i]}=${vs[i]}`);
          },
        },
      });
      await w.step();
      expect(got).toEqual(["1 kept 100=5", "1 kept 200=7", '150 filler_metric_with_a_long_name{i="50"} 300=8']);
      expect(w.metrics.samplesUnknownSeries).toBe(1);
      expect(w.metrics.currentSegment).toBe(1);
      expect(w.metrics.corruptions).toBe(0);
    });
  }

  it("skips the rest of a damaged segment and continues with the next", async () => {
    const walDir = join(tmp.dir, "damaged");
    const wl = new WL({ dir: walDir });
    const enc = new RecordEncoder();
    wl.log(enc.series([{ ref: 1, labels: labelsFromRecord({ __name__: "m" }) }]));
    wl.log(enc.samples([1], [100], [1], 1));
    wl.log(enc.samples([1], [200], [2], 1));
    wl.nextSegment();
    wl.log(enc.samples([1], [300], [3], 1));
    wl.close();
    // Flip the last data byte of segment 0's third record (its value), breaking that fragment's CRC.
    const seg0 = join(walDir, "00000000");
    const bytes = readFileSync(seg0);
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    bytes[end - 1] ^= 0xff;
    writeFileSync(seg0, bytes);
    const got: number[] = [];
    const w = new WalWatcher({ walDir, startTimeMs: 0, sink: { canAccept: () => true, enqueue: (_r, _l, ts, _v, n) => void got.push(...Array.from(ts.subarray(0, n))) } });
    await w.step();
    expect(got).toEqual([100, 300]);
    expect(w.metrics.corruptions).toBe(1);
  });

  it("leaves the backlog in the WAL while the remote is down, then sends all of it in order", async () => {
    const r = await receiver();
    cleanups.push(async () => {
      await new Promise<void>((s) => r.server.close(() => s()));
      await r.db.close();
    });
    const db = await openDB(join(tmp.dir, "src2"));
    cleanups.push(() => db.close());
    const remote = new RemoteStorage({ walDir: join(tmp.dir, "src2", "wal"), flushDeadlineMs: 2000 });
    cleanups.push(() => remote.close());
    r.state.down = true;
    await remote.applyConfig(
      [writeConfig(r.url, {}, { capacity: 20, maxShards: 1, minShards: 1, maxSamplesPerSend: 10, batchSendDeadlineMs: 10, minBackoffMs: 20, maxBackoffMs: 100 })],
      [],
      [],
    );
    const ls = [labelsFromRecord({ __name__: "a" }), labelsFromRecord({ __name__: "b" })];
    const t0 = Date.now() + 1000;
    for (let k = 0; k < 100; k++) await commit(db, ls, [t0 + k * 10]);
    // Commits are not held up, and the queue holds only about its capacity.
    await waitFor(() => r.state.requests >= 3, 5000, "retries against the down remote");
    const m = remote.writeMetrics()[0].metrics;
    expect(m.samplesPending).toBeLessThanOrEqual(40);
    expect(m.samplesDroppedQueueFull).toBe(0);
    r.state.down = false;
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesSent === 200, 15_000, "backlog sent");
    const got = await stored(r.db);
    const want = Array.from({ length: 100 }, (_, k) => t0 + k * 10);
    expect(got.get("a")).toEqual(want);
    expect(got.get("b")).toEqual(want);
    expect(remote.writeMetrics()[0].metrics.samplesFailed).toBe(0);
  });
});
