// kill -9 of an ingesting server at random moments and at chosen points of head compaction
// (right after a block is written, before the WAL checkpoint; right after the checkpoint),
// then a restart: every sample the server acknowledged, and every sample a query returned
// before the kill, is there afterwards. A one-minute --storage.tsdb.min-block-duration makes
// commits start compactions every few batches. Reports start-up time against WAL size.
// FAULTS_LONG=1 runs 12 kills instead of 4.
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import snappy from "snappy";
import { afterAll, describe, expect, it } from "vitest";
import { prompbType } from "../../bench/baseline/prompb.js";
import { startPromwasm, stopChild, waitForChild, type Server } from "../helpers/process.js";
import { tempDir } from "../helpers/reference.js";

const LONG = process.env.FAULTS_LONG === "1";
const ROUNDS = LONG ? 12 : 4;
const N_SERIES = 50;
const STEP_MS = 5_000;
const WriteRequest = prompbType("WriteRequest");
const tmp = tempDir("faults-crash");
const data = join(tmp.dir, "data");
const config = join(tmp.dir, "prometheus.yml");
writeFileSync(config, "global: {}\n");
const ARGS = [`--config.file=${config}`, `--storage.tsdb.path=${data}`, "--web.enable-remote-write-receiver", "--storage.tsdb.min-block-duration=1m", "--storage.tsdb.max-block-duration=3m"];
let child: Server | undefined;
afterAll(async () => {
  await stopChild(child);
  tmp.cleanup();
});

/** Where a round kills the server: a random moment, or as soon as the log line appears. */
type KillPoint = { kind: "random"; afterMs: number } | { kind: "log"; line: RegExp; what: string };
const POINTS: readonly KillPoint[] = [
  { kind: "random", afterMs: 300 },
  { kind: "log", line: /msg="write block"/, what: "block written, before head truncation and WAL checkpoint" },
  { kind: "log", line: /msg="head GC completed"/, what: "right after a WAL checkpoint" },
  { kind: "random", afterMs: 900 },
];

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

async function push(base: string, t: number): Promise<boolean> {
  const timeseries = Array.from({ length: N_SERIES }, (_, s) => ({
    labels: [
      { name: "__name__", value: "crash_test" },
      { name: "series", value: String(s) },
    ],
    samples: [{ value: t / 1000 + s, timestamp: t }],
  }));
  try {
    const res = await fetch(`${base}/api/v1/write`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
      body: snappy.compressSync(Buffer.from(WriteRequest.encode(WriteRequest.create({ timeseries })).finish())),
    });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false; // killed mid-request
  }
}

/** Every stored sample: "series@t" -> value. */
async function stored(base: string, at: number): Promise<Map<string, number>> {
  const q = encodeURIComponent(`crash_test[${Math.ceil((at - T0) / 1000) + 60}s]`);
  const res = await fetch(`${base}/api/v1/query?query=${q}&time=${at / 1000}`);
  const body = (await res.json()) as { data: { result: { metric: { series: string }; values: [number, string][] }[] } };
  const out = new Map<string, number>();
  for (const s of body.data.result) for (const [t, v] of s.values) out.set(`${s.metric.series}@${Math.round(t * 1000)}`, Number(v));
  return out;
}

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 24 * 3_600_000;

describe("kill -9 while ingesting", () => {
  it(`keeps every acknowledged and every queried sample over ${ROUNDS} kills`, { timeout: ROUNDS * 60_000 }, async () => {
    /** Samples the server acknowledged or a query returned, with their values. */
    const committed = new Map<string, number>();
    const startups: string[] = [];
    let t = T0;
    for (let round = 0; round < ROUNDS; round++) {
      const point = POINTS[round % POINTS.length];
      const walBytes = round === 0 ? 0 : dirBytes(join(data, "wal"));
      const began = Date.now();
      child = await startPromwasm(ARGS, tmp.dir);
      const server = child;
      await waitForChild(server, async () => (await fetch(`${server.base}/-/ready`)).ok, 60_000, "ready after restart");
      const replay = /msg="WAL replay completed".*/.exec(server.logs())?.[0] ?? "";
      startups.push(`round ${round}: WAL ${(walBytes / 2 ** 20).toFixed(2)} MiB, ready in ${Date.now() - began} ms (${/duration=(\S+)/.exec(replay)?.[1] ?? "?"} replay)`);

      // Nothing committed before is missing or changed.
      const have = await stored(server.base, t);
      const missing = [...committed].filter(([k, v]) => have.get(k) !== v).map(([k]) => k);
      expect(missing, `round ${round}: after a kill (${POINTS[(round + POINTS.length - 1) % POINTS.length].kind})`).toEqual([]);

      // Push until the kill lands.
      let killed = false;
      const kill = () => {
        if (!killed) server.proc.kill("SIGKILL");
        killed = true;
      };
      if (point.kind === "random") setTimeout(kill, Math.floor(Math.random() * point.afterMs));
      else {
        const watch = (d: Buffer) => point.line.test(d.toString()) && kill();
        server.proc.stdout!.on("data", watch);
        server.proc.stderr!.on("data", watch);
      }
      for (let i = 0; !killed && i < 10_000; i++) {
        t += STEP_MS;
        if (!(await push(server.base, t))) break;
        for (let s = 0; s < N_SERIES; s++) committed.set(`${s}@${t}`, t / 1000 + s);
        // What a query answers now must survive the kill too.
        if (i % 7 === 3) for (const [k, v] of await stored(server.base, t).catch(() => new Map<string, number>())) committed.set(k, v);
      }
      await server.exited;
      expect(killed, `round ${round} ended by the kill`).toBe(true);
      if (point.kind === "log") expect(server.logs(), point.what).toMatch(point.line);
    }
    // The last restart, checked the same way.
    child = await startPromwasm(ARGS, tmp.dir);
    const last = child;
    await waitForChild(last, async () => (await fetch(`${last.base}/-/ready`)).ok, 60_000, "ready after the last kill");
    const have = await stored(last.base, t);
    expect([...committed].filter(([k, v]) => have.get(k) !== v).map(([k]) => k)).toEqual([]);
    const blocks = readdirSync(data).filter((n) => /^[0-9A-Z]{26}$/.test(n));
    expect(blocks.length, "compactions ran").toBeGreaterThan(0);
    console.log(`crash: ${ROUNDS} kills, ${committed.size} samples kept, ${blocks.length} blocks\n  ${startups.join("\n  ")}`);
  });
});

describe("start-up after kill -9", () => {
  // Samples per size step: 1,000 series x 100 samples per request.
  const STEPS = LONG ? [20, 100, 200] : [20];

  it("replays the WAL and serves every acknowledged sample; start-up time against WAL size", { timeout: 600_000 }, async () => {
    const dir = join(tmp.dir, "startup");
    const args = [`--config.file=${config}`, `--storage.tsdb.path=${dir}`, "--web.enable-remote-write-receiver"];
    const rows: string[] = [];
    let requests = 0;
    const t1 = T0 + 3_600_000;
    for (const target of STEPS) {
      child = await startPromwasm(args, tmp.dir);
      const server = child;
      await waitForChild(server, async () => (await fetch(`${server.base}/-/ready`)).ok, 600_000, "ready");
      for (; requests < target; requests++) {
        const timeseries = Array.from({ length: 1000 }, (_, s) => ({
          labels: [
            { name: "__name__", value: "startup_test" },
            { name: "series", value: String(s) },
          ],
          samples: Array.from({ length: 100 }, (_, k) => ({ value: k, timestamp: t1 + (requests * 100 + k) * 1000 })),
        }));
        const res = await fetch(`${server.base}/api/v1/write`, {
          method: "POST",
          headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
          body: snappy.compressSync(Buffer.from(WriteRequest.encode(WriteRequest.create({ timeseries })).finish())),
        });
        expect(res.status, await res.text()).toBe(204);
      }
      await stopChild(server);
      const walBytes = dirBytes(join(dir, "wal"));
      const began = Date.now();
      child = await startPromwasm(args, tmp.dir);
      const again = child;
      await waitForChild(again, async () => (await fetch(`${again.base}/-/ready`)).ok, 600_000, "ready after the kill");
      const readyMs = Date.now() - began;
      const end = t1 + requests * 100 * 1000;
      const q = encodeURIComponent(`sum(count_over_time(startup_test[${(end - t1) / 1000 + 1}s]))`);
      const res = await fetch(`${again.base}/api/v1/query?query=${q}&time=${end / 1000}`);
      const count = Number(((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1]);
      expect(count).toBe(requests * 100 * 1000);
      rows.push(`${(requests * 100_000).toLocaleString("en")} samples, WAL ${(walBytes / 2 ** 20).toFixed(1)} MiB: ready in ${readyMs} ms (${/msg="WAL replay completed".*duration=(\S+)/.exec(again.logs())?.[1] ?? "?"} replay)`);
      await stopChild(again);
    }
    console.log(`start-up vs WAL size:\n  ${rows.join("\n  ")}`);
  });
});
