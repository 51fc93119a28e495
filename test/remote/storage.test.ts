// RemoteStorage configuration: reloads keep unchanged queues, bad configs change nothing,
// and remote read honours read_recent and required_matchers (checked on the wire).
import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT } from "../../src/config/types.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { decodeReadRequest, encodeReadResponse, type ReadRequest } from "../../src/remote/codec.js";
import { decodeSnappy, encodeSnappy } from "../../src/remote/snappy.js";
import { RemoteStorage } from "../../src/remote/storage.js";
import { freePort, listen } from "../helpers/reference.js";
import { readBody, readConfig, writeConfig } from "./helpers.js";

/** A remote-read server that records requests and answers one fixed series; 204 for writes. */
async function recordingServer(): Promise<{ base: string; reads: ReadRequest[]; writes: number; server: Server }> {
  const st = { base: "", reads: [] as ReadRequest[], writes: 0, server: undefined as unknown as Server };
  st.server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.url?.startsWith("/write")) {
        st.writes++;
        res.writeHead(204).end();
        return;
      }
      const rr = decodeReadRequest(decodeSnappy(body, 1 << 20));
      st.reads.push(rr);
      const series = [{ labels: labelsFromRecord({ __name__: "r", env: "prod" }), samples: { ts: new Float64Array([rr.queries[0].startMs]), vs: new Float64Array([1]) } }];
      res.writeHead(200, { "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy" }).end(encodeSnappy(encodeReadResponse([series])));
    })();
  });
  const port = await listen(st.server);
  st.base = `http://127.0.0.1:${port}`;
  return st;
}

describe("remote storage", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  });

  it("keeps unchanged queues across reloads, flushes removed ones, and rejects bad configs whole", async () => {
    const srv = await recordingServer();
    servers.push(srv.server);
    const remote = new RemoteStorage({ flushDeadlineMs: 1000 });
    const a = writeConfig(`${srv.base}/write/a`, { name: "a" }, { batchSendDeadlineMs: 60_000 });
    const b = writeConfig(`${srv.base}/write/b`, { name: "b" }, { batchSendDeadlineMs: 60_000 });
    await remote.applyConfig([a], [], []);
    const app = remote.appender();
    app.append(1, labelsFromRecord({ __name__: "x" }), 1000, 1);
    await app.commit();
    const before = remote.writeMetrics()[0].metrics;
    expect(before.samplesPending).toBe(1);
    await remote.applyConfig([a, b], [], []);
    // Same queue object: its pending sample is still there, nothing was sent yet.
    expect(remote.writeMetrics().map((q) => q.name)).toEqual(["a", "b"]);
    expect(remote.writeMetrics()[0].metrics).toBe(before);
    expect(srv.writes).toBe(0);
    // Dropping "a" flushes it on the way out.
    await remote.applyConfig([b], [], []);
    expect(srv.writes).toBe(1);
    expect(before.samplesSent).toBe(1);
    await expect(remote.applyConfig([b, writeConfig(`${srv.base}/write/c`, { httpClientConfig: { ...DEFAULT_HTTP_CLIENT, proxyUrl: "socks5://proxy:1080" } })], [], [])).rejects.toThrow(/only http:\/\/ proxies are supported/);
    await expect(remote.applyConfig([b, b], [], [])).rejects.toThrow(/duplicate remote write configs/);
    expect(remote.writeMetrics().map((q) => q.name)).toEqual(["b"]);
    await remote.close();
    await expect(remote.applyConfig([], [], [])).rejects.toThrow(/closed/);
  });

  it("with read_recent false asks only for what local storage may lack", async () => {
    const srv = await recordingServer();
    servers.push(srv.server);
    const local = 50_000;
    const remote = new RemoteStorage({ localStartTime: () => local });
    await remote.applyConfig([], [readConfig(`${srv.base}/read`, { readRecent: false })], []);
    const q1 = await remote.querier(10_000, 90_000);
    expect((await q1.select(false, undefined, [new Matcher("=", "__name__", "r")])).length).toBe(1);
    q1.close();
    expect(srv.reads.map((r) => [r.queries[0].startMs, r.queries[0].endMs])).toEqual([[10_000, 50_000]]);
    // Entirely newer than local data: no request at all.
    const q2 = await remote.querier(60_000, 90_000);
    expect(await q2.select(false, undefined, [new Matcher("=", "__name__", "r")])).toEqual([]);
    q2.close();
    expect(srv.reads.length).toBe(1);
    await remote.close();
  });

  it("sends queries only when required_matchers are present, with external labels as matchers", async () => {
    const srv = await recordingServer();
    servers.push(srv.server);
    const remote = new RemoteStorage();
    await remote.applyConfig([], [readConfig(`${srv.base}/read`, { requiredMatchers: { env: "prod" } })], labelsFromRecord({ region: "eu" }));
    const q = await remote.querier(0, 1000);
    expect(await q.select(false, undefined, [new Matcher("=", "__name__", "r")])).toEqual([]);
    expect(await q.select(false, undefined, [new Matcher("=~", "env", "prod")])).toEqual([]);
    expect(srv.reads.length).toBe(0);
    const got = await q.select(false, { start: 0, end: 1000, func: "rate" }, [new Matcher("=", "env", "prod")]);
    q.close();
    expect(got.length).toBe(1);
    const sent = srv.reads[0].queries[0];
    expect(sent.matchers).toEqual([
      { type: 0, name: "env", value: "prod" },
      { type: 0, name: "region", value: "eu" },
    ]);
    expect(sent.hints?.func).toBe("rate");
    expect(srv.reads[0].acceptedResponseTypes).toEqual([1, 0]);
    await remote.close();
  });

  it("reports an unreachable read endpoint from its querier; the merged querier answers without it", async () => {
    const port = await freePort();
    const remote = new RemoteStorage();
    await remote.applyConfig([], [readConfig(`http://127.0.0.1:${port}/read`)], []);
    const direct = await remote.queryables[0].querier(0, 1000);
    await expect(direct.select(false, undefined, [new Matcher("=", "__name__", "r")])).rejects.toThrow(/remote read/);
    const merged = await remote.querier(0, 1000);
    expect(await merged.select(false, undefined, [new Matcher("=", "__name__", "r")])).toEqual([]);
    await remote.close();
  });
});
