// Streamed remote read over a real TSDB (a compacted block, cut head chunks, the open chunk)
// hands out the stored chunk bytes as they are; chunks cut by the range or holding deleted
// samples are re-encoded. Either way the samples equal what the SAMPLES response holds.
import { join } from "node:path";
import { crc32c } from "@node-rs/crc32";
import { compressSync } from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { decodeChunkedReadResponse, encodeReadRequest, RESPONSE_STREAMED_XOR_CHUNKS, type EncodedChunk } from "../../src/remote/codec.js";
import { RemoteHttpClient } from "../../src/remote/http-client.js";
import { RemoteReadClient } from "../../src/remote/read-client.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { decodeXorMany } from "../../src/wasm/index.js";
import { tempDir } from "../helpers/reference.js";
import { startRemoteEndpoint, type RemoteEndpoint } from "./helpers.js";

const N = 1200; // 5 h of 15 s samples: a block once compacted, then cut and open head chunks
const T0 = 100_000;
const at = (i: number): number => T0 + i * 15_000;

/** The chunks of every series in a streamed response, frames joined. */
async function streamedChunks(base: string, mint: number, maxt: number): Promise<Map<string, EncodedChunk[]>> {
  const req = encodeReadRequest({
    queries: [{ startMs: mint, endMs: maxt, matchers: [{ type: 0, name: "__name__", value: "m" }], hints: undefined }],
    acceptedResponseTypes: [RESPONSE_STREAMED_XOR_CHUNKS],
  });
  const res = await fetch(`${base}/api/v1/read`, { method: "POST", body: new Uint8Array(compressSync(Buffer.from(req))), headers: { "Content-Encoding": "snappy" } });
  expect(res.status).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  const out = new Map<string, EncodedChunk[]>();
  let p = 0;
  while (p < body.length) {
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = body[p++];
      size += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const msg = body.subarray(p + 4, p + 4 + size);
    expect(crc32c(msg)).toBe(body.readUInt32BE(p));
    p += 4 + size;
    for (const s of decodeChunkedReadResponse(msg).series) {
      const key = labelsToString(s.labels);
      out.set(key, [...(out.get(key) ?? []), ...s.chunks]);
    }
  }
  return out;
}

describe("streamed remote read of stored chunks", () => {
  const tmp = tempDir("remote-read-chunks");
  let db: DB;
  let raw: RemoteEndpoint;
  let encoded: RemoteEndpoint;
  beforeAll(async () => {
    db = await openDB(join(tmp.dir, "db"));
    const app = db.appender();
    for (let i = 0; i < N; i++) {
      app.append(0, labelsFromRecord({ __name__: "m", job: "a" }), at(i), Math.sin(i));
      app.append(0, labelsFromRecord({ __name__: "m", job: "b" }), at(i), i);
    }
    await app.commit();
    await db.compact();
    raw = await startRemoteEndpoint({ queryable: db, readOptions: { chunks: db, maxBytesInFrame: 2000 } });
    encoded = await startRemoteEndpoint({ queryable: db, readOptions: { maxBytesInFrame: 2000 } });
  });
  afterAll(async () => {
    await raw.close();
    await encoded.close();
    await db.close();
    tmp.cleanup();
  });

  const samplesVia = async (base: string, streamed: boolean, mint: number, maxt: number) => {
    const c = new RemoteReadClient({
      name: "t",
      client: new RemoteHttpClient({ url: `${base}/api/v1/read`, timeoutMs: 5000 }),
      externalLabels: [],
      requiredMatchers: {},
      readRecent: true,
      filterExternalLabels: true,
      streamed,
    });
    const q = await c.querier(mint, maxt);
    const got = await q.select(true, undefined, [new Matcher("=", "__name__", "m")]);
    q.close();
    c.close();
    return got.map((s) => ({ labels: labelsToString(s.labels), ts: Array.from(s.samples().ts), vs: Array.from(s.samples().vs) }));
  };

  it("sends the stored bytes of every chunk inside the range", async () => {
    expect(db.blocks().length).toBeGreaterThan(0);
    const stored = await db.seriesChunks([new Matcher("=", "__name__", "m")], 0, at(N));
    const sent = await streamedChunks(raw.base, 0, at(N));
    expect([...sent.keys()]).toEqual(stored.map((s) => labelsToString(s.labels)));
    for (const s of stored) {
      const chunks = sent.get(labelsToString(s.labels))!;
      expect(chunks.map((c) => [c.minTimeMs, c.maxTimeMs])).toEqual(s.chunks.map((c) => [c.mint, c.maxt]));
      for (let k = 0; k < chunks.length; k++) expect(Buffer.from(chunks[k].data).equals(Buffer.from(s.chunks[k].data))).toBe(true);
      expect(s.chunks.some((c) => c.source.startsWith("block"))).toBe(true);
      expect(s.chunks.some((c) => c.source === "head")).toBe(true);
    }
    expect(await samplesVia(raw.base, true, 0, at(N))).toEqual(await samplesVia(encoded.base, false, 0, at(N)));
  });

  it("re-encodes the chunks a range cuts, keeping only samples inside it", async () => {
    const [mint, maxt] = [at(130), at(1000)];
    const sent = await streamedChunks(raw.base, mint, maxt);
    const a = sent.get('m{job="a"}')!;
    const decoded = decodeXorMany(a.map((c) => c.data));
    expect(decoded.ts[0]).toBe(mint);
    expect(decoded.ts[decoded.ts.length - 1]).toBe(maxt);
    expect(decoded.ts.length).toBe(871);
    expect(await samplesVia(raw.base, true, mint, maxt)).toEqual(await samplesVia(encoded.base, false, mint, maxt));
  });

  it("leaves out samples tombstones delete", async () => {
    await db.deleteSeries([new Matcher("=", "job", "b")], at(50), at(59));
    await db.deleteSeries([new Matcher("=", "job", "b")], at(1150), at(1159));
    const got = await samplesVia(raw.base, true, 0, at(N));
    const b = got.find((s) => s.labels === 'm{job="b"}')!;
    expect(b.ts.length).toBe(N - 20);
    expect(b.ts.includes(at(55)) || b.ts.includes(at(1155))).toBe(false);
    expect(got).toEqual(await samplesVia(encoded.base, false, 0, at(N)));
  });
});
