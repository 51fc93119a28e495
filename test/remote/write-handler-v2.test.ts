// The remote write receiver taking 2.0 requests (encoded with protobufjs from the spec's
// schema) over real HTTP into a real TSDB: content negotiation, the Written headers, metadata,
// partial writes for native histograms, and 415 for what it does not take.
import { join } from "node:path";
import { compressSync } from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsToRecord, labelsToString, type Labels } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import type { SeriesMetadata } from "../../src/remote/codec-v2.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { prompbType } from "../../bench/baseline/prompb.js";
import { tempDir } from "../helpers/reference.js";
import { startRemoteEndpoint, type RemoteEndpoint } from "./helpers.js";
import { encodeV2 } from "./prw2.js";

const V2_TYPE = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

describe("remote write 2.0 receiver", () => {
  const tmp = tempDir("remote-write-v2");
  let db: DB;
  let ep: RemoteEndpoint;
  const metadata: [Record<string, string>, SeriesMetadata][] = [];
  beforeAll(async () => {
    db = await openDB(join(tmp.dir, "db"));
    ep = await startRemoteEndpoint({ appendable: db, writeOptions: { onMetadata: (l: Labels, md) => metadata.push([labelsToRecord(l), md]) } });
  });
  afterAll(async () => {
    await ep.close();
    await db.close();
    tmp.cleanup();
  });

  async function post(body: Uint8Array, contentType: string) {
    const res = await fetch(`${ep.base}/api/v1/write`, { method: "POST", body: compressSync(Buffer.from(body)), headers: { "Content-Type": contentType, "Content-Encoding": "snappy", "X-Prometheus-Remote-Write-Version": "2.0.0" } });
    const written = (k: string) => res.headers.get(`x-prometheus-remote-write-${k}-written`);
    return { status: res.status, text: await res.text(), samples: written("samples"), histograms: written("histograms"), exemplars: written("exemplars") };
  }

  async function stored(name: string): Promise<string[]> {
    const q = await db.querier(0, 10_000_000);
    const series = await q.select(true, undefined, [new Matcher("=", "__name__", name)]);
    q.close();
    return series.map((s) => `${labelsToString(s.labels)} ${Array.from(s.samples().ts).join(",")}/${Array.from(s.samples().vs).join(",")}`);
  }

  it("stores samples, answers 204 with the Written counts and hands on metadata", async () => {
    const body = encodeV2([
      { labels: { __name__: "jobs_done_total", job: "w", instance: "a:1" }, samples: [[1000, 1], [2000, 3]], metadata: { type: 1, help: "Jobs done.", unit: "" }, exemplars: 1 },
      { labels: { __name__: "queue_bytes", job: "w", instance: "a:1" }, samples: [[1000, 512]], metadata: { type: 2, help: "Queue size.", unit: "bytes" } },
    ]);
    const r = await post(body, V2_TYPE);
    // Exemplars are counted but not stored (no exemplar storage), as Prometheus without it.
    expect(r).toEqual({ status: 204, text: "", samples: "3", histograms: "0", exemplars: "0" });
    expect(await stored("jobs_done_total")).toEqual(['jobs_done_total{instance="a:1", job="w"} 1000,2000/1,3']);
    expect(metadata).toEqual([
      [{ __name__: "jobs_done_total", job: "w", instance: "a:1" }, { type: "counter", help: "Jobs done.", unit: "" }],
      [{ __name__: "queue_bytes", job: "w", instance: "a:1" }, { type: "gauge", help: "Queue size.", unit: "bytes" }],
    ]);
  });

  it("writes the float samples but answers 400 for native histograms, saying how many were refused", async () => {
    const body = encodeV2([
      { labels: { __name__: "ok_gauge", job: "w" }, samples: [[5000, 7]] },
      { labels: { __name__: "latency", job: "w" }, samples: [], histograms: 2 },
    ]);
    const r = await post(body, V2_TYPE);
    expect(r.status).toBe(400);
    expect(r.text).toBe("2 native histogram samples rejected: promwasm does not support native histograms yet");
    expect([r.samples, r.histograms]).toEqual(["1", "0"]);
    expect(await stored("ok_gauge")).toEqual(['ok_gauge{job="w"} 5000/7']);
  });

  it("takes 1.0 requests, with or without the proto parameter, and sends no Written headers for them", async () => {
    const WriteRequest = prompbType("WriteRequest");
    const v1 = WriteRequest.encode(WriteRequest.fromObject({ timeseries: [{ labels: [{ name: "__name__", value: "v1_metric" }], samples: [{ value: 1, timestamp: 1000 }] }] })).finish();
    for (const type of ["application/x-protobuf", "application/x-protobuf;proto=prometheus.WriteRequest"]) {
      const r = await post(v1, type);
      expect(r).toMatchObject({ status: 204, samples: null });
    }
    expect(await stored("v1_metric")).toEqual(["v1_metric 1000/1"]);
  });

  it.each([
    ["application/x-protobuf;proto=io.prometheus.write.v3.Request", 'unknown remote write protobuf message "io.prometheus.write.v3.Request"'],
    ["application/json", 'unsupported Content-Type "application/json"'],
  ])("answers 415 to %s", async (type, message) => {
    const r = await post(encodeV2([{ labels: { __name__: "never", job: "w" }, samples: [[1000, 1]] }]), type);
    expect(r.status).toBe(415);
    expect(r.text).toContain(message);
    expect(await stored("never")).toEqual([]);
  });

  it("answers 400, storing nothing, for a reference outside the symbols", async () => {
    const { V2Request } = await import("./prw2.js");
    const bad = V2Request.encode(V2Request.fromObject({ symbols: ["", "__name__", "bad_ref"], timeseries: [{ labelsRefs: [1, 2], samples: [{ value: 1, timestamp: 1000 }] }, { labelsRefs: [1, 9], samples: [{ value: 1, timestamp: 1000 }] }] })).finish();
    const r = await post(bad, V2_TYPE);
    expect(r).toMatchObject({ status: 400, samples: "0" });
    expect(r.text).toContain("label value ref 9 is outside the 3 symbols of the request");
    expect(await stored("bad_ref")).toEqual([]);
  });
});
