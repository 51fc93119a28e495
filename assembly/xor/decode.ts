// Bulk XOR chunk decoder: one call decodes a whole chunk into f64 timestamp and value
// arrays. The chunk must be followed by XOR_PAD (32) zero bytes: every read takes a full
// 64-bit big-endian window at an arbitrary bit offset, and a corrupt chunk is caught by
// checking the bit position against the data length after each sample.
import { STATUS_BAD_VARINT, STATUS_BAD_WINDOW, STATUS_TRUNCATED } from "./status";

// The 64 bits starting at bit `pos` of the stream at `base`.
@inline function peek(base: usize, pos: usize): u64 {
  const p = base + (pos >> 3);
  const sh = <u64>(pos & 7);
  return (bswap<u64>(load<u64>(p)) << sh) | (<u64>load<u8>(p + 8) >> (8 - sh));
}

// Varint reader for the first two samples; they start on byte boundaries. On success
// varintStatus is 0 and varintEnd is the byte after the varint.
let varintEnd: usize = 0;
let varintStatus: i32 = 0;

@inline function readUvarint(p: usize, end: usize): u64 {
  let x: u64 = 0;
  let s: u64 = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= end) {
      varintStatus = STATUS_TRUNCATED;
      return 0;
    }
    const b = <u64>load<u8>(p++);
    x |= (b & 0x7f) << s;
    if (b < 0x80) {
      varintEnd = p;
      varintStatus = 0;
      return x;
    }
    s += 7;
  }
  varintStatus = STATUS_BAD_VARINT;
  return 0;
}

/**
 * Decodes the chunk at src (len bytes incl. the 2-byte count) into tsOut/vsOut, keeping
 * samples with mint <= t <= maxt. Returns how many it wrote, or a negative status.
 */
export function xorDecode(src: usize, len: i32, tsOut: usize, vsOut: usize, mint: f64, maxt: f64): i32 {
  if (len < 2) return STATUS_TRUNCATED;
  const n = (<i32>load<u8>(src) << 8) | <i32>load<u8>(src + 1);
  if (n == 0) return 0;
  const base = src + 2;
  const end = src + <usize>len;
  const totalBits = <usize>(len - 2) << 3;
  let out: usize = 0;

  // First sample: zigzag varint timestamp, raw value.
  const zz = readUvarint(base, end);
  if (varintStatus != 0) return varintStatus;
  let t = <i64>(zz >> 1) ^ -(<i64>(zz & 1));
  let p = varintEnd;
  if (p + 8 > end) return STATUS_TRUNCATED;
  let v = bswap<u64>(load<u64>(p));
  p += 8;
  let tf = <f64>t;
  if (tf > maxt) return 0;
  if (tf >= mint) {
    store<f64>(tsOut, tf);
    store<u64>(vsOut, v);
    out++;
  }
  if (n == 1) return <i32>out;

  // Second sample: uvarint delta, then the value like every later one.
  let tDelta = <i64>readUvarint(p, end);
  if (varintStatus != 0) return varintStatus;
  let pos: usize = (varintEnd - base) << 3;
  let leading: u64 = 0;
  let trailing: u64 = 0;
  t += tDelta;
  // `w` caches the next `avail` bits of the stream, left-aligned, so most samples cost
  // one 64-bit read; `pos` is the bit offset of w's top bit.
  let w: u64 = 0;
  let avail: u64 = 0;

  for (let i = 1; i < n; i++) {
    if (i > 1) {
      // Timestamp: up to 24 bits for the '0', '10', '110' and '1110' buckets.
      if (avail < 24) {
        w = peek(base, pos);
        avail = 64;
      }
      // Fast path for the commonest gauge sample: same interval, same value ('0' '0').
      if ((w >> 62) == 0) {
        w <<= 2;
        avail -= 2;
        pos += 2;
        t += tDelta;
        if (pos > totalBits) return STATUS_TRUNCATED;
        tf = <f64>t;
        if (tf > maxt) break;
        if (tf >= mint) {
          store<f64>(tsOut + (out << 3), tf);
          store<u64>(vsOut + (out << 3), v);
          out++;
        }
        continue;
      }
      let dod: i64 = 0;
      let used: u64;
      if ((w >> 63) == 0) {
        used = 1;
      } else if ((w >> 62) == 0b10) {
        const raw = <i64>((w >> 48) & 0x3fff);
        dod = raw > 0x2000 ? raw - 0x4000 : raw;
        used = 16;
      } else if ((w >> 61) == 0b110) {
        const raw = <i64>((w >> 44) & 0x1ffff);
        dod = raw > 0x10000 ? raw - 0x20000 : raw;
        used = 20;
      } else if ((w >> 60) == 0b1110) {
        const raw = <i64>((w >> 40) & 0xfffff);
        dod = raw > 0x80000 ? raw - 0x100000 : raw;
        used = 24;
      } else {
        dod = <i64>peek(base, pos + 4);
        used = 68;
      }
      pos += <usize>used;
      if (used < avail) {
        w <<= used;
        avail -= used;
      } else {
        avail = 0;
      }
      tDelta += dod;
      t += tDelta;
    }

    // Value: '0' | '10' + window bits | '11' + 5 + 6 + significant bits.
    if (avail < 13) {
      w = peek(base, pos);
      avail = 64;
    }
    if ((w >> 63) != 0) {
      let mbits: u64;
      if ((w >> 62) == 0b10) {
        mbits = 64 - leading - trailing;
        w <<= 2;
        avail -= 2;
        pos += 2;
      } else {
        leading = (w >> 57) & 31;
        mbits = (w >> 51) & 63;
        if (mbits == 0) mbits = 64;
        if (leading + mbits > 64) return STATUS_BAD_WINDOW;
        trailing = 64 - leading - mbits;
        w <<= 13;
        avail -= 13;
        pos += 13;
      }
      if (avail < mbits) {
        w = peek(base, pos);
        avail = 64;
      }
      v ^= (w >> (64 - mbits)) << trailing;
      pos += <usize>mbits;
      if (mbits < avail) {
        w <<= mbits;
        avail -= mbits;
      } else {
        avail = 0;
      }
    } else {
      w <<= 1;
      avail -= 1;
      pos += 1;
    }
    if (pos > totalBits) return STATUS_TRUNCATED;

    tf = <f64>t;
    if (tf > maxt) break;
    if (tf >= mint) {
      store<f64>(tsOut + (out << 3), tf);
      store<u64>(vsOut + (out << 3), v);
      out++;
    }
  }
  return <i32>out;
}

/** Decodes n chunks listed as (ptr u32, len u32) pairs at table, appending to tsOut/vsOut. */
export function xorDecodeMany(table: usize, n: i32, tsOut: usize, vsOut: usize, mint: f64, maxt: f64): i32 {
  let total: i32 = 0;
  for (let i = 0; i < n; i++) {
    const e = table + (<usize>i << 3);
    const off = <usize>total << 3;
    const m = xorDecode(<usize>load<u32>(e), <i32>load<u32>(e + 4), tsOut + off, vsOut + off, mint, maxt);
    if (m < 0) return m;
    total += m;
  }
  return total;
}
