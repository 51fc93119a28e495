// WAL record encodings, byte-identical to Prometheus' tsdb/record: a type byte, then
// series (ref + labels), samples (first ref/ts in full, then signed-varint deltas and
// raw float64 bits) or tombstones (ref, mint, maxt per row). Unknown types are skipped
// by callers, so a WAL with exemplars or metadata from Prometheus still replays.
import type { Label, Labels } from "../../model/labels.js";
import { isStaleNaN } from "../../model/sample.js";
import { RecordDecodeError } from "../errors.js";

export const enum RecordType {
  Series = 1,
  Samples = 2,
  Tombstones = 3,
  Exemplars = 4,
  MmapMarkers = 5,
  Metadata = 6,
  HistogramSamples = 7,
}

export interface RefSeries {
  readonly ref: number;
  readonly labels: Labels;
}

export interface RefTombstone {
  readonly ref: number;
  readonly mint: number;
  readonly maxt: number;
}

/** Samples of one record as parallel arrays; n entries are valid. */
export interface RefSamples {
  refs: Float64Array;
  ts: Float64Array;
  vs: Float64Array;
  n: number;
}

const TWO32 = 0x1_0000_0000;
const utf8 = new TextEncoder();
const utf8d = new TextDecoder("utf-8", { fatal: false });

/** A growable output buffer reused across records so steady-state encoding does not allocate. */
export class RecordEncoder {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  private be64u(v: number): void {
    this.reserve(8);
    this.view.setUint32(this.pos, Math.floor(v / TWO32));
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
  }

  private be64i(v: number): void {
    if (v >= 0) return this.be64u(v);
    this.reserve(8);
    this.view.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
  }

  private be64f(v: number): void {
    this.reserve(8);
    if (v !== v && isStaleNaN(v)) {
      // Write the canonical stale bits: V8 may have quieted the NaN on its way here.
      this.view.setUint32(this.pos, 0x7ff00000);
      this.view.setUint32(this.pos + 4, 0x00000002);
    } else this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  private uvarint(v: number): void {
    this.reserve(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private varint(v: number): void {
    if (Math.abs(v) < 2 ** 51) return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
    // Zigzag of large values needs more than 53 bits: go through BigInt.
    const b = BigInt(v);
    let u = b >= 0n ? b << 1n : (-b << 1n) - 1n;
    this.reserve(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  private str(s: string): void {
    const maxBytes = s.length * 3;
    this.reserve(maxBytes + 10);
    // Encode after a worst-case length prefix slot, then move into place if the prefix is shorter.
    const start = this.pos;
    const { written } = utf8.encodeInto(s, this.buf.subarray(start + 5, start + 5 + maxBytes));
    this.uvarint(written);
    this.buf.copyWithin(this.pos, start + 5, start + 5 + written);
    this.pos += written;
  }

  private take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  series(series: readonly RefSeries[]): Uint8Array {
    this.pos = 0;
    this.byte(RecordType.Series);
    for (const s of series) {
      this.be64u(s.ref);
      this.uvarint(s.labels.length);
      for (const l of s.labels) {
        this.str(l.name);
        this.str(l.value);
      }
    }
    return this.take();
  }

  /**
   * Encodes n samples from parallel arrays (refs as numbers). Returns a view of the
   * encoder's buffer, valid until its next call: the WAL writes it synchronously.
   */
  samples(refs: ArrayLike<number>, ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array {
    this.pos = 0;
    this.byte(RecordType.Samples);
    if (n > 0) {
      const r0 = refs[0];
      const t0 = ts[0];
      this.be64u(r0);
      this.be64i(t0);
      this.reserve(n * 28);
      const buf = this.buf;
      const view = this.view;
      let p = this.pos;
      for (let i = 0; i < n; i++) {
        // Deltas are small in practice: zigzag and varint inline, with the general path as fallback.
        const dr = refs[i] - r0;
        const dt = ts[i] - t0;
        if (dr > -0x2000 && dr < 0x2000 && dt > -0x10000000 && dt < 0x10000000) {
          let z = dr >= 0 ? dr << 1 : (-dr << 1) - 1;
          while (z >= 0x80) {
            buf[p++] = (z & 0x7f) | 0x80;
            z >>>= 7;
          }
          buf[p++] = z;
          z = dt >= 0 ? dt << 1 : (-dt << 1) - 1;
          while (z >= 0x80) {
            buf[p++] = (z & 0x7f) | 0x80;
            z >>>= 7;
          }
          buf[p++] = z;
        } else {
          this.pos = p;
          this.varint(dr);
          this.varint(dt);
          p = this.pos;
        }
        const v = vs[i];
        if (v !== v && isStaleNaN(v)) {
          view.setUint32(p, 0x7ff00000);
          view.setUint32(p + 4, 0x00000002);
        } else view.setFloat64(p, v);
        p += 8;
      }
      this.pos = p;
    }
    const out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return out;
  }

  tombstones(stones: readonly RefTombstone[]): Uint8Array {
    this.pos = 0;
    this.byte(RecordType.Tombstones);
    for (const s of stones) {
      this.be64u(s.ref);
      this.varint(s.mint);
      this.varint(s.maxt);
    }
    return this.take();
  }
}

/** Reads fields from one record, throwing RecordDecodeError on a short buffer. */
class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get left(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RecordDecodeError(`record truncated at byte ${this.pos}`);
  }
  be64u(): number {
    this.need(8);
    const v = this.view.getUint32(this.pos) * TWO32 + this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return v;
  }
  be64i(): number {
    this.need(8);
    const v = Number(this.view.getBigInt64(this.pos));
    this.pos += 8;
    return v;
  }
  be64f(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }
  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
    throw new RecordDecodeError(`varint overflow at byte ${this.pos}`);
  }
  varint(): number {
    const start = this.pos;
    const u = this.uvarint();
    if (u < 2 ** 52) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    // Past 52 bits the number above is rounded; decode exactly with BigInt.
    let b = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++, shift += 7n) b |= BigInt(this.buf[p] & 0x7f) << shift;
    return Number((b & 1n) === 0n ? b >> 1n : -((b + 1n) >> 1n));
  }
  str(): string {
    const n = this.uvarint();
    this.need(n);
    const s = utf8d.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

export function recordType(rec: Uint8Array): number {
  return rec.length === 0 ? 0 : rec[0];
}

export function decodeSeries(rec: Uint8Array): RefSeries[] {
  const r = new Reader(rec);
  r.pos = 1;
  const out: RefSeries[] = [];
  while (r.left > 0) {
    const ref = r.be64u();
    const n = r.uvarint();
    const labels: Label[] = [];
    for (let i = 0; i < n; i++) labels.push({ name: r.str(), value: r.str() });
    out.push({ ref, labels });
  }
  return out;
}

/** Decodes a samples record into reusable arrays (grown when too small). */
export function decodeSamples(rec: Uint8Array, into: RefSamples): RefSamples {
  const r = new Reader(rec);
  r.pos = 1;
  into.n = 0;
  if (r.left === 0) return into;
  const r0 = r.be64u();
  const t0 = r.be64i();
  // Each sample takes at least 10 bytes, which bounds the count without a first pass.
  const max = Math.ceil(r.left / 10);
  if (into.refs.length < max) {
    into.refs = new Float64Array(max);
    into.ts = new Float64Array(max);
    into.vs = new Float64Array(max);
  }
  let n = 0;
  while (r.left > 0) {
    into.refs[n] = r0 + r.varint();
    into.ts[n] = t0 + r.varint();
    into.vs[n] = r.be64f();
    n++;
  }
  into.n = n;
  return into;
}

export function decodeTombstones(rec: Uint8Array): RefTombstone[] {
  const r = new Reader(rec);
  r.pos = 1;
  const out: RefTombstone[] = [];
  while (r.left > 0) out.push({ ref: r.be64u(), mint: r.varint(), maxt: r.varint() });
  return out;
}

export function newRefSamples(): RefSamples {
  return { refs: new Float64Array(1024), ts: new Float64Array(1024), vs: new Float64Array(1024), n: 0 };
}
