// io.prometheus.write.v2.Request (remote write 2.0) over proto-wire.ts. Field numbers from
// the spec's types.proto: Request{4 symbols, 5 timeseries}; TimeSeries{1 labels_refs,
// 2 samples, 3 histograms, 4 exemplars, 5 metadata}; Sample{1 value, 2 timestamp,
// 3 start_timestamp}; Metadata{1 type, 3 help_ref, 4 unit_ref}. Strings travel once in the
// symbols table and are referenced by index; symbols[0] is "" so that 0 means "unset".
import type { Label, Labels } from "../model/labels.js";
import { BadRequestError, ProtoDecodeError } from "./errors.js";
import { SampleArrays } from "./codec.js";
import { ProtoReader, ProtoWriter, WIRE_LEN, WIRE_VARINT, utf8Bytes, varintSize } from "./proto-wire.js";

export const V1_MESSAGE = "prometheus.WriteRequest";
export const V2_MESSAGE = "io.prometheus.write.v2.Request";
export type ProtobufMessage = typeof V1_MESSAGE | typeof V2_MESSAGE;

/** Metadata.MetricType names as /api/v1/metadata shows them, by enum number. */
export const METRIC_TYPES = ["unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"] as const;
export type MetricTypeName = (typeof METRIC_TYPES)[number];

export interface SeriesMetadata {
  readonly type: MetricTypeName;
  readonly help: string;
  readonly unit: string;
}

export interface WriteSeriesV2 {
  readonly labels: Label[];
  /** Its samples are ts/vs[start, end) of the request. */
  readonly start: number;
  readonly end: number;
  readonly histograms: number;
  readonly exemplars: number;
  /** Undefined when the series carried no metadata (all fields unset). */
  readonly metadata: SeriesMetadata | undefined;
}

export interface DecodedWriteRequestV2 {
  readonly series: WriteSeriesV2[];
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

/** Decodes an uncompressed v2 Request; references outside the symbols table are a BadRequestError. */
export function decodeWriteRequestV2(buf: Uint8Array): DecodedWriteRequestV2 {
  // Symbols first: writers put field 4 before 5, but the wire format does not promise it.
  const symbols: string[] = [];
  const r = new ProtoReader(buf);
  while (!r.done()) {
    const tag = r.tag();
    if (tag === ((4 << 3) | WIRE_LEN)) symbols.push(r.string());
    else r.skip(tag & 7);
  }
  const sym = (ref: number, what: string): string => {
    if (ref >= symbols.length) throw new BadRequestError(`${what} ${ref} is outside the ${symbols.length} symbols of the request`);
    return symbols[ref];
  };
  const series: WriteSeriesV2[] = [];
  const samples = new SampleArrays(buf.length);
  const refs: number[] = [];
  r.pos = 0;
  while (!r.done()) {
    const tag = r.tag();
    if (tag !== ((5 << 3) | WIRE_LEN)) {
      r.skip(tag & 7);
      continue;
    }
    const end = r.lenEnd();
    const start = samples.n;
    let histograms = 0;
    let exemplars = 0;
    let metadata: SeriesMetadata | undefined;
    refs.length = 0;
    while (r.pos < end) {
      const t2 = r.tag();
      const f2 = t2 >>> 3;
      if (t2 === ((1 << 3) | WIRE_LEN)) {
        const e = r.lenEnd();
        while (r.pos < e) refs.push(r.uint32());
      } else if (t2 === ((1 << 3) | WIRE_VARINT)) {
        refs.push(r.uint32());
      } else if (t2 === ((2 << 3) | WIRE_LEN)) {
        samples.read(r);
      } else if (t2 === ((5 << 3) | WIRE_LEN)) {
        metadata = readMetadata(r, r.lenEnd(), sym);
      } else {
        if (f2 === 3) histograms++;
        else if (f2 === 4) exemplars++;
        r.skip(t2 & 7);
      }
    }
    if (r.pos !== end) throw new ProtoDecodeError("time series overruns its length");
    if (refs.length % 2 !== 0) throw new BadRequestError(`labels_refs of a series has odd length ${refs.length}`);
    const labels: Label[] = [];
    for (let i = 0; i < refs.length; i += 2) labels.push({ name: sym(refs[i], "label name ref"), value: sym(refs[i + 1], "label value ref") });
    series.push({ labels, start, end: samples.n, histograms, exemplars, metadata });
  }
  return { series, ts: samples.ts.subarray(0, samples.n), vs: samples.vs.subarray(0, samples.n) };
}

function readMetadata(r: ProtoReader, end: number, sym: (ref: number, what: string) => string): SeriesMetadata | undefined {
  let type = 0;
  let help = "";
  let unit = "";
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_VARINT)) type = r.uint32();
    else if (tag === ((3 << 3) | WIRE_VARINT)) help = sym(r.uint32(), "help_ref");
    else if (tag === ((4 << 3) | WIRE_VARINT)) unit = sym(r.uint32(), "unit_ref");
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError("metadata overruns its length");
  if (type === 0 && help === "" && unit === "") return undefined;
  return { type: METRIC_TYPES[type] ?? "unknown", help, unit };
}

/**
 * Builds v2 Requests: one symbols table per request, one TimeSeries per sample (as the v1
 * sender does), metadata attached where known. The writers are reused between requests.
 */
export class WriteRequestV2Encoder {
  private readonly symbols = new Map<string, number>();
  private readonly list: string[] = [];
  private refs = new Uint32Array(256);
  private readonly series = new ProtoWriter(256);
  private readonly out = new ProtoWriter(64 * 1024);

  /** samples [0, n): labels[i] and metadata[i] describe sample i. The result is valid until the next call. */
  encode(labels: readonly Labels[], metadata: readonly (SeriesMetadata | undefined)[], ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array {
    this.symbols.clear();
    this.list.length = 0;
    this.ref("");
    const offsets: number[] = [0];
    let k = 0;
    for (let i = 0; i < n; i++) {
      const ls = labels[i];
      if (this.refs.length < k + 2 * ls.length + 2) this.growRefs(k + 2 * ls.length + 2);
      for (const l of ls) {
        this.refs[k++] = this.ref(l.name);
        this.refs[k++] = this.ref(l.value);
      }
      offsets.push(k);
      const md = metadata[i];
      if (md) {
        this.ref(md.help);
        this.ref(md.unit);
      }
    }
    const w = this.out;
    w.reset();
    for (const s of this.list) {
      // Every symbol is written, the empty first one included, so that indexes line up.
      w.bytesField(4, utf8Bytes(s));
    }
    const sw = this.series;
    for (let i = 0; i < n; i++) {
      sw.reset();
      const from = offsets[i];
      const to = offsets[i + 1];
      let refsSize = 0;
      for (let j = from; j < to; j++) refsSize += varintSize(this.refs[j]);
      sw.tag(1, WIRE_LEN);
      sw.varint(refsSize);
      for (let j = from; j < to; j++) sw.varint(this.refs[j]);
      const t = ts[i];
      sw.tag(2, WIRE_LEN);
      sw.varint(9 + (t === 0 ? 0 : 1 + varintSize(t)));
      sw.doubleField(1, vs[i]);
      sw.int64Field(2, t);
      const md = metadata[i];
      if (md) {
        const type = METRIC_TYPES.indexOf(md.type);
        const help = this.symbols.get(md.help) ?? 0;
        const unit = this.symbols.get(md.unit) ?? 0;
        const size = (type > 0 ? 1 + varintSize(type) : 0) + (help > 0 ? 1 + varintSize(help) : 0) + (unit > 0 ? 1 + varintSize(unit) : 0);
        sw.tag(5, WIRE_LEN);
        sw.varint(size);
        if (type > 0) varintField(sw, 1, type);
        if (help > 0) varintField(sw, 3, help);
        if (unit > 0) varintField(sw, 4, unit);
      }
      w.bytesField(5, sw.finish());
    }
    return w.finish();
  }

  private ref(s: string): number {
    let r = this.symbols.get(s);
    if (r === undefined) {
      r = this.list.length;
      this.symbols.set(s, r);
      this.list.push(s);
    }
    return r;
  }

  private growRefs(min: number): void {
    let cap = this.refs.length * 2;
    while (cap < min) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.refs);
    this.refs = next;
  }
}

function varintField(w: ProtoWriter, field: number, v: number): void {
  w.tag(field, WIRE_VARINT);
  w.varint(v);
}
