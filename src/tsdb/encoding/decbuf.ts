// A bounds-checked reader over bytes of a TSDB file. Every failure is a
// CorruptionError carrying the absolute file offset of the bad read.
import { crc32c } from "@node-rs/crc32";
import { ChecksumError, CorruptionError } from "./errors.js";

const TWO_32 = 0x1_0000_0000;
const textDecoder = new TextDecoder("utf-8", { fatal: true });

export class Decbuf {
  readonly bytes: Uint8Array;
  /** Offset of bytes[0] within the file, for error messages. */
  readonly base: number;
  /** What is being decoded ("index series 42"), prefixed to errors. */
  readonly what: string;
  pos = 0;

  constructor(options: { bytes: Uint8Array; base?: number; what?: string }) {
    this.bytes = options.bytes;
    this.base = options.base ?? 0;
    this.what = options.what ?? "decode";
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private fail(msg: string): never {
    throw new CorruptionError(`${this.what}: ${msg}`, { offset: this.base + this.pos });
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) this.fail(`unexpected end of data reading ${what} (need ${n} bytes, have ${this.remaining})`);
  }

  byte(): number {
    this.need(1, "byte");
    return this.bytes[this.pos++];
  }

  be16(): number {
    this.need(2, "uint16");
    const b = this.bytes;
    const v = (b[this.pos] << 8) | b[this.pos + 1];
    this.pos += 2;
    return v;
  }

  be32(): number {
    this.need(4, "uint32");
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /** An unsigned 64-bit big-endian integer; values beyond 2^53 lose precision. */
  be64(): number {
    const hi = this.be32();
    const lo = this.be32();
    return hi * TWO_32 + lo;
  }

  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) this.fail("unexpected end of data reading uvarint");
      const b = this.bytes[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (i === 9 && b > 1) this.fail("uvarint overflows 64 bits");
        return v;
      }
      mul *= 0x80;
    }
    this.fail("uvarint longer than 10 bytes");
  }

  /** A uvarint that must fit in 32 bits (symbol refs, counts). */
  uvarint32(): number {
    const v = this.uvarint();
    if (v > 0xffff_ffff) this.fail(`value ${v} overflows uint32`);
    return v;
  }

  varint(): number {
    const start = this.pos;
    const u = this.uvarint();
    if (u <= Number.MAX_SAFE_INTEGER) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    // Large magnitudes (e.g. math.MinInt64 in tombstones): redo exactly with bigint.
    this.pos = start;
    let b = 0n;
    let shift = 0n;
    for (;;) {
      const x = this.bytes[this.pos++];
      b |= BigInt(x & 0x7f) << shift;
      if (x < 0x80) break;
      shift += 7n;
    }
    return Number((b & 1n) === 0n ? b >> 1n : -((b + 1n) >> 1n));
  }

  take(n: number): Uint8Array {
    this.need(n, `${n} bytes`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  uvarintStr(): string {
    const n = this.uvarint();
    const raw = this.take(n);
    try {
      return textDecoder.decode(raw);
    } catch (cause) {
      throw new CorruptionError(`${this.what}: invalid UTF-8 string`, { offset: this.base + this.pos - n, cause });
    }
  }

  skip(n: number): void {
    this.need(n, `${n} bytes to skip`);
    this.pos += n;
  }
}

/** Verifies that the 4 big-endian bytes at crcAt hold the CRC32C of bytes [from, crcAt). */
export function checkCrc32c(bytes: Uint8Array, from: number, crcAt: number, what: string, base = 0): void {
  if (from < 0 || crcAt + 4 > bytes.length || crcAt < from) {
    throw new CorruptionError(`${what}: section exceeds data (ends at ${base + crcAt + 4}, data ends at ${base + bytes.length})`, {
      offset: base + from,
    });
  }
  const expected = ((bytes[crcAt] << 24) | (bytes[crcAt + 1] << 16) | (bytes[crcAt + 2] << 8) | bytes[crcAt + 3]) >>> 0;
  const actual = crc32c(bytes.subarray(from, crcAt));
  if (expected !== actual) throw new ChecksumError(what, { offset: base + crcAt, expected, actual });
}
