// Remote write under receiver faults, between real processes on loopback: a promwasm child
// takes samples on its own receiver and forwards them (tailing its WAL) to a receiver in this
// process that goes down, answers 500, 429 with Retry-After, 400, or answers too slowly.
// Recoverable failures (5xx, 429, timeouts, refused connections) are retried with growing
// backoff until every sample arrives; a 400 drops the batch and counts it in
// prometheus_remote_storage_samples_failed_total. FAULTS_LONG=1 keeps the receiver down 60 s.
import { createServer, type Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import snappy from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prompbType } from "../../bench/baseline/prompb.js";
import { startPromwasm, stopChild, waitForChild, waitReady, type Server } from "../helpers/process.js";
import { listen, tempDir } from "../helpers/reference.js";

const LONG = process.env.FAULTS_LONG === "1";
const DOWN_MS = LONG ? 60_000 : 0;
const N_SERIES = 20;
const WriteRequest = prompbType("WriteRequest");
const tmp = tempDir("faults-remote-write");

type Mode = { kind: "ok" } | { kind: "status"; status: number; retryAfter?: string } | { kind: "hang" };

/** The receiver: records every sample it accepted and when each request arrived. */
class Receiver {
  mode: Mode = { kind: "ok" };
  readonly received = new Set<string>();
  /** Arrival times (ms) of requests refused in the current mode. */
  refusedAt: number[] = [];
  private server: HttpServer | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (d: Buffer) => parts.push(d));
      req.on("end", () => {
        const mode = this.mode;
        if (mode.kind === "hang") {
          this.refusedAt.push(Date.now());
          return; // never answers; the sender's remote_timeout ends the request
        }
        if (mode.kind === "status") {
          this.refusedAt.push(Date.now());
          res.writeHead(mode.status, mode.retryAfter ? { "Retry-After": mode.retryAfter } : {}).end(`refused by the test (${mode.status})\n`);
          return;
        }
        const wr = WriteRequest.decode(snappy.uncompressSync(Buffer.concat(parts)) as Buffer).toJSON() as { timeseries?: { labels: { name: string; value: string }[]; samples?: { timestamp: string }[] }[] };
        for (const ts of wr.timeseries ?? []) {
          const series = ts.labels.find((l) => l.name === "series")?.value;
          for (const s of ts.samples ?? []) this.received.add(`${series}@${s.timestamp}`);
        }
        res.writeHead(204).end();
      });
    });
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
    });
    if (this.port === 0) this.port = await listen(this.server);
    else await new Promise<void>((resolve, reject) => this.server!.once("error", reject).listen(this.port, "127.0.0.1", resolve));
  }

  /** Down: the port refuses connections until start() listens on it again. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.refusedAt = [];
  }
}

const receiver = new Receiver();
let promwasm: Server | undefined;
beforeAll(() => receiver.start());
afterAll(async () => {
  await stopChild(promwasm);
  await receiver.stop();
  tmp.cleanup();
});

const T0 = Date.now() + 60_000;
/** Batch b: one sample per series at T0 + b s. Each key is "series@timestamp". */
function batchKeys(b: number): string[] {
  return Array.from({ length: N_SERIES }, (_, s) => `${s}@${T0 + b * 1000}`);
}

async function push(base: string, b: number): Promise<void> {
  const timeseries = Array.from({ length: N_SERIES }, (_, s) => ({
    labels: [
      { name: "__name__", value: "rw_fault_test" },
      { name: "series", value: String(s) },
    ],
    samples: [{ value: b, timestamp: T0 + b * 1000 }],
  }));
  const res = await fetch(`${base}/api/v1/write`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
    body: snappy.compressSync(Buffer.from(WriteRequest.encode(WriteRequest.create({ timeseries })).finish())),
  });
  expect(res.status, await res.text()).toBe(204);
}

/** The sum of one prometheus_remote_storage_* family on the child's /metrics. */
async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "gm"))) sum += Number(m[1]);
  return sum;
}

function allReceived(keys: readonly string[]): boolean {
  return keys.every((k) => receiver.received.has(k));
}

describe("remote write to a failing receiver", () => {
  let batch = 0;
  const delivered: string[] = [];

  beforeAll(async () => {
    const config = join(tmp.dir, "prometheus.yml");
    writeFileSync(
      config,
      [
        "global: {}",
        "remote_write:",
        `  - url: http://127.0.0.1:${receiver.port}/receive`,
        "    name: faulty",
        "    remote_timeout: 1s",
        "    queue_config:",
        "      batch_send_deadline: 50ms",
        "      max_samples_per_send: 100",
        "      max_shards: 1",
        "      min_backoff: 50ms",
        "      max_backoff: 800ms",
        "      retry_on_http_429: true",
        "",
      ].join("\n"),
    );
    promwasm = await startPromwasm([`--config.file=${config}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`, "--web.enable-remote-write-receiver"], tmp.dir);
    await waitReady(promwasm);
  });

  /** Pushes the next batch and returns its keys. */
  async function next(): Promise<string[]> {
    const keys = batchKeys(batch);
    await push(promwasm!.base, batch++);
    return keys;
  }

  async function deliveredAll(keys: string[], what: string): Promise<void> {
    await waitForChild(promwasm!, () => allReceived(keys), 60_000 + DOWN_MS, what);
    delivered.push(...keys);
  }

  it("sends while the receiver is healthy", async () => {
    await deliveredAll(await next(), "the first batch");
  });

  it("retries 500s with doubling backoff and delivers once the receiver recovers", async () => {
    const retriedBefore = await metric(promwasm!.base, "prometheus_remote_storage_samples_retried_total");
    receiver.setMode({ kind: "status", status: 500 });
    const keys = await next();
    await waitForChild(promwasm!, () => receiver.refusedAt.length >= 4, 30_000, "four refused attempts");
    const at = receiver.refusedAt.slice(0, 4);
    // min_backoff 50ms, doubled after each failure: the sender waits at least this long.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(45);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(95);
    expect(at[3] - at[2]).toBeGreaterThanOrEqual(195);
    expect(await metric(promwasm!.base, "prometheus_remote_storage_samples_retried_total")).toBeGreaterThanOrEqual(retriedBefore + 3 * N_SERIES);
    receiver.setMode({ kind: "ok" });
    await deliveredAll(keys, "the batch refused with 500s");
  });

  it("waits as long as a 429's Retry-After says", async () => {
    receiver.setMode({ kind: "status", status: 429, retryAfter: "1" });
    const keys = await next();
    await waitForChild(promwasm!, () => receiver.refusedAt.length >= 2, 30_000, "two refused attempts");
    expect(receiver.refusedAt[1] - receiver.refusedAt[0]).toBeGreaterThanOrEqual(990);
    receiver.setMode({ kind: "ok" });
    await deliveredAll(keys, "the batch refused with 429s");
  });

  it("retries requests that time out", async () => {
    receiver.setMode({ kind: "hang" });
    const keys = await next();
    await waitForChild(promwasm!, () => receiver.refusedAt.length >= 2, 30_000, "a second attempt after the first timed out");
    receiver.setMode({ kind: "ok" });
    await deliveredAll(keys, "the batch whose sends timed out");
  });

  it("retries while the receiver is down", async () => {
    const errorsBefore = await metric(promwasm!.base, "prometheus_remote_storage_samples_retried_total");
    await receiver.stop();
    const keys = await next();
    await waitForChild(promwasm!, async () => (await metric(promwasm!.base, "prometheus_remote_storage_samples_retried_total")) >= errorsBefore + 2 * N_SERIES, 30_000, "retries counted while down");
    if (DOWN_MS > 0) await new Promise((r) => setTimeout(r, DOWN_MS)); // the long variant's outage, not a wait for a result
    // Batches pushed during the outage queue behind it.
    const more = [...keys, ...(await next()), ...(await next())];
    expect(more.some((k) => receiver.received.has(k))).toBe(false);
    // The batch being retried and the ones behind it are all pending.
    await waitForChild(promwasm!, async () => (await metric(promwasm!.base, "prometheus_remote_storage_samples_pending")) === more.length, 30_000, "samples_pending to count the undelivered batches");
    await receiver.start();
    await deliveredAll(more, "the batches sent while the receiver was down");
  });

  it("drops a batch answered with 400 and counts it as failed", async () => {
    const failedBefore = await metric(promwasm!.base, "prometheus_remote_storage_samples_failed_total");
    receiver.setMode({ kind: "status", status: 400 });
    const dropped = await next();
    await waitForChild(promwasm!, async () => (await metric(promwasm!.base, "prometheus_remote_storage_samples_failed_total")) === failedBefore + N_SERIES, 30_000, "the 400ed samples counted as failed");
    expect(receiver.refusedAt).toHaveLength(1);
    receiver.setMode({ kind: "ok" });
    // The next batch goes through, the dropped one is never sent again (one shard sends in order).
    await deliveredAll(await next(), "the batch after the 400");
    expect(dropped.filter((k) => receiver.received.has(k))).toEqual([]);
    expect(receiver.refusedAt).toHaveLength(0);
  });

  it("lost nothing but the 400ed batch, and its metrics tell the story", async () => {
    expect(delivered.filter((k) => !receiver.received.has(k))).toEqual([]);
    const base = promwasm!.base;
    expect(await metric(base, "prometheus_remote_storage_samples_failed_total")).toBe(N_SERIES);
    expect(await metric(base, "prometheus_remote_storage_samples_total")).toBeGreaterThanOrEqual(delivered.length);
    expect(await metric(base, "prometheus_remote_storage_samples_pending")).toBe(0);
    expect(await metric(base, "prometheus_remote_storage_queue_highest_sent_timestamp_seconds")).toBe((T0 + (batch - 1) * 1000) / 1000);
  });
});
