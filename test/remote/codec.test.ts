// The hand-written prompb codec against protobufjs (an independent implementation) over
// a schema written from the documented message shapes.
import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { isStaleNaN, STALE_NAN } from "../../src/model/sample.js";
import {
  decodeReadRequest,
  decodeReadResponse,
  decodeWriteRequest,
  encodeChunkedReadResponse,
  encodeLabelsField,
  encodeReadRequest,
  encodeReadResponse,
  writeTimeSeries,
} from "../../src/remote/codec.js";
import { ProtoReader, ProtoWriter } from "../../src/remote/proto-wire.js";
import { decodeXor, encodeXor } from "../../src/wasm/index.js";
import { prompbType } from "../../bench/baseline/prompb.js";

const T = prompbType;
const toObj = (type: string, bytes: Uint8Array) => T(type).toObject(T(type).decode(bytes), { longs: Number, defaults: true, bytes: Array }) as Record<string, unknown>;

describe("remote protobuf codec", () => {
  it("decodes WriteRequests that protobufjs encodes, skipping exemplars and metadata", () => {
    const msg = {
      timeseries: [
        {
          labels: [{ name: "__name__", value: "héllo_ünïcode" }, { name: "job", value: "a" }],
          samples: [
            { value: 1.5, timestamp: 1700000000123 },
            { value: -0.25, timestamp: -5 },
            { value: 0, timestamp: 0 },
            { value: Number.MAX_VALUE, timestamp: 9007199254740991 },
          ],
          exemplars: [{ labels: [{ name: "trace_id", value: "x" }], value: 1, timestamp: 3 }],
        },
        { labels: [{ name: "__name__", value: "b" }], samples: [{ value: Infinity, timestamp: 42 }] },
      ],
      metadata: [{ type: 1, metricFamilyName: "b", help: "h" }],
    };
    const bytes = T("WriteRequest").encode(T("WriteRequest").fromObject(msg)).finish();
    const d = decodeWriteRequest(bytes);
    expect(d.series.map((s) => [s.labels, s.start, s.end])).toEqual([
      [msg.timeseries[0].labels, 0, 4],
      [msg.timeseries[1].labels, 4, 5],
    ]);
    expect(Array.from(d.ts)).toEqual([1700000000123, -5, 0, 9007199254740991, 42]);
    expect(Array.from(d.vs)).toEqual([1.5, -0.25, 0, Number.MAX_VALUE, Infinity]);
    expect([d.exemplars, d.metadata, d.histograms]).toEqual([1, 1, 0]);
  });

  it("grows its sample arrays past the initial estimate", () => {
    const samples = Array.from({ length: 5000 }, (_, i) => ({ value: i, timestamp: i }));
    const bytes = T("WriteRequest").encode(T("WriteRequest").fromObject({ timeseries: [{ labels: [{ name: "a", value: "b" }], samples }] })).finish();
    const d = decodeWriteRequest(bytes);
    expect(d.ts.length).toBe(5000);
    expect(d.vs[4999]).toBe(4999);
  });

  it("rejects truncated messages", () => {
    const bytes = T("WriteRequest").encode(T("WriteRequest").fromObject({ timeseries: [{ labels: [{ name: "a", value: "b" }], samples: [{ value: 1, timestamp: 5 }] }] })).finish();
    for (let cut = 1; cut < bytes.length; cut++) expect(() => decodeWriteRequest(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(/EOF|overruns/);
  });

  it("writes time series protobufjs reads back, stale markers with their exact bits", () => {
    const w = new ProtoWriter(8);
    const ts = new Float64Array([1, -1700000000000, 0, 2 ** 40]);
    const vs = new Float64Array([0.5, STALE_NAN, -0, 1e-300]);
    writeTimeSeries(w, 1, encodeLabelsField(labelsFromRecord({ __name__: "m", "k": "välue" })), ts, vs, 0, 4);
    const bytes = w.finish();
    const o = toObj("WriteRequest", bytes) as { timeseries: { labels: unknown; samples: { value: number; timestamp: number }[] }[] };
    expect(o.timeseries[0].labels).toEqual([{ name: "__name__", value: "m" }, { name: "k", value: "välue" }]);
    expect(o.timeseries[0].samples.map((s) => s.timestamp)).toEqual([1, -1700000000000, 0, 2 ** 40]);
    expect(o.timeseries[0].samples[0].value).toBe(0.5);
    expect(o.timeseries[0].samples[3].value).toBe(1e-300);
    // The stale marker's 8 bytes on the wire are 0x7ff0000000000002, little-endian.
    const marker = Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
    expect(Buffer.from(bytes).includes(marker)).toBe(true);
    expect(isStaleNaN(decodeWriteRequest(bytes).vs[1])).toBe(true);
  });

  it("round-trips ReadRequests through protobufjs in both directions", () => {
    const req = {
      queries: [
        {
          startMs: 1000,
          endMs: 2000,
          matchers: [
            { type: 0 as const, name: "__name__", value: "up" },
            { type: 2 as const, name: "job", value: "a|b" },
            { type: 3 as const, name: "x", value: "" },
          ],
          hints: { stepMs: 15000, func: "rate", startMs: 500, endMs: 2000, grouping: ["job"], by: true, rangeMs: 60000 },
        },
      ],
      acceptedResponseTypes: [1, 0],
    };
    const o = toObj("ReadRequest", encodeReadRequest(req)) as { queries: Record<string, unknown>[]; acceptedResponseTypes: number[] };
    expect(o.acceptedResponseTypes).toEqual([1, 0]);
    expect(o.queries[0].startTimestampMs).toBe(1000);
    expect(o.queries[0].matchers).toEqual(req.queries[0].matchers);
    expect(o.queries[0].hints).toEqual(req.queries[0].hints);
    const pj = T("ReadRequest").encode(T("ReadRequest").fromObject({ ...o })).finish();
    expect(decodeReadRequest(pj)).toEqual(req);
  });

  it("encodes ReadResponses protobufjs reads and decodes ones it writes", () => {
    const results = [
      [{ labels: labelsFromRecord({ __name__: "a", i: "1" }), samples: { ts: new Float64Array([1, 2]), vs: new Float64Array([3, 4]) } }],
      [],
    ];
    const o = toObj("ReadResponse", encodeReadResponse(results)) as { results: { timeseries: { labels: unknown; samples: unknown }[] }[] };
    expect(o.results.length).toBe(2);
    expect(o.results[0].timeseries[0].samples).toEqual([{ value: 3, timestamp: 1 }, { value: 4, timestamp: 2 }]);
    const back = decodeReadResponse(T("ReadResponse").encode(T("ReadResponse").fromObject(o)).finish());
    expect(back[0][0].labels).toEqual(results[0][0].labels);
    expect(Array.from(back[0][0].samples.vs)).toEqual([3, 4]);
    expect(back[1]).toEqual([]);
  });

  it("encodes ChunkedReadResponse frames of XOR chunks", () => {
    const ts = new Float64Array([10, 20, 30]);
    const vs = new Float64Array([1, 2, 3]);
    const data = encodeXor(ts, vs);
    const msg = encodeChunkedReadResponse(labelsFromRecord({ __name__: "m" }), [{ minTimeMs: 10, maxTimeMs: 30, type: 1, data }], 3);
    const o = toObj("ChunkedReadResponse", msg) as { queryIndex: number; chunkedSeries: { chunks: { minTimeMs: number; maxTimeMs: number; type: number; data: number[] }[] }[] };
    expect(o.queryIndex).toBe(3);
    const c = o.chunkedSeries[0].chunks[0];
    expect([c.minTimeMs, c.maxTimeMs, c.type]).toEqual([10, 30, 1]);
    expect(Array.from(decodeXor(new Uint8Array(c.data)).ts)).toEqual([10, 20, 30]);
  });

  it("reads negative int64 varints exactly", () => {
    for (const v of [-1, -1700000000000, -(2 ** 53) + 1, 2 ** 53 - 1, 127, 128, 2 ** 31, 2 ** 32 + 5]) {
      const w = new ProtoWriter(1);
      w.varint(v);
      expect(new ProtoReader(w.finish()).int64()).toBe(v);
      const pj = T("Sample").encode({ timestamp: v }).finish();
      expect(Buffer.from(w.finish())).toEqual(Buffer.from(pj.subarray(1)));
    }
  });
});
