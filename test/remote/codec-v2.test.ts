// The remote write 2.0 codec against protobufjs built from the spec's schema (test/remote/prw2.ts):
// what promwasm encodes decodes there, what protobufjs encodes decodes here.
import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { decodeWriteRequestV2, WriteRequestV2Encoder } from "../../src/remote/codec-v2.js";
import { BadRequestError } from "../../src/remote/errors.js";
import { decodeV2, encodeV2, V2Request } from "./prw2.js";

describe("remote write 2.0 codec", () => {
  it("encodes requests protobufjs reads back: shared symbols, metadata, negative and large timestamps", () => {
    const enc = new WriteRequestV2Encoder();
    const a = labelsFromRecord({ __name__: "http_requests_total", job: "api", code: "200" });
    const b = labelsFromRecord({ __name__: "temperature", job: "api", room: "ü" });
    const md = { type: "counter" as const, help: "Requests served.", unit: "" };
    const body = enc.encode([a, b, a], [md, undefined, md], [1_700_000_000_000, -5, 2 ** 52], [1, -0.5, Number.MAX_VALUE], 3);
    const plain = decodeV2(body);
    expect(plain).toEqual([
      { labels: { __name__: "http_requests_total", code: "200", job: "api" }, samples: [[1_700_000_000_000, 1]], metadata: { type: 1, help: "Requests served.", unit: "" } },
      { labels: { __name__: "temperature", job: "api", room: "ü" }, samples: [[-5, -0.5]], metadata: undefined },
      { labels: { __name__: "http_requests_total", code: "200", job: "api" }, samples: [[2 ** 52, Number.MAX_VALUE]], metadata: { type: 1, help: "Requests served.", unit: "" } },
    ]);
    const symbols = (V2Request.toObject(V2Request.decode(body)) as { symbols: string[] }).symbols;
    expect(symbols[0]).toBe("");
    expect(new Set(symbols).size).toBe(symbols.length);
    // Reused for the next request without leaking the previous symbols.
    const again = decodeV2(enc.encode([b], [undefined], [1], [2], 1));
    expect(again).toEqual([{ labels: { __name__: "temperature", job: "api", room: "ü" }, samples: [[1, 2]], metadata: undefined }]);
  });

  it("decodes what protobufjs encodes, counting exemplars and histograms", () => {
    const body = encodeV2([
      { labels: { __name__: "up", job: "x" }, samples: [[1000, 1], [2000, 0]], metadata: { type: 2, help: "Up.", unit: "" }, exemplars: 2 },
      { labels: { __name__: "latency", job: "x" }, samples: [], histograms: 1 },
    ]);
    const req = decodeWriteRequestV2(body);
    expect(req.series.map((s) => ({ labels: s.labels, n: s.end - s.start, ex: s.exemplars, h: s.histograms, md: s.metadata }))).toEqual([
      { labels: [{ name: "__name__", value: "up" }, { name: "job", value: "x" }], n: 2, ex: 2, h: 0, md: { type: "gauge", help: "Up.", unit: "" } },
      { labels: [{ name: "__name__", value: "latency" }, { name: "job", value: "x" }], n: 0, ex: 0, h: 1, md: undefined },
    ]);
    expect(Array.from(req.ts)).toEqual([1000, 2000]);
    expect(Array.from(req.vs)).toEqual([1, 0]);
  });

  it("refuses references outside the symbols table and odd label refs", () => {
    const bad = V2Request.encode(V2Request.fromObject({ symbols: ["", "__name__"], timeseries: [{ labelsRefs: [1, 7] }] })).finish();
    expect(() => decodeWriteRequestV2(bad)).toThrow(BadRequestError);
    expect(() => decodeWriteRequestV2(bad)).toThrow("label value ref 7 is outside the 2 symbols of the request");
    const odd = V2Request.encode(V2Request.fromObject({ symbols: ["", "a"], timeseries: [{ labelsRefs: [1] }] })).finish();
    expect(() => decodeWriteRequestV2(odd)).toThrow("labels_refs of a series has odd length 1");
  });
});
