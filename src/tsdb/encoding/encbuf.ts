// A growable byte buffer for writing TSDB formats: big-endian fixed ints,
// Go-compatible uvarint/varint and uvarint-prefixed UTF-8 strings.
import { crc32c } from "@node-rs/crc32";

const TWO_32 = 0x1_0000_0000;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const textEncoder = new TextEncoder();

export class Encbuf {
  private buf: Uint8Array;
  private n = 0;

  constructor(options: { initialSize?: number } = {}) {
    this.buf = new Uint8Array(options.initialSize ?? 256);
  }

  get length(): number {
    return this.n;
  }

  /** A view of the written bytes; valid until the next write or reset. */
  get(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }

  reset(): void {
    this.n = 0;
  }

  private reserve(extra: number): void {
    const need = this.n + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  putByte(b: number): void {
    this.reserve(1);
    this.buf[this.n++] = b & 0xff;
  }

  putBytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  putBE16(v: number): void {
    this.reserve(2);
    this.buf[this.n++] = (v >>> 8) & 0xff;
    this.buf[this.n++] = v & 0xff;
  }

  putBE32(v: number): void {
    this.reserve(4);
    this.buf[this.n++] = (v >>> 24) & 0xff;
    this.buf[this.n++] = (v >>> 16) & 0xff;
    this.buf[this.n++] = (v >>> 8) & 0xff;
    this.buf[this.n++] = v & 0xff;
  }

  /** Writes a non-negative integer (offsets, refs) as 8 big-endian bytes. */
  putBE64(v: number): void {
    this.putBE32(Math.floor(v / TWO_32));
    this.putBE32(v >>> 0);
  }

  /** Overwrites 4 bytes at an earlier position (for length fields written after the body). */
  setBE32(pos: number, v: number): void {
    this.buf[pos] = (v >>> 24) & 0xff;
    this.buf[pos + 1] = (v >>> 16) & 0xff;
    this.buf[pos + 2] = (v >>> 8) & 0xff;
    this.buf[pos + 3] = v & 0xff;
  }

  /** Unsigned LEB128 as Go's binary.PutUvarint; numbers beyond 2^53 go through bigint. */
  putUvarint(v: number): void {
    if (v < 0 || !Number.isInteger(v)) throw new RangeError(`uvarint: ${v} is not a non-negative integer`);
    if (v > MAX_SAFE) {
      this.putUvarintBig(BigInt(v) > 0xffff_ffff_ffff_ffffn ? 0xffff_ffff_ffff_ffffn : BigInt(v));
      return;
    }
    this.reserve(10);
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }

  private putUvarintBig(v: bigint): void {
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.n++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.n++] = Number(v);
  }

  /**
   * Zig-zag signed varint as Go's binary.PutVarint. Values outside the int64
   * range (e.g. math.MaxInt64 after rounding to a double) are clamped.
   */
  putVarint(v: number): void {
    if (!Number.isInteger(v)) throw new RangeError(`varint: ${v} is not an integer`);
    if (Math.abs(v) <= MAX_SAFE / 2) {
      this.putUvarint(v >= 0 ? v * 2 : -v * 2 - 1);
      return;
    }
    let b = BigInt(v);
    if (b > 0x7fff_ffff_ffff_ffffn) b = 0x7fff_ffff_ffff_ffffn;
    if (b < -0x8000_0000_0000_0000n) b = -0x8000_0000_0000_0000n;
    this.putUvarintBig(b >= 0n ? b << 1n : (-b << 1n) - 1n);
  }

  putUvarintStr(s: string): void {
    const bytes = textEncoder.encode(s);
    this.putUvarint(bytes.length);
    this.putBytes(bytes);
  }

  /** Appends the big-endian CRC32C of bytes [from, length). */
  putCrc32c(from = 0): void {
    this.putBE32(crc32c(this.buf.subarray(from, this.n)));
  }
}

/** Bytes a uvarint of v takes (v below 2^53). */
export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}
