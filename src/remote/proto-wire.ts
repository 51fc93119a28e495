// Protobuf wire format, just what the remote protocol needs: varints (int64 as a JS
// number, exact for ms timestamps), fixed64 doubles and length-delimited fields.
// Hand-written so decoding a write request walks the bytes once without building a
// message object per sample.
import { isStaleNaN } from "../model/sample.js";
import { ProtoDecodeError } from "./errors.js";

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

/** Reads one message's fields; nested messages are read by a reader over a sub-range. */
export class ProtoReader {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's tag: field number * 8 + wire type. */
  tag(): number {
    return this.uint32();
  }

  uint32(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new ProtoDecodeError("unexpected EOF");
      const b = buf[this.pos++];
      if (shift < 28) result |= (b & 0x7f) << shift;
      else if (shift < 35) result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift >= 70) throw new ProtoDecodeError("integer overflow in varint");
    }
  }

  /** A varint as a signed 64-bit integer (two's complement), as int64 fields are written. */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new ProtoDecodeError("unexpected EOF");
      const b = buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else if (shift < 64) hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) break;
      shift += 7;
      if (shift >= 70) throw new ProtoDecodeError("integer overflow in varint");
    }
    return (hi | 0) * TWO_32 + (lo >>> 0);
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtoDecodeError("unexpected EOF");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field: returns its end offset and leaves pos at its start. */
  lenEnd(): number {
    const n = this.uint32();
    const e = this.pos + n;
    if (e > this.end) throw new ProtoDecodeError("unexpected EOF");
    return e;
  }

  string(): string {
    const e = this.lenEnd();
    let s: string;
    try {
      s = utf8.decode(this.buf.subarray(this.pos, e));
    } catch {
      throw new ProtoDecodeError(`string field at byte ${this.pos} is not valid UTF-8`);
    }
    this.pos = e;
    return s;
  }

  bytes(): Uint8Array {
    const e = this.lenEnd();
    const b = this.buf.subarray(this.pos, e);
    this.pos = e;
    return b;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.lenEnd();
        return;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new ProtoDecodeError(`illegal wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new ProtoDecodeError("unexpected EOF");
  }
}

// proto3 strings are UTF-8; Go's protobuf refuses others, and replacing bytes would store altered labels.
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8enc = new TextEncoder();

/** Bytes a varint of v (non-negative, or negative int64) takes. */
export function varintSize(v: number): number {
  if (v < 0) return 10;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 5;
  let x = Math.floor(v / 2 ** 35);
  while (x > 0) {
    n++;
    x = Math.floor(x / 128);
  }
  return n;
}

/** A growable output buffer; reset() reuses it for the next message. */
export class ProtoWriter {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialBytes = 4096) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.pos = 0;
  }

  /** The written bytes (a view; copy before the next reset if kept). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (v < 0) {
      // int64 two's complement: ten bytes.
      let lo = v % TWO_32;
      let hi = Math.floor(v / TWO_32);
      if (lo < 0) lo += TWO_32;
      hi = hi >>> 0;
      lo = lo >>> 0;
      for (let i = 0; i < 9; i++) {
        buf[this.pos++] = (lo & 0x7f) | 0x80;
        lo = (lo >>> 7) | ((hi & 0x7f) << 25);
        hi = hi >>> 7;
      }
      buf[this.pos++] = lo & 0x01;
      return;
    }
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = v < TWO_32 ? v >>> 7 : Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  double(v: number): void {
    this.ensure(8);
    if (v !== v && isStaleNaN(v)) {
      // Write the canonical stale marker bits in case the number was quieted on the way.
      this.view.setUint32(this.pos, 0x00000002, true);
      this.view.setUint32(this.pos + 4, 0x7ff00000, true);
    } else {
      this.view.setFloat64(this.pos, v, true);
    }
    this.pos += 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A string field (tag, length, UTF-8), skipped when empty as proto3 does. */
  stringField(field: number, s: string): void {
    if (s === "") return;
    const bytes = utf8enc.encode(s);
    this.tag(field, WIRE_LEN);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  bytesField(field: number, b: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(b.length);
    this.raw(b);
  }

  int64Field(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, WIRE_VARINT);
    this.varint(v);
  }

  doubleField(field: number, v: number): void {
    // proto3 would skip 0, but +0 vs -0 matters to nobody and writing it keeps sizes simple.
    this.tag(field, WIRE_FIXED64);
    this.double(v);
  }
}

/** UTF-8 bytes of a string (for precomputing message sizes). */
export function utf8Bytes(s: string): Uint8Array {
  return utf8enc.encode(s);
}
