// WAL record encodings, byte-identical to Prometheus' tsdb/record: a type byte, then
// series (ref + labels), samples (first ref/ts in full, then signed-varint deltas and
// raw float64 bits) or tombstones (ref, mint, maxt per row). Unknown types are skipped
// by callers, so a WAL with exemplars or metadata from Prometheus still replays.
import type { Label, Labels } from "../../model/labels.js";
import { isStaleNaN } from "../../model/sample.js";
import { Decbuf } from "../encoding/decbuf.js";
import { Encbuf } from "../encoding/encbuf.js";
import { CorruptionError } from "../encoding/errors.js";

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

/**
 * Encodes records. Tombstones go through the shared Encbuf; samples (one record per
 * commit) and series (one per new series) are hot, so they are written by inlined
 * loops into a reused buffer.
 */
export class RecordEncoder {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);

  private reserve(n: number): void {
    if (n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < n) size *= 2;
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** A series record (a copy). Hot when many series appear at once, so strings go straight into the buffer. */
  series(series: readonly RefSeries[]): Uint8Array {
    let p = 0;
    const ensure = (extra: number): void => {
      if (p + extra <= this.buf.length) return;
      const old = this.buf;
      this.reserve((p + extra) * 2);
      this.buf.set(old.subarray(0, p));
    };
    ensure(1);
    this.buf[p++] = RecordType.Series;
    for (const s of series) {
      ensure(18);
      this.view.setUint32(p, Math.floor(s.ref / TWO32));
      this.view.setUint32(p + 4, s.ref >>> 0);
      p = putVarintU(this.buf, p + 8, s.labels.length);
      for (const l of s.labels) {
        ensure((l.name.length + l.value.length) * 3 + 10);
        p = putString(this.buf, p, l.name);
        p = putString(this.buf, p, l.value);
      }
    }
    return this.buf.slice(0, p);
  }

  /**
   * Encodes n samples from parallel arrays (refs as numbers). Returns a view of the
   * encoder's buffer, valid until its next call: the WAL writes it synchronously.
   */
  samples(refs: ArrayLike<number>, ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array {
    // Worst case per sample: two 10-byte varints and 8 value bytes; header 17 bytes.
    this.reserve(17 + n * 28);
    const buf = this.buf;
    const view = this.view;
    buf[0] = RecordType.Samples;
    let p = 1;
    if (n > 0) {
      const r0 = refs[0];
      const t0 = ts[0];
      view.setUint32(1, Math.floor(r0 / TWO32));
      view.setUint32(5, r0 >>> 0);
      view.setBigInt64(9, BigInt(t0));
      p = 17;
      for (let i = 0; i < n; i++) {
        const dr = refs[i] - r0;
        const dt = ts[i] - t0;
        if (dr > -0x2000 && dr < 0x2000 && dt > -0x10000000 && dt < 0x10000000) {
          // Small deltas (the usual case): zigzag and varint with 32-bit integer ops.
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
          p = putVarint(buf, p, dr);
          p = putVarint(buf, p, dt);
        }
        const v = vs[i];
        if (v !== v && isStaleNaN(v)) {
          // Write the canonical stale bits: V8 may have quieted the NaN on its way here.
          view.setUint32(p, 0x7ff00000);
          view.setUint32(p + 4, 0x00000002);
        } else view.setFloat64(p, v);
        p += 8;
      }
    }
    return buf.subarray(0, p);
  }

  tombstones(stones: readonly RefTombstone[]): Uint8Array {
    const e = new Encbuf();
    e.putByte(RecordType.Tombstones);
    for (const s of stones) {
      e.putBE64(s.ref);
      e.putVarint(s.mint);
      e.putVarint(s.maxt);
    }
    return e.get();
  }
}

function putVarintU(buf: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    buf[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[p++] = v;
  return p;
}

const utf8 = new TextEncoder();

/** A uvarint length and the UTF-8 bytes; ASCII (label names, most values) is copied directly. */
function putString(buf: Uint8Array, p: number, str: string): number {
  const n = str.length;
  let ascii = n < 0x80;
  for (let i = 0; ascii && i < n; i++) if (str.charCodeAt(i) >= 0x80) ascii = false;
  if (ascii) {
    buf[p++] = n;
    for (let i = 0; i < n; i++) buf[p++] = str.charCodeAt(i);
    return p;
  }
  // Leave room for the longest length prefix, encode, then close the gap.
  const { written } = utf8.encodeInto(str, buf.subarray(p + 5, p + 5 + n * 3));
  const q = putVarintU(buf, p, written);
  buf.copyWithin(q, p + 5, p + 5 + written);
  return q + written;
}

/** A zigzag varint of any safe integer (BigInt past 2^51, where doubling loses bits). */
function putVarint(buf: Uint8Array, p: number, v: number): number {
  if (Math.abs(v) < 2 ** 51) {
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    while (u >= 0x80) {
      buf[p++] = (u % 0x80) | 0x80;
      u = Math.floor(u / 0x80);
    }
    buf[p++] = u;
    return p;
  }
  const b = BigInt(v);
  let u = b >= 0n ? b << 1n : (-b << 1n) - 1n;
  while (u >= 0x80n) {
    buf[p++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[p++] = Number(u);
  return p;
}

export function recordType(rec: Uint8Array): number {
  return rec.length === 0 ? 0 : rec[0];
}

function decoder(rec: Uint8Array, what: string): Decbuf {
  const d = new Decbuf({ bytes: rec, what });
  d.skip(1);
  return d;
}

export function decodeSeries(rec: Uint8Array): RefSeries[] {
  const d = decoder(rec, "WAL series record");
  const out: RefSeries[] = [];
  while (d.remaining > 0) {
    const ref = d.be64();
    const n = d.uvarint();
    const labels: Label[] = [];
    for (let i = 0; i < n; i++) labels.push({ name: d.uvarintStr(), value: d.uvarintStr() });
    out.push({ ref, labels });
  }
  return out;
}

/** Decodes a samples record into reusable arrays (grown when too small). */
export function decodeSamples(rec: Uint8Array, into: RefSamples): RefSamples {
  into.n = 0;
  if (rec.length <= 1) return into;
  if (rec.length < 17) throw new CorruptionError(`WAL samples record: ${rec.length} bytes is shorter than its header`);
  const view = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const r0 = view.getUint32(1) * TWO32 + view.getUint32(5);
  const t0 = Number(view.getBigInt64(9));
  // Each sample takes at least 10 bytes, which bounds the count without a first pass.
  const max = Math.ceil((rec.length - 17) / 10);
  if (into.refs.length < max) {
    into.refs = new Float64Array(max);
    into.ts = new Float64Array(max);
    into.vs = new Float64Array(max);
  }
  const d = new Decbuf({ bytes: rec, what: "WAL samples record" });
  d.pos = 17;
  let n = 0;
  while (d.remaining > 0) {
    into.refs[n] = r0 + d.varint();
    into.ts[n] = t0 + d.varint();
    if (d.remaining < 8) throw new CorruptionError(`WAL samples record: sample ${n} is truncated`, { offset: d.pos });
    into.vs[n] = view.getFloat64(d.pos);
    d.pos += 8;
    n++;
  }
  into.n = n;
  return into;
}

export function decodeTombstones(rec: Uint8Array): RefTombstone[] {
  const d = decoder(rec, "WAL tombstones record");
  const out: RefTombstone[] = [];
  while (d.remaining > 0) out.push({ ref: d.be64(), mint: d.varint(), maxt: d.varint() });
  return out;
}

export function newRefSamples(): RefSamples {
  return { refs: new Float64Array(1024), ts: new Float64Array(1024), vs: new Float64Array(1024), n: 0 };
}
