// The remote read handler over real HTTP and a real TSDB, read by our client in both
// response types, plus the protocol's error cases.
import { join } from "node:path";
import { compressSync, uncompressSync } from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { encodeReadRequest, decodeReadResponse } from "../../src/remote/codec.js";
import { RemoteHttpClient } from "../../src/remote/http-client.js";
import { RemoteReadClient } from "../../src/remote/read-client.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";
import { startRemoteEndpoint, type RemoteEndpoint } from "./helpers.js";

const N = 1000; // samples per series: several XOR chunks, several frames

describe("remote read handler", () => {
  const tmp = tempDir("remote-read-handler");
  let db: DB;
  let ep: RemoteEndpoint;
  let limited: RemoteEndpoint;
  beforeAll(async () => {
    db = await openDB(join(tmp.dir, "db"));
    const app = db.appender();
    for (let i = 0; i < N; i++) {
      app.append(0, labelsFromRecord({ __name__: "m", job: "a" }), 100_000 + i * 15_000, Math.sin(i));
      app.append(0, labelsFromRecord({ __name__: "m", job: "b", dc: "east" }), 100_000 + i * 15_000, i);
    }
    await app.commit();
    // dc="west" is this server's external label; the second series has its own dc.
    ep = await startRemoteEndpoint({ queryable: db, externalLabels: labelsFromRecord({ dc: "west" }), readOptions: { maxBytesInFrame: 2000 } });
    limited = await startRemoteEndpoint({ queryable: db, readOptions: { sampleLimit: 100 } });
  });
  afterAll(async () => {
    await ep.close();
    await limited.close();
    await db.close();
    tmp.cleanup();
  });

  const client = (base: string, streamed: boolean, externalLabels = labelsFromRecord({})) =>
    new RemoteReadClient({
      name: "t",
      client: new RemoteHttpClient({ url: `${base}/api/v1/read`, timeoutMs: 5000 }),
      externalLabels,
      requiredMatchers: {},
      readRecent: true,
      filterExternalLabels: true,
      streamed,
    });

  for (const streamed of [true, false]) {
    it(`serves ${streamed ? "streamed XOR chunks" : "samples"} with external labels added and matched`, async () => {
      const c = client(ep.base, streamed);
      const q = await c.querier(0, 100_000 + N * 15_000);
      // dc="west" is satisfied by the external label and removed before selecting.
      const got = await q.select(true, undefined, [new Matcher("=", "__name__", "m"), new Matcher("=", "dc", "west")]);
      q.close();
      // The series' own dc="east" wins over the external label, as in Prometheus.
      expect(got.map((s) => labelsToString(s.labels))).toEqual(['m{dc="east", job="b"}', 'm{dc="west", job="a"}']);
      const a = got[1].samples();
      expect(a.ts.length).toBe(N);
      expect(a.ts[N - 1]).toBe(100_000 + (N - 1) * 15_000);
      for (let i = 0; i < N; i++) if (a.vs[i] !== Math.sin(i)) throw new Error(`sample ${i}: ${a.vs[i]} != ${Math.sin(i)}`);
      const b = got[0].samples();
      expect(Array.from(b.vs.subarray(0, 3))).toEqual([0, 1, 2]);
      c.close();
    });
  }

  it("limits samples to the query range and honours regex matchers", async () => {
    const c = client(ep.base, true);
    const q = await c.querier(100_000 + 10 * 15_000, 100_000 + 19 * 15_000);
    const got = await q.select(true, undefined, [new Matcher("=~", "job", "a|z")]);
    q.close();
    expect(got.map((s) => [labelsToString(s.labels), s.samples().ts.length])).toEqual([['m{dc="west", job="a"}', 10]]);
    c.close();
  });

  it("turns the client's external labels into matchers and strips them", async () => {
    // A client whose own external label is dc="west" asks only for dc="west" series.
    const c = client(ep.base, false, labelsFromRecord({ dc: "west" }));
    const q = await c.querier(0, 100_000 + N * 15_000);
    const got = await q.select(true, undefined, [new Matcher("=", "job", "a")]);
    q.close();
    expect(got.map((s) => labelsToString(s.labels))).toEqual(['m{job="a"}']);
    c.close();
    // With external label dc="north" the added matcher selects nothing on this server.
    const north = client(ep.base, false, labelsFromRecord({ dc: "north" }));
    const qn = await north.querier(0, 100_000 + N * 15_000);
    expect(await qn.select(true, undefined, [new Matcher("=", "__name__", "m")])).toEqual([]);
    qn.close();
    north.close();
  });

  it("answers 400 for bad bodies, unknown response types and too many samples", async () => {
    const post = (base: string, body: Uint8Array) =>
      fetch(`${base}/api/v1/read`, { method: "POST", body: new Uint8Array(body), headers: { "Content-Encoding": "snappy" } }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const notSnappy = await post(ep.base, Buffer.from("definitely not snappy"));
    expect(notSnappy.status).toBe(400);
    expect(notSnappy.text).toMatch(/snappy/);
    const req = encodeReadRequest({ queries: [{ startMs: 0, endMs: 1e12, matchers: [{ type: 0, name: "__name__", value: "m" }], hints: undefined }], acceptedResponseTypes: [] });
    const truncated = await post(ep.base, compressSync(Buffer.from(req.subarray(0, req.length - 2))));
    expect(truncated.status).toBe(400);
    expect(truncated.text).toMatch(/protobuf ReadRequest/);
    const unknown = encodeReadRequest({ queries: [], acceptedResponseTypes: [7] });
    const u = await post(ep.base, compressSync(Buffer.from(unknown)));
    expect(u.status).toBe(400);
    expect(u.text).toMatch(/does not support any of the requested response types/);
    const badRe = encodeReadRequest({ queries: [{ startMs: 0, endMs: 1, matchers: [{ type: 2, name: "x", value: "(" }], hints: undefined }], acceptedResponseTypes: [] });
    const r = await post(ep.base, compressSync(Buffer.from(badRe)));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/invalid regular expression/);
    const over = await post(limited.base, compressSync(Buffer.from(req)));
    expect(over.status).toBe(400);
    expect(over.text).toMatch(/exceeded sample limit \(100\)/);
  });

  it("defaults to a snappy SAMPLES response when no type is requested", async () => {
    const req = encodeReadRequest({ queries: [{ startMs: 0, endMs: 1e12, matchers: [{ type: 0, name: "job", value: "a" }], hints: undefined }], acceptedResponseTypes: [] });
    const res = await fetch(`${ep.base}/api/v1/read`, { method: "POST", body: new Uint8Array(compressSync(Buffer.from(req))), headers: { "Content-Encoding": "snappy" } });
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect(res.headers.get("content-encoding")).toBe("snappy");
    const results = decodeReadResponse(uncompressSync(Buffer.from(await res.arrayBuffer())) as Buffer);
    expect(results.length).toBe(1);
    expect(results[0].map((s) => labelsToString(s.labels))).toEqual(['m{dc="west", job="a"}']);
  });
});
