// Gorilla XOR encoder producing Prometheus' XOR chunk bytes (tsdb/docs/format/chunks.md):
// u16be count, varint t0, raw 64-bit v0, uvarint first delta, then per sample a
// delta-of-delta bucket ('0' | '10'+14 | '110'+17 | '1110'+20 | '1111'+64 bits) and the
// XOR of the value with the previous one ('0' same | '10' reuse window | '11' + 5-bit
// leading zeros (capped at 31) + 6-bit significant bits (64 written as 0) + bits).
import { STATUS_BAD_TIMESTAMP, STATUS_TOO_MANY_SAMPLES } from "./status";

const STALE_NAN: u64 = 0x7ff0000000000002;
// The stale marker after a JS engine set its quiet bit.
const STALE_NAN_QUIETED: u64 = 0x7ff8000000000002;
// 2^63 as f64: the first value outside int64.
const INT64_LIMIT: f64 = 9223372036854775808.0;

// Bit writer state: `acc` holds `fill` pending bits in its low end; full words are
// stored big-endian at `outPos`. Globals so the @inline helpers can share them.
let acc: u64 = 0;
let fill: i32 = 0;
let outPos: usize = 0;
// Bit count of the last value write. Prometheus' bstream appends a fresh byte after every
// whole byte it writes, so a stream whose final write was a whole number of bytes starting
// on a byte boundary ends with one extra zero byte; we reproduce that length.
let lastValueBits: i32 = 0;

// Writes the low n bits of v (1 <= n <= 64); bits above n in v must be zero.
@inline function writeBits(v: u64, n: i32): void {
  const free = 64 - fill;
  if (n < free) {
    acc = (acc << <u64>n) | v;
    fill += n;
  } else {
    const rem = n - free;
    // free == 64 only when fill == 0, where acc is 0 and the wrapped shift is harmless.
    const word = (acc << <u64>free) | (v >> <u64>rem);
    store<u64>(outPos, bswap<u64>(word));
    outPos += 8;
    acc = rem == 0 ? 0 : v & ((<u64>1 << <u64>rem) - 1);
    fill = rem;
  }
}

@inline function writeUvarint(x: u64): void {
  while (x >= 0x80) {
    writeBits((x & 0x7f) | 0x80, 8);
    x >>= 7;
  }
  writeBits(x, 8);
}

@inline function canonical(bits: u64): u64 {
  return bits == STALE_NAN_QUIETED ? STALE_NAN : bits;
}

@inline function validTimestamp(t: f64): bool {
  return t == Math.floor(t) && t >= -INT64_LIMIT && t < INT64_LIMIT;
}

// bitRange in Prometheus: -(2^(n-1)-1) <= x <= 2^(n-1).
@inline function fits(x: i64, n: i32): bool {
  const half: i64 = <i64>1 << <i64>(n - 1);
  return x >= 1 - half && x <= half;
}

// Writes `pre` (preN bits, possibly 0) then v (n bits, 1..64), in one write when they fit.
// Fewer writes matter: the writer state lives in globals.
@inline function emit(pre: u64, preN: i32, v: u64, n: i32): void {
  if (preN + n <= 64) {
    // preN == 0 implies pre == 0, so the wrapped shift for n == 64 is harmless.
    writeBits((pre << <u64>n) | v, preN + n);
  } else {
    writeBits(pre, preN);
    writeBits(v, n);
  }
}

// Writes the timestamp code `pre` and the XOR of cur with prev; returns the new
// (leading << 8 | trailing) window.
@inline function writeValue(cur: u64, prev: u64, leadingIn: i32, trailingIn: i32, pre: u64, preN: i32): i32 {
  const x = cur ^ prev;
  if (x == 0) {
    emit(pre, preN, 0, 1);
    lastValueBits = 0;
    return (leadingIn << 8) | trailingIn;
  }
  let leading = <i32>clz<u64>(x);
  const trailing = <i32>ctz<u64>(x);
  if (leading >= 32) leading = 31;
  if (leadingIn != 0xff && leading >= leadingIn && trailing >= trailingIn) {
    // '10' then the bits inside the previous window.
    lastValueBits = 64 - leadingIn - trailingIn;
    const payload = x >> <u64>trailingIn;
    if (lastValueBits <= 62) {
      emit(pre, preN, (<u64>0b10 << <u64>lastValueBits) | payload, lastValueBits + 2);
    } else {
      emit(pre, preN, 0b10, 2);
      writeBits(payload, lastValueBits);
    }
    return (leadingIn << 8) | trailingIn;
  }
  const sig = 64 - leading - trailing;
  // '11', 5 bits leading, 6 bits significant count (64 wraps to 0).
  const header = (<u64>0b11 << 11) | (<u64>leading << 6) | <u64>(sig & 63);
  if (sig <= 51) {
    emit(pre, preN, (header << <u64>sig) | (x >> <u64>trailing), sig + 13);
  } else {
    emit(pre, preN, header, 13);
    writeBits(x >> <u64>trailing, sig);
  }
  lastValueBits = sig;
  return (leading << 8) | trailing;
}

/**
 * Encodes n samples (timestamps as integral f64 ms at tsPtr, values at vsPtr) into out.
 * Returns the chunk length in bytes, or a negative status. out needs room for
 * 2 + 18 + 20 * (n - 1) + 16 bytes.
 */
export function xorEncode(tsPtr: usize, vsPtr: usize, n: i32, out: usize): i32 {
  if (n < 0 || n > 0xffff) return STATUS_TOO_MANY_SAMPLES;
  store<u8>(out, <u8>(n >> 8));
  store<u8>(out + 1, <u8>n);
  if (n == 0) return 2;
  acc = 0;
  fill = 0;
  outPos = out + 2;

  const t0f = load<f64>(tsPtr);
  if (!validTimestamp(t0f)) return STATUS_BAD_TIMESTAMP;
  let t = <i64>t0f;
  let v = canonical(load<u64>(vsPtr));
  // Signed varint: zigzag then uvarint.
  writeUvarint(<u64>((t << 1) ^ (t >> 63)));
  writeBits(v, 64);
  lastValueBits = 64;

  let window: i32 = 0xff << 8;
  let tDelta: i64 = 0;
  if (n > 1) {
    const tf = load<f64>(tsPtr + 8);
    if (!validTimestamp(tf)) return STATUS_BAD_TIMESTAMP;
    const t1 = <i64>tf;
    tDelta = t1 - t;
    writeUvarint(<u64>tDelta);
    const v1 = canonical(load<u64>(vsPtr + 8));
    window = writeValue(v1, v, window >> 8, window & 0xff, 0, 0);
    t = t1;
    v = v1;
  }
  for (let i = 2; i < n; i++) {
    const off = <usize>i << 3;
    const tf = load<f64>(tsPtr + off);
    if (!validTimestamp(tf)) return STATUS_BAD_TIMESTAMP;
    const ti = <i64>tf;
    const d = ti - t;
    const dod = d - tDelta;
    // The timestamp code is handed to writeValue so both usually go out in one write.
    let pre: u64 = 0;
    let preN: i32 = 0;
    if (dod == 0) {
      preN = 1;
    } else if (fits(dod, 14)) {
      pre = (<u64>0b10 << 14) | (<u64>dod & 0x3fff);
      preN = 16;
    } else if (fits(dod, 17)) {
      pre = (<u64>0b110 << 17) | (<u64>dod & 0x1ffff);
      preN = 20;
    } else if (fits(dod, 20)) {
      pre = (<u64>0b1110 << 20) | (<u64>dod & 0xfffff);
      preN = 24;
    } else {
      writeBits(0b1111, 4);
      writeBits(<u64>dod, 64);
    }
    const vi = canonical(load<u64>(vsPtr + off));
    window = writeValue(vi, v, window >> 8, window & 0xff, pre, preN);
    t = ti;
    tDelta = d;
    v = vi;
  }
  // Flush the partial word, left-aligned; only its first ceil(fill/8) bytes count.
  store<u64>(outPos, fill > 0 ? bswap<u64>(acc << <u64>(64 - fill)) : 0);
  let length = <i32>(outPos - out) + ((fill + 7) >> 3);
  if ((fill & 7) == 0 && lastValueBits != 0 && (lastValueBits & 7) == 0) {
    store<u8>(out + <usize>length, 0);
    length++;
  }
  return length;
}
