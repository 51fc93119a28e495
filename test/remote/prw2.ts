// io.prometheus.write.v2.Request for protobufjs, restated from the remote write 2.0 spec's
// types.proto (histogram fields trimmed to what the tests send): the independent codec the
// 2.0 tests encode and decode with.
import protobuf from "protobufjs";

const SCHEMA = `
syntax = "proto3";
package io.prometheus.write.v2;
message Request { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
message TimeSeries {
  repeated uint32 labels_refs = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 3;
  repeated Exemplar exemplars = 4;
  Metadata metadata = 5;
}
message Exemplar { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
message Sample { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
message Metadata { int32 type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
message Histogram { uint64 count_int = 1; double sum = 3; sint32 schema = 4; int64 timestamp = 15; }
`;

export const V2Request = protobuf.parse(SCHEMA).root.lookupType("io.prometheus.write.v2.Request");

export interface PlainSeries {
  readonly labels: Record<string, string>;
  readonly samples: readonly [number, number][];
  readonly metadata?: { readonly type: number; readonly help: string; readonly unit: string };
  readonly exemplars?: number;
  readonly histograms?: number;
}

/** Encodes series into a v2 Request with a symbols table built here (labels sorted by name). */
export function encodeV2(series: readonly PlainSeries[]): Uint8Array {
  const symbols = [""];
  const ref = (s: string): number => {
    let i = symbols.indexOf(s);
    if (i < 0) i = symbols.push(s) - 1;
    return i;
  };
  const timeseries = series.map((s) => ({
    labelsRefs: Object.keys(s.labels).sort().flatMap((k) => [ref(k), ref(s.labels[k])]),
    samples: s.samples.map(([timestamp, value]) => ({ timestamp, value })),
    metadata: s.metadata ? { type: s.metadata.type, helpRef: ref(s.metadata.help), unitRef: ref(s.metadata.unit) } : undefined,
    exemplars: Array.from({ length: s.exemplars ?? 0 }, (_, i) => ({ labelsRefs: [ref("trace_id"), ref(`t${i}`)], value: 1, timestamp: s.samples[0]?.[0] ?? 0 })),
    histograms: Array.from({ length: s.histograms ?? 0 }, () => ({ countInt: 1, sum: 1, schema: 0, timestamp: s.samples[0]?.[0] ?? 0 })),
  }));
  return V2Request.encode(V2Request.fromObject({ symbols, timeseries })).finish();
}

/** Decodes a v2 Request into plain series (labels resolved through the symbols). */
export function decodeV2(buf: Uint8Array): PlainSeries[] {
  const req = V2Request.toObject(V2Request.decode(buf), { longs: Number, defaults: true }) as {
    symbols: string[];
    timeseries: { labelsRefs: number[]; samples: { value: number; timestamp: number }[]; metadata?: { type: number; helpRef: number; unitRef: number } }[];
  };
  return req.timeseries.map((ts) => {
    const labels: Record<string, string> = {};
    for (let i = 0; i < ts.labelsRefs.length; i += 2) labels[req.symbols[ts.labelsRefs[i]]] = req.symbols[ts.labelsRefs[i + 1]];
    const md = ts.metadata;
    return {
      labels,
      samples: ts.samples.map((s) => [s.timestamp, s.value] as [number, number]),
      metadata: md && (md.type || md.helpRef || md.unitRef) ? { type: md.type, help: req.symbols[md.helpRef], unit: req.symbols[md.unitRef] } : undefined,
    };
  });
}
