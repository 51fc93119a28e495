// The remote protocol's messages (prompb, remote protocol v1) over proto-wire.ts.
// Field numbers follow prometheus/prompb types.proto and remote.proto:
//   WriteRequest{1 timeseries, 3 metadata}; TimeSeries{1 labels, 2 samples, 3 exemplars, 4 histograms}
//   Label{1 name, 2 value}; Sample{1 value double, 2 timestamp int64}
//   ReadRequest{1 queries, 2 accepted_response_types}; Query{1 start, 2 end, 3 matchers, 4 hints}
//   LabelMatcher{1 type, 2 name, 3 value}; ReadHints{1 step, 2 func, 3 start, 4 end, 5 grouping, 6 by, 7 range}
//   ReadResponse{1 results}; QueryResult{1 timeseries}
//   ChunkedReadResponse{1 chunked_series, 2 query_index}; ChunkedSeries{1 labels, 2 chunks}
//   Chunk{1 min_time_ms, 2 max_time_ms, 3 type, 4 data}
import type { Label, Labels } from "../model/labels.js";
import type { SampleBatch } from "../model/sample.js";
import { ProtoDecodeError } from "./errors.js";
import { ProtoReader, ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, utf8Bytes, varintSize } from "./proto-wire.js";

/** One series of a decoded write request; its samples are ts/vs[start, end) of the request. */
export interface WriteSeries {
  /** In the order they were sent (the receiver checks sortedness). */
  readonly labels: Label[];
  readonly start: number;
  readonly end: number;
}

export interface DecodedWriteRequest {
  readonly series: WriteSeries[];
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly exemplars: number;
  readonly histograms: number;
  readonly metadata: number;
}

/**
 * Samples of a request in two growing flat arrays, not per-sample objects. Sample messages
 * of both protocol versions start {1 value double, 2 timestamp int64}; other fields are skipped.
 */
export class SampleArrays {
  ts: Float64Array;
  vs: Float64Array;
  n = 0;

  /** Sized for a request of bodyBytes: a Sample takes at least 2 bytes, typically 11 to 20. */
  constructor(bodyBytes: number) {
    this.ts = new Float64Array(Math.max(64, bodyBytes >>> 4));
    this.vs = new Float64Array(this.ts.length);
  }

  /** Reads one length-delimited Sample at r. */
  read(r: ProtoReader): void {
    const se = r.lenEnd();
    let t = 0;
    let v = 0;
    while (r.pos < se) {
      const t3 = r.tag();
      if (t3 === ((1 << 3) | WIRE_FIXED64)) v = r.double();
      else if (t3 === ((2 << 3) | WIRE_VARINT)) t = r.int64();
      else r.skip(t3 & 7);
    }
    if (r.pos !== se) throw new ProtoDecodeError("sample overruns its length");
    if (this.n === this.ts.length) {
      const ts = new Float64Array(this.ts.length * 2);
      const vs = new Float64Array(ts.length);
      ts.set(this.ts);
      vs.set(this.vs);
      this.ts = ts;
      this.vs = vs;
    }
    this.ts[this.n] = t;
    this.vs[this.n++] = v;
  }
}

/** Decodes an uncompressed WriteRequest; samples land in two flat arrays, not per-sample objects. */
export function decodeWriteRequest(buf: Uint8Array): DecodedWriteRequest {
  const r = new ProtoReader(buf);
  const series: WriteSeries[] = [];
  const samples = new SampleArrays(buf.length);
  let exemplars = 0;
  let histograms = 0;
  let metadata = 0;
  while (!r.done()) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) {
      const end = r.lenEnd();
      const labels: Label[] = [];
      const start = samples.n;
      while (r.pos < end) {
        const t2 = r.tag();
        const f2 = t2 >>> 3;
        if (f2 === 1 && (t2 & 7) === WIRE_LEN) {
          labels.push(readLabel(r, r.lenEnd()));
        } else if (f2 === 2 && (t2 & 7) === WIRE_LEN) {
          samples.read(r);
        } else {
          if (f2 === 3) exemplars++;
          else if (f2 === 4) histograms++;
          r.skip(t2 & 7);
        }
      }
      if (r.pos !== end) throw new ProtoDecodeError("time series overruns its length");
      series.push({ labels, start, end: samples.n });
    } else {
      if (field === 3) metadata++;
      r.skip(wire);
    }
  }
  return { series, ts: samples.ts.subarray(0, samples.n), vs: samples.vs.subarray(0, samples.n), exemplars, histograms, metadata };
}

function readLabel(r: ProtoReader, end: number): Label {
  let name = "";
  let value = "";
  while (r.pos < end) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_LEN)) name = r.string();
    else if (t === ((2 << 3) | WIRE_LEN)) value = r.string();
    else r.skip(t & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError("label overruns its length");
  return { name, value };
}

/** The Label messages of a series as TimeSeries field 1 entries, encoded once and reused per send. */
export function encodeLabelsField(labels: Labels): Uint8Array {
  const w = new ProtoWriter(64);
  writeLabels(w, 1, labels);
  return w.finish().slice();
}

function labelSize(nameBytes: number, valueBytes: number): number {
  let n = 0;
  if (nameBytes > 0) n += 1 + varintSize(nameBytes) + nameBytes;
  if (valueBytes > 0) n += 1 + varintSize(valueBytes) + valueBytes;
  return n;
}

function writeLabels(w: ProtoWriter, field: number, labels: Labels): void {
  for (const l of labels) {
    const nb = utf8Bytes(l.name);
    const vb = utf8Bytes(l.value);
    w.tag(field, WIRE_LEN);
    w.varint(labelSize(nb.length, vb.length));
    if (nb.length > 0) w.bytesField(1, nb);
    if (vb.length > 0) w.bytesField(2, vb);
  }
}

function sampleSize(t: number): number {
  return 9 + (t === 0 ? 0 : 1 + varintSize(t));
}

/** Appends one TimeSeries (field `field` of the enclosing message) with samples [start, end). */
export function writeTimeSeries(w: ProtoWriter, field: number, labelsField: Uint8Array, ts: ArrayLike<number>, vs: ArrayLike<number>, start: number, end: number): void {
  let size = labelsField.length;
  for (let i = start; i < end; i++) {
    const s = sampleSize(ts[i]);
    size += 1 + varintSize(s) + s;
  }
  w.tag(field, WIRE_LEN);
  w.varint(size);
  w.raw(labelsField);
  for (let i = start; i < end; i++) {
    const t = ts[i];
    w.tag(2, WIRE_LEN);
    w.varint(sampleSize(t));
    w.doubleField(1, vs[i]);
    w.int64Field(2, t);
  }
}

export type MatcherTypeCode = 0 | 1 | 2 | 3; // EQ, NEQ, RE, NRE

export interface ProtoMatcher {
  readonly type: MatcherTypeCode;
  readonly name: string;
  readonly value: string;
}

export interface ReadHints {
  readonly stepMs: number;
  readonly func: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly grouping: readonly string[];
  readonly by: boolean;
  readonly rangeMs: number;
}

export interface ReadQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly matchers: readonly ProtoMatcher[];
  readonly hints: ReadHints | undefined;
}

export const RESPONSE_SAMPLES = 0;
export const RESPONSE_STREAMED_XOR_CHUNKS = 1;

export interface ReadRequest {
  readonly queries: readonly ReadQuery[];
  readonly acceptedResponseTypes: readonly number[];
}

export function decodeReadRequest(buf: Uint8Array): ReadRequest {
  const r = new ProtoReader(buf);
  const queries: ReadQuery[] = [];
  const accepted: number[] = [];
  while (!r.done()) {
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_LEN)) queries.push(readQuery(r, r.lenEnd()));
    else if (tag === ((2 << 3) | WIRE_VARINT)) accepted.push(r.uint32());
    else if (tag === ((2 << 3) | WIRE_LEN)) {
      // Packed, as proto3 writes repeated enums.
      const end = r.lenEnd();
      while (r.pos < end) accepted.push(r.uint32());
    } else r.skip(tag & 7);
  }
  return { queries, acceptedResponseTypes: accepted };
}

function readQuery(r: ProtoReader, end: number): ReadQuery {
  let startMs = 0;
  let endMs = 0;
  const matchers: ProtoMatcher[] = [];
  let hints: ReadHints | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | WIRE_VARINT:
        startMs = r.int64();
        break;
      case (2 << 3) | WIRE_VARINT:
        endMs = r.int64();
        break;
      case (3 << 3) | WIRE_LEN:
        matchers.push(readMatcher(r, r.lenEnd()));
        break;
      case (4 << 3) | WIRE_LEN:
        hints = readHints(r, r.lenEnd());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError("query overruns its length");
  return { startMs, endMs, matchers, hints };
}

function readMatcher(r: ProtoReader, end: number): ProtoMatcher {
  let type = 0;
  let name = "";
  let value = "";
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_VARINT)) type = r.uint32();
    else if (tag === ((2 << 3) | WIRE_LEN)) name = r.string();
    else if (tag === ((3 << 3) | WIRE_LEN)) value = r.string();
    else r.skip(tag & 7);
  }
  if (type > 3) throw new ProtoDecodeError(`unknown label matcher type ${type}`);
  return { type: type as MatcherTypeCode, name, value };
}

function readHints(r: ProtoReader, end: number): ReadHints {
  const h = { stepMs: 0, func: "", startMs: 0, endMs: 0, grouping: [] as string[], by: false, rangeMs: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | WIRE_VARINT:
        h.stepMs = r.int64();
        break;
      case (2 << 3) | WIRE_LEN:
        h.func = r.string();
        break;
      case (3 << 3) | WIRE_VARINT:
        h.startMs = r.int64();
        break;
      case (4 << 3) | WIRE_VARINT:
        h.endMs = r.int64();
        break;
      case (5 << 3) | WIRE_LEN:
        h.grouping.push(r.string());
        break;
      case (6 << 3) | WIRE_VARINT:
        h.by = r.uint32() !== 0;
        break;
      case (7 << 3) | WIRE_VARINT:
        h.rangeMs = r.int64();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return h;
}

export function encodeReadRequest(req: ReadRequest): Uint8Array {
  const w = new ProtoWriter(256);
  for (const q of req.queries) {
    const qw = new ProtoWriter(256);
    qw.int64Field(1, q.startMs);
    qw.int64Field(2, q.endMs);
    for (const m of q.matchers) {
      const mw = new ProtoWriter(64);
      if (m.type !== 0) {
        mw.tag(1, WIRE_VARINT);
        mw.varint(m.type);
      }
      mw.stringField(2, m.name);
      mw.stringField(3, m.value);
      qw.bytesField(3, mw.finish());
    }
    if (q.hints) {
      const h = q.hints;
      const hw = new ProtoWriter(64);
      hw.int64Field(1, h.stepMs);
      hw.stringField(2, h.func);
      hw.int64Field(3, h.startMs);
      hw.int64Field(4, h.endMs);
      for (const g of h.grouping) hw.stringField(5, g);
      if (h.by) {
        hw.tag(6, WIRE_VARINT);
        hw.varint(1);
      }
      hw.int64Field(7, h.rangeMs);
      qw.bytesField(4, hw.finish());
    }
    w.bytesField(1, qw.finish());
  }
  if (req.acceptedResponseTypes.length > 0) {
    const pw = new ProtoWriter(16);
    for (const t of req.acceptedResponseTypes) pw.varint(t);
    w.bytesField(2, pw.finish());
  }
  return w.finish();
}

export interface ResultSeries {
  readonly labels: Labels;
  readonly samples: SampleBatch;
}

/** ReadResponse with one QueryResult per query, in query order. */
export function encodeReadResponse(results: readonly (readonly ResultSeries[])[]): Uint8Array {
  const w = new ProtoWriter(4096);
  const qw = new ProtoWriter(4096);
  for (const list of results) {
    qw.reset();
    for (const s of list) writeTimeSeries(qw, 1, encodeLabelsField(s.labels), s.samples.ts, s.samples.vs, 0, s.samples.ts.length);
    w.bytesField(1, qw.finish());
  }
  return w.finish();
}

/** Decodes a ReadResponse into per-query series lists. */
export function decodeReadResponse(buf: Uint8Array): ResultSeries[][] {
  const r = new ProtoReader(buf);
  const out: ResultSeries[][] = [];
  while (!r.done()) {
    const tag = r.tag();
    if (tag !== ((1 << 3) | WIRE_LEN)) {
      r.skip(tag & 7);
      continue;
    }
    const end = r.lenEnd();
    const list: ResultSeries[] = [];
    while (r.pos < end) {
      const t2 = r.tag();
      if (t2 === ((1 << 3) | WIRE_LEN)) list.push(readResultSeries(r, r.lenEnd()));
      else r.skip(t2 & 7);
    }
    out.push(list);
  }
  return out;
}

function readResultSeries(r: ProtoReader, end: number): ResultSeries {
  // First pass counts samples so that each series gets exactly-sized arrays.
  const begin = r.pos;
  let count = 0;
  while (r.pos < end) {
    const t = r.tag();
    if (t === ((2 << 3) | WIRE_LEN)) count++;
    r.skip(t & 7);
  }
  r.pos = begin;
  const labels: Label[] = [];
  const ts = new Float64Array(count);
  const vs = new Float64Array(count);
  let n = 0;
  while (r.pos < end) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_LEN)) labels.push(readLabel(r, r.lenEnd()));
    else if (t === ((2 << 3) | WIRE_LEN)) {
      const se = r.lenEnd();
      let st = 0;
      let sv = 0;
      while (r.pos < se) {
        const t3 = r.tag();
        if (t3 === ((1 << 3) | WIRE_FIXED64)) sv = r.double();
        else if (t3 === ((2 << 3) | WIRE_VARINT)) st = r.int64();
        else r.skip(t3 & 7);
      }
      ts[n] = st;
      vs[n++] = sv;
    } else r.skip(t & 7);
  }
  return { labels, samples: { ts, vs } };
}

export interface EncodedChunk {
  readonly minTimeMs: number;
  readonly maxTimeMs: number;
  /** prompb Chunk.Encoding: 1 is XOR. */
  readonly type: number;
  readonly data: Uint8Array;
}

/** One ChunkedReadResponse frame body holding one series. */
export function encodeChunkedReadResponse(labels: Labels, chunks: readonly EncodedChunk[], queryIndex: number): Uint8Array {
  const sw = new ProtoWriter(1024);
  writeLabels(sw, 1, labels);
  for (const c of chunks) {
    const cw = new ProtoWriter(c.data.length + 32);
    cw.int64Field(1, c.minTimeMs);
    cw.int64Field(2, c.maxTimeMs);
    if (c.type !== 0) {
      cw.tag(3, WIRE_VARINT);
      cw.varint(c.type);
    }
    cw.bytesField(4, c.data);
    sw.bytesField(2, cw.finish());
  }
  const w = new ProtoWriter(sw.pos + 16);
  w.bytesField(1, sw.finish());
  w.int64Field(2, queryIndex);
  return w.finish();
}

export interface DecodedChunkedSeries {
  readonly queryIndex: number;
  readonly series: { labels: Labels; chunks: EncodedChunk[] }[];
}

export function decodeChunkedReadResponse(buf: Uint8Array): DecodedChunkedSeries {
  const r = new ProtoReader(buf);
  let queryIndex = 0;
  const series: { labels: Labels; chunks: EncodedChunk[] }[] = [];
  while (!r.done()) {
    const tag = r.tag();
    if (tag === ((2 << 3) | WIRE_VARINT)) queryIndex = r.int64();
    else if (tag === ((1 << 3) | WIRE_LEN)) {
      const end = r.lenEnd();
      const labels: Label[] = [];
      const chunks: EncodedChunk[] = [];
      while (r.pos < end) {
        const t2 = r.tag();
        if (t2 === ((1 << 3) | WIRE_LEN)) labels.push(readLabel(r, r.lenEnd()));
        else if (t2 === ((2 << 3) | WIRE_LEN)) chunks.push(readChunk(r, r.lenEnd()));
        else r.skip(t2 & 7);
      }
      series.push({ labels, chunks });
    } else r.skip(tag & 7);
  }
  return { queryIndex, series };
}

function readChunk(r: ProtoReader, end: number): EncodedChunk {
  let minTimeMs = 0;
  let maxTimeMs = 0;
  let type = 0;
  let data: Uint8Array = new Uint8Array(0);
  while (r.pos < end) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_VARINT)) minTimeMs = r.int64();
    else if (t === ((2 << 3) | WIRE_VARINT)) maxTimeMs = r.int64();
    else if (t === ((3 << 3) | WIRE_VARINT)) type = r.uint32();
    else if (t === ((4 << 3) | WIRE_LEN)) data = r.bytes();
    else r.skip(t & 7);
  }
  return { minTimeMs, maxTimeMs, type, data };
}
