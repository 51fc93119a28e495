// The remote write sender against a scripted receiver on loopback that stores what it
// accepts in a real TSDB through our receiver: batching, retries, drops, headers, auth,
// flushing on stop, resharding, and commits that never wait for the remote.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString, type Labels } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { DEFAULT_HTTP_CLIENT } from "../../src/config/types.js";
import { Registry } from "../../src/client/registry.js";
import { RemoteHttpClient } from "../../src/remote/http-client.js";
import { RemoteStorageCollector } from "../../src/remote/metrics.js";
import { RemoteStorage } from "../../src/remote/storage.js";
import { WriteQueue } from "../../src/remote/write-queue.js";
import { handleRemoteWrite } from "../../src/remote/write-handler.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { listen, tempDir, waitFor } from "../helpers/reference.js";
import { readBody, writeConfig } from "./helpers.js";

type Script = (n: number) => { status: number; headers?: Record<string, string>; delayMs?: number } | "store" | { storeAfterMs: number };

interface Receiver {
  url: string;
  requests: IncomingHttpHeaders[];
  db: DB;
  script: Script;
  server: Server;
}

const tmp = tempDir("remote-write-queue");
let seq = 0;

async function startReceiver(script: Script): Promise<Receiver> {
  const db = await openDB(join(tmp.dir, `db${seq++}`));
  const r: Receiver = { url: "", requests: [], db, script, server: undefined as unknown as Server };
  r.server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const n = r.requests.length;
      r.requests.push(req.headers);
      const action = r.script(n);
      if (action === "store" || "storeAfterMs" in action) {
        if (action !== "store") await new Promise((s) => setTimeout(s, action.storeAfterMs));
        const out = await handleRemoteWrite(body, req.headers, db);
        res.writeHead(out.status).end(out.message);
        return;
      }
      if (action.delayMs) await new Promise((s) => setTimeout(s, action.delayMs));
      res.writeHead(action.status, action.headers).end(`scripted ${action.status}`);
    })();
  });
  const port = await listen(r.server);
  r.url = `http://127.0.0.1:${port}/api/v1/write`;
  return r;
}

async function storedSeries(db: DB): Promise<Map<string, number[]>> {
  const q = await db.querier(-1e15, 1e15);
  const out = new Map<string, number[]>();
  for (const s of await q.select(true, undefined, [new Matcher("=~", "__name__", ".+")])) out.set(labelsToString(s.labels), Array.from(s.samples().ts));
  q.close();
  return out;
}

/** Commits `count` samples for each label set, one commit per `perCommit` timestamps. */
async function feed(remote: { appender(): import("../../src/storage/interface.js").Appender }, series: Labels[], count: number, perCommit = count, t0 = 1000): Promise<void> {
  for (let i = 0; i < count; i += perCommit) {
    const app = remote.appender();
    for (let j = i; j < Math.min(count, i + perCommit); j++) series.forEach((l, k) => app.append(k + 1, l, t0 + j * 1000, j));
    await app.commit();
  }
}

const series = (n: number) => Array.from({ length: n }, (_, i) => labelsFromRecord({ __name__: "s", i: String(i) }));

describe("remote write queue", () => {
  const cleanups: (() => Promise<void>)[] = [];
  let remote: RemoteStorage;
  beforeEach(() => {
    remote = new RemoteStorage({ flushDeadlineMs: 2000 });
    cleanups.push(() => remote.close());
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  afterAll(() => tmp.cleanup());

  async function receiver(script: Script): Promise<Receiver> {
    const r = await startReceiver(script);
    cleanups.push(async () => {
      await new Promise<void>((s) => r.server.close(() => s()));
      await r.db.close();
    });
    return r;
  }

  it("batches by max_samples_per_send, sends Prometheus' headers, adds external labels and auth", async () => {
    const r = await receiver(() => "store");
    await remote.applyConfig(
      [
        writeConfig(
          r.url,
          { headers: { "X-Tenant": "t1" }, httpClientConfig: { ...DEFAULT_HTTP_CLIENT, basicAuth: { username: "u", password: "p", passwordFile: "" } } },
          { maxSamplesPerSend: 10, batchSendDeadlineMs: 50, minShards: 1, maxShards: 1 },
        ),
      ],
      [],
      labelsFromRecord({ cluster: "c1", i: "ignored-because-series-has-i" }),
    );
    await feed(remote, series(1), 35, 35);
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesSent === 35, 5000, "35 samples sent");
    expect(r.requests.length).toBe(4);
    const h = r.requests[0];
    expect(h["content-encoding"]).toBe("snappy");
    expect(h["content-type"]).toBe("application/x-protobuf");
    expect(h["x-prometheus-remote-write-version"]).toBe("0.1.0");
    expect(h["user-agent"]).toMatch(/^Prometheus\//);
    expect(h["x-tenant"]).toBe("t1");
    expect(h.authorization).toBe("Basic " + Buffer.from("u:p").toString("base64"));
    // The same counters on /metrics under Prometheus' names; the unnamed config gets a hash name.
    const registry = new Registry();
    registry.register(new RemoteStorageCollector(remote));
    const text = registry.metrics();
    const name = remote.writeMetrics()[0].name;
    expect(name).toMatch(/^[0-9a-f]{6}$/);
    expect(text).toContain(`prometheus_remote_storage_samples_total{remote_name="${name}",url="${r.url}"} 35\n`);
    expect(text).toContain(`prometheus_remote_storage_queue_highest_sent_timestamp_seconds{remote_name="${name}",url="${r.url}"} 35\n`);
    expect(text).toContain(`prometheus_remote_storage_shards{remote_name="${name}",url="${r.url}"} 1\n`);
    const stored = await storedSeries(r.db);
    expect([...stored.keys()]).toEqual(['s{cluster="c1", i="0"}']);
    expect(stored.get('s{cluster="c1", i="0"}')).toEqual(Array.from({ length: 35 }, (_, j) => 1000 + j * 1000));
  });

  it("retries 5xx with backoff and stores each sample once, in order", async () => {
    const r = await receiver((n) => (n < 3 ? { status: 503 } : "store"));
    await remote.applyConfig([writeConfig(r.url, {}, { maxSamplesPerSend: 50, batchSendDeadlineMs: 20, minBackoffMs: 10, maxBackoffMs: 40 })], [], []);
    await feed(remote, series(3), 20, 5);
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesSent === 60, 10_000, "all sent");
    const m = remote.writeMetrics()[0].metrics;
    expect(m.samplesRetried).toBeGreaterThan(0);
    expect(m.samplesFailed).toBe(0);
    const stored = await storedSeries(r.db);
    for (const l of series(3)) expect(stored.get(labelsToString(l))).toEqual(Array.from({ length: 20 }, (_, j) => 1000 + j * 1000));
  });

  it("drops batches the remote rejects with 4xx, and 429 unless retry_on_http_429", async () => {
    const r = await receiver((n) => (n === 0 ? { status: 400 } : n === 1 ? { status: 429 } : "store"));
    await remote.applyConfig([writeConfig(r.url, {}, { maxSamplesPerSend: 5, batchSendDeadlineMs: 20, maxShards: 1 })], [], []);
    await feed(remote, series(1), 5);
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesFailed === 5, 5000, "first batch dropped");
    await feed(remote, series(1), 5, 5, 100_000);
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesFailed === 10, 5000, "second batch dropped");
    await feed(remote, series(1), 5, 5, 200_000);
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesSent === 5, 5000, "third batch stored");
    expect(r.requests.length).toBe(3);
    expect(remote.writeMetrics()[0].metrics.samplesRetried).toBe(0);

    const r2 = await receiver((n) => (n === 0 ? { status: 429, headers: { "Retry-After": "0" } } : "store"));
    await remote.applyConfig([writeConfig(r2.url, {}, { maxSamplesPerSend: 5, batchSendDeadlineMs: 20, retryOnHttp429: true })], [], []);
    await feed(remote, series(1), 5);
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesSent === 5, 5000, "429 retried");
    expect(remote.writeMetrics()[0].metrics.samplesRetried).toBe(5);
    expect(r2.requests.length).toBe(2);
  });

  it("drops series removed by write_relabel_configs and sends nothing rolled back", async () => {
    const r = await receiver(() => "store");
    const rule = { sourceLabels: ["i"], regex: "1", action: "drop" as const, separator: ";", modulus: 0, targetLabel: "", replacement: "$1" };
    await remote.applyConfig([writeConfig(r.url, { writeRelabelConfigs: [rule] }, { batchSendDeadlineMs: 20 })], [], []);
    const app = remote.appender();
    app.append(0, series(3)[2], 500, 1);
    await app.rollback();
    await feed(remote, series(3), 4);
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesSent === 8, 5000, "kept series sent");
    expect(remote.writeMetrics()[0].metrics.samplesDropped).toBe(4);
    const stored = await storedSeries(r.db);
    expect([...stored.keys()]).toEqual(['s{i="0"}', 's{i="2"}']);
    expect(stored.get('s{i="2"}')).toEqual([1000, 2000, 3000, 4000]);
  });

  it("never blocks commits on a slow remote, bounds memory, and flushes on close", async () => {
    let open = false;
    const r = await receiver(() => (open ? "store" : { status: 503, delayMs: 100 }));
    const queue = new WriteQueue({
      name: "q",
      client: new RemoteHttpClient({ url: r.url, timeoutMs: 5000 }),
      queueConfig: { capacity: 10, maxShards: 2, minShards: 2, maxSamplesPerSend: 10, batchSendDeadlineMs: 10, minBackoffMs: 20, maxBackoffMs: 50, retryOnHttp429: false },
      externalLabels: [],
      relabelConfigs: [],
      maxPendingSamples: 50,
      flushDeadlineMs: 5000,
    });
    cleanups.push(() => queue.stop());
    const labels = series(1);
    const ts = Float64Array.from({ length: 100 }, (_, i) => 1000 + i);
    const t = Date.now();
    queue.enqueue(new Float64Array(100).fill(1), new Array<Labels>(100).fill(labels[0]), ts, new Float64Array(100), 100);
    expect(Date.now() - t).toBeLessThan(1000);
    // The first 50 fill the in-memory bound; the rest are dropped and counted.
    expect(queue.metrics.samplesDroppedQueueFull).toBe(50);
    open = true;
    await queue.stop();
    expect(queue.metrics.samplesSent).toBe(50);
    const stored = await storedSeries(r.db);
    expect(stored.get('s{i="0"}')).toEqual(Array.from(ts.subarray(0, 50)));
  });

  it("gives up on pending samples after the flush deadline when the remote stays down", async () => {
    const r = await receiver(() => ({ status: 500 }));
    const queue = new WriteQueue({
      name: "down",
      client: new RemoteHttpClient({ url: r.url, timeoutMs: 1000 }),
      queueConfig: { capacity: 100, maxShards: 1, minShards: 1, maxSamplesPerSend: 10, batchSendDeadlineMs: 10, minBackoffMs: 20, maxBackoffMs: 50, retryOnHttp429: false },
      externalLabels: [],
      relabelConfigs: [],
      flushDeadlineMs: 300,
    });
    queue.enqueue(new Float64Array(25).fill(1), new Array<Labels>(25).fill(series(1)[0]), Float64Array.from({ length: 25 }, (_, i) => i), new Float64Array(25), 25);
    const t = Date.now();
    await queue.stop();
    expect(Date.now() - t).toBeLessThan(3000);
    expect(queue.metrics.samplesFailed).toBe(25);
    expect(queue.metrics.samplesSent).toBe(0);
  });

  it("adds shards when sending falls behind and keeps every series in order", async () => {
    // Each request takes 30ms: one shard cannot keep up with the feed below.
    const r = await receiver(() => ({ storeAfterMs: 30 }));
    const queue = new WriteQueue({
      name: "reshard",
      client: new RemoteHttpClient({ url: r.url, timeoutMs: 5000 }),
      queueConfig: { capacity: 1000, maxShards: 8, minShards: 1, maxSamplesPerSend: 20, batchSendDeadlineMs: 10, minBackoffMs: 20, maxBackoffMs: 50, retryOnHttp429: false },
      externalLabels: [],
      relabelConfigs: [],
      shardUpdateIntervalMs: 150,
      maxPendingSamples: 1e6,
    });
    cleanups.push(() => queue.stop());
    const ls = series(20);
    let t = 1000;
    // Keep feeding until the queue has resharded at least once (or time runs out: a loaded
    // machine feeds slower, so the deadline is generous).
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && queue.metrics.shards === 1) {
      const n = ls.length * 20;
      const refs = new Float64Array(n);
      const labels: Labels[] = [];
      const ts = new Float64Array(n);
      for (let j = 0, k = 0; j < 20; j++, t++) for (let s = 0; s < ls.length; s++, k++) {
        refs[k] = s + 1;
        labels.push(ls[s]);
        ts[k] = t;
      }
      queue.enqueue(refs, labels, ts, new Float64Array(n), n);
      await new Promise((s) => setTimeout(s, 20));
    }
    expect(queue.metrics.shards).toBeGreaterThan(1);
    await queue.stop();
    expect(queue.metrics.samplesFailed).toBe(0);
    const stored = await storedSeries(r.db);
    const total = t - 1000;
    for (const l of ls) expect(stored.get(labelsToString(l))?.length, labelsToString(l)).toBe(total);
  });
});
