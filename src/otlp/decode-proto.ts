// ExportMetricsServiceRequest (opentelemetry-proto, metrics v1) from protobuf bytes.
// Hand-written over the remote-write wire reader rather than generated with protobufjs:
// fixed64 nanosecond times become exact ms without Long objects (a double holds them only
// to 256 ns, which can land a point in the wrong millisecond), each data point goes straight
// into the receiver's model with no generic message tree in between, and the JSON form needs
// its own reader anyway (OTLP/JSON differs from protobuf's canonical JSON). Field numbers
// follow metrics.proto, common.proto and resource.proto; unknown fields are skipped.
import { ProtoDecodeError } from "../remote/errors.js";
import { ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../remote/proto-wire.js";
import { renderValue, type RawMap, type RawValue } from "./attributes.js";
import type { Attribute, HistogramPoint, MetricData, MetricsRequest, NumberPoint, OtlpMetric, ResourceMetrics, ScopeMetrics, SummaryPoint } from "./model.js";

const LEN = (f: number): number => (f << 3) | WIRE_LEN;
const VARINT = (f: number): number => (f << 3) | WIRE_VARINT;
const FIXED64 = (f: number): number => (f << 3) | WIRE_FIXED64;

// The halves of the last fixed64 read; module state so that reading one allocates nothing.
let lo = 0;
let hi = 0;

function fixed64(r: ProtoReader): void {
  const b = r.buf;
  const p = r.pos;
  if (p + 8 > r.end) throw new ProtoDecodeError("unexpected EOF");
  lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
  r.pos = p + 8;
}

/** ns / 1e6 rounded down, exact: 2^32 = 4294 * 1e6 + 967296, and hi * 967296 + lo < 2^53. */
function readTimeMs(r: ProtoReader): number {
  fixed64(r);
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
}

function readUint64(r: ProtoReader): number {
  fixed64(r);
  return hi * 4294967296 + lo;
}

function readInt64Fixed(r: ProtoReader): number {
  fixed64(r);
  return (hi | 0) * 4294967296 + lo;
}

/** Reads a sub-message [pos, end) with fn, checking it ends where its length said. */
function sub<T>(r: ProtoReader, what: string, fn: (r: ProtoReader, end: number) => T): T {
  const end = r.lenEnd();
  const v = fn(r, end);
  if (r.pos !== end) throw new ProtoDecodeError(`${what} overruns its length`);
  return v;
}

export function decodeMetricsRequest(buf: Uint8Array): MetricsRequest {
  const r = new ProtoReader(buf);
  const resources: ResourceMetrics[] = [];
  while (!r.done()) {
    const tag = r.tag();
    if (tag === LEN(1)) resources.push(sub(r, "resource_metrics", readResourceMetrics));
    else r.skip(tag & 7);
  }
  return { resources };
}

function readResourceMetrics(r: ProtoReader, end: number): ResourceMetrics {
  let attributes: Attribute[] = [];
  const scopes: ScopeMetrics[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(1)) attributes = sub(r, "resource", readResource);
    else if (tag === LEN(2)) scopes.push(sub(r, "scope_metrics", readScopeMetrics));
    else r.skip(tag & 7);
  }
  return { attributes, scopes };
}

function readResource(r: ProtoReader, end: number): Attribute[] {
  const attributes: Attribute[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(1)) attributes.push(sub(r, "attribute", readKeyValue));
    else r.skip(tag & 7);
  }
  return attributes;
}

function readScopeMetrics(r: ProtoReader, end: number): ScopeMetrics {
  let scope = { name: "", version: "", attributes: [] as Attribute[] };
  let schemaUrl = "";
  const metrics: OtlpMetric[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(1)) scope = sub(r, "scope", readScope);
    else if (tag === LEN(2)) metrics.push(sub(r, "metric", readMetric));
    else if (tag === LEN(3)) schemaUrl = r.string();
    else r.skip(tag & 7);
  }
  return { ...scope, schemaUrl, metrics };
}

function readScope(r: ProtoReader, end: number): { name: string; version: string; attributes: Attribute[] } {
  let name = "";
  let version = "";
  const attributes: Attribute[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(1)) name = r.string();
    else if (tag === LEN(2)) version = r.string();
    else if (tag === LEN(3)) attributes.push(sub(r, "scope attribute", readKeyValue));
    else r.skip(tag & 7);
  }
  return { name, version, attributes };
}

function readMetric(r: ProtoReader, end: number): OtlpMetric {
  let name = "";
  let description = "";
  let unit = "";
  let data: MetricData = { kind: "empty" };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case LEN(1):
        name = r.string();
        break;
      case LEN(2):
        description = r.string();
        break;
      case LEN(3):
        unit = r.string();
        break;
      case LEN(5):
        data = sub(r, "gauge", (rr, e) => ({ kind: "gauge" as const, points: readSeriesOf(rr, e, readNumberPoint).points }));
        break;
      case LEN(7):
        data = sub(r, "sum", (rr, e) => {
          const s = readSeriesOf(rr, e, readNumberPoint);
          return { kind: "sum" as const, temporality: s.temporality, monotonic: s.monotonic, points: s.points };
        });
        break;
      case LEN(9):
        data = sub(r, "histogram", (rr, e) => {
          const s = readSeriesOf(rr, e, readHistogramPoint);
          return { kind: "histogram" as const, temporality: s.temporality, points: s.points };
        });
        break;
      case LEN(10):
        data = sub(r, "exponential_histogram", (rr, e) => {
          const s = readSeriesOf(rr, e, readPointTime);
          return { kind: "exponential_histogram" as const, temporality: s.temporality, pointTimesMs: s.points };
        });
        break;
      case LEN(11):
        data = sub(r, "summary", (rr, e) => ({ kind: "summary" as const, points: readSeriesOf(rr, e, readSummaryPoint).points }));
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return { name, description, unit, ...data };
}

/** Gauge, Sum, Histogram, ExponentialHistogram and Summary share 1 = data points, 2 = temporality (3 = monotonic for Sum). */
function readSeriesOf<P>(r: ProtoReader, end: number, point: (r: ProtoReader, end: number) => P): { points: P[]; temporality: number; monotonic: boolean } {
  const points: P[] = [];
  let temporality = 0;
  let monotonic = false;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(1)) points.push(sub(r, "data point", point));
    else if (tag === VARINT(2)) temporality = r.uint32();
    else if (tag === VARINT(3)) monotonic = r.uint32() !== 0;
    else r.skip(tag & 7);
  }
  return { points, temporality, monotonic };
}

function readNumberPoint(r: ProtoReader, end: number): NumberPoint {
  const attributes: Attribute[] = [];
  let timeMs = 0;
  let value = 0;
  let flags = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(7)) attributes.push(sub(r, "attribute", readKeyValue));
    else if (tag === FIXED64(3)) timeMs = readTimeMs(r);
    else if (tag === FIXED64(4)) value = r.double();
    else if (tag === FIXED64(6)) value = readInt64Fixed(r);
    else if (tag === VARINT(8)) flags = r.uint32();
    else r.skip(tag & 7);
  }
  return { attributes, timeMs, value, flags };
}

function readHistogramPoint(r: ProtoReader, end: number): HistogramPoint {
  const attributes: Attribute[] = [];
  let timeMs = 0;
  let count = 0;
  let sum: number | undefined;
  const bucketCounts: number[] = [];
  const bounds: number[] = [];
  let flags = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case LEN(9):
        attributes.push(sub(r, "attribute", readKeyValue));
        break;
      case FIXED64(3):
        timeMs = readTimeMs(r);
        break;
      case FIXED64(4):
        count = readUint64(r);
        break;
      case FIXED64(5):
        sum = r.double();
        break;
      case FIXED64(6):
        bucketCounts.push(readUint64(r));
        break;
      case LEN(6): {
        // Packed, as proto3 writes repeated scalars.
        const e = r.lenEnd();
        while (r.pos < e) bucketCounts.push(readUint64(r));
        break;
      }
      case FIXED64(7):
        bounds.push(r.double());
        break;
      case LEN(7): {
        const e = r.lenEnd();
        while (r.pos < e) bounds.push(r.double());
        break;
      }
      case VARINT(10):
        flags = r.uint32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return { attributes, timeMs, count, sum, bucketCounts, bounds, flags };
}

function readPointTime(r: ProtoReader, end: number): number {
  let timeMs = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === FIXED64(3)) timeMs = readTimeMs(r);
    else r.skip(tag & 7);
  }
  return timeMs;
}

function readSummaryPoint(r: ProtoReader, end: number): SummaryPoint {
  const attributes: Attribute[] = [];
  let timeMs = 0;
  let count = 0;
  let sum = 0;
  const quantiles: { quantile: number; value: number }[] = [];
  let flags = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(7)) attributes.push(sub(r, "attribute", readKeyValue));
    else if (tag === FIXED64(3)) timeMs = readTimeMs(r);
    else if (tag === FIXED64(4)) count = readUint64(r);
    else if (tag === FIXED64(5)) sum = r.double();
    else if (tag === LEN(6)) quantiles.push(sub(r, "quantile value", readQuantile));
    else if (tag === VARINT(8)) flags = r.uint32();
    else r.skip(tag & 7);
  }
  return { attributes, timeMs, count, sum, quantiles, flags };
}

function readQuantile(r: ProtoReader, end: number): { quantile: number; value: number } {
  let quantile = 0;
  let value = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === FIXED64(1)) quantile = r.double();
    else if (tag === FIXED64(2)) value = r.double();
    else r.skip(tag & 7);
  }
  return { quantile, value };
}

function readKeyValue(r: ProtoReader, end: number): Attribute {
  let key = "";
  let value: RawValue;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(1)) key = r.string();
    else if (tag === LEN(2)) value = sub(r, "attribute value", readAnyValue);
    else r.skip(tag & 7);
  }
  return { key, value: renderValue(value) };
}

function readAnyValue(r: ProtoReader, end: number): RawValue {
  let v: RawValue;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case LEN(1):
        v = r.string();
        break;
      case VARINT(2):
        v = r.uint32() !== 0;
        break;
      case VARINT(3):
        v = readVarint64(r);
        break;
      case FIXED64(4):
        v = r.double();
        break;
      case LEN(5):
        v = { array: sub(r, "array value", readArray) };
        break;
      case LEN(6):
        v = sub(r, "kvlist value", readKvList);
        break;
      case LEN(7):
        v = r.bytes();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return v;
}

/** An int64 varint, exact: a number while it fits in 53 bits, else a bigint. */
function readVarint64(r: ProtoReader): number | bigint {
  const start = r.pos;
  const n = r.int64();
  if (Number.isSafeInteger(n)) return n;
  let big = 0n;
  let shift = 0n;
  for (let p = start; p < r.pos; p++, shift += 7n) big |= BigInt(r.buf[p] & 0x7f) << shift;
  return BigInt.asIntN(64, big);
}

function readArray(r: ProtoReader, end: number): RawValue[] {
  const out: RawValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LEN(1)) out.push(sub(r, "array element", readAnyValue));
    else r.skip(tag & 7);
  }
  return out;
}

function readKvList(r: ProtoReader, end: number): RawMap {
  const map: [string, RawValue][] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== LEN(1)) {
      r.skip(tag & 7);
      continue;
    }
    const e = r.lenEnd();
    let key = "";
    let value: RawValue;
    while (r.pos < e) {
      const t = r.tag();
      if (t === LEN(1)) key = r.string();
      else if (t === LEN(2)) value = sub(r, "map value", readAnyValue);
      else r.skip(t & 7);
    }
    if (r.pos !== e) throw new ProtoDecodeError("map entry overruns its length");
    map.push([key, value]);
  }
  return { map };
}
