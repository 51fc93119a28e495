// Bulk XOR chunk decoder: one call decodes a whole chunk into f64 timestamp and value
// arrays. WebAssembly has no byte-swap instruction, so reading the big-endian bit stream
// 64 bits at a time would cost an emulated bswap per read. Instead the stream is copied
// once, byte-reversed, into scratch (one bswap per 8 bytes); a little-endian load from the
// mirrored address then yields the big-endian window directly. A corrupt chunk is caught
// by checking the bit position against the data length after each sample.
import { STATUS_BAD_VARINT, STATUS_BAD_WINDOW, STATUS_TRUNCATED } from "./status";

/** Zero bytes the reversed copy has below it: reads past the end of the stream land there. */
export const XOR_REVERSE_PAD: i32 = 32;

// '10' + 14-bit delta-of-delta, then '10' (value in the last window).
const JITTER_MASK: u64 = (<u64>3 << 62) | (<u64>3 << 46);
const JITTER_PATTERN: u64 = (<u64>2 << 62) | (<u64>2 << 46);

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

// Writes the bytes [src, src+len) reversed to [dst, dst+len), after XOR_REVERSE_PAD zero
// bytes at dst - XOR_REVERSE_PAD. Regions must not overlap.
function reverseInto(src: usize, len: usize, dst: usize): void {
  const pad = dst - <usize>XOR_REVERSE_PAD;
  store<u64>(pad, 0);
  store<u64>(pad, 0, 8);
  store<u64>(pad, 0, 16);
  store<u64>(pad, 0, 24);
  let i: usize = 0;
  let o = dst + len;
  while (i + 8 <= len) {
    o -= 8;
    store<u64>(o, bswap<u64>(load<u64>(src + i)));
    i += 8;
  }
  while (i < len) {
    o--;
    store<u8>(o, load<u8>(src + i));
    i++;
  }
}

// The 64 bits starting at bit `pos` of the stream, given `top` = reversed base + len - 8:
// logical byte p sits at reversed address base + len - 1 - p.
@inline function peek(top: usize, pos: usize): u64 {
  const a = top - (pos >> 3);
  const sh = <u64>(pos & 7);
  return (load<u64>(a) << sh) | (<u64>load<u8>(a - 1) >> (8 - sh));
}

/**
 * Decodes the chunk at src (len bytes incl. the 2-byte count) into tsOut/vsOut, keeping
 * samples with mint <= t <= maxt. scratch needs len + XOR_REVERSE_PAD + 8 bytes. Returns how
 * many samples it wrote, or a negative status.
 */
export function xorDecode(src: usize, len: i32, tsOut: usize, vsOut: usize, mint: f64, maxt: f64, scratch: usize): i32 {
  if (len < 2) return STATUS_TRUNCATED;
  const n = (<i32>load<u8>(src) << 8) | <i32>load<u8>(src + 1);
  if (n == 0) return 0;
  const end = src + <usize>len;

  // First sample: zigzag varint timestamp, raw value.
  const zz = readUvarint(src + 2, end);
  if (varintStatus != 0) return varintStatus;
  let t = <i64>(zz >> 1) ^ -(<i64>(zz & 1));
  let p = varintEnd;
  if (p + 8 > end) return STATUS_TRUNCATED;
  let v = bswap<u64>(load<u64>(p));
  p += 8;
  let tf = <f64>t;
  if (tf > maxt) return 0;
  let out: usize = 0;
  if (tf >= mint) {
    store<f64>(tsOut, tf);
    store<u64>(vsOut, v);
    out++;
  }
  if (n == 1) return <i32>out;

  // Second sample: uvarint delta, then the value like every later one.
  let tDelta = <i64>readUvarint(p, end);
  if (varintStatus != 0) return varintStatus;
  t += tDelta;
  const streamLen = end - varintEnd;
  const rbase = scratch + <usize>XOR_REVERSE_PAD;
  reverseInto(varintEnd, streamLen, rbase);
  const top = rbase + streamLen - 8;
  const totalBits: usize = streamLen << 3;
  let pos: usize = 0;
  // The value window: significant bits and trailing zeros of the last '11' header.
  let winBits: u64 = 64;
  let trailing: u64 = 0;
  const count = <usize>n;
  let i: usize = 1;

  while (i < count) {
    let w = peek(top, pos);
    // Stream bits left in w; the rest of w is zeros shifted in.
    let valid: u64 = 64;
    if (i > 1) {
      // A run of '0' '0' pairs is a run of samples with the same interval and value (the
      // commonest gauge shape): count them from the leading zeros and emit them together.
      if ((w >> 62) == 0) {
        let run = <usize>(clz<u64>(w) >> 1);
        if (run > count - i) run = count - i;
        pos += run << 1;
        if (pos > totalBits) return STATUS_TRUNCATED;
        i += run;
        for (let j: usize = 0; j < run; j++) {
          t += tDelta;
          tf = <f64>t;
          if (tf > maxt) return <i32>out;
          if (tf >= mint) {
            store<f64>(tsOut + (out << 3), tf);
            store<u64>(vsOut + (out << 3), v);
            out++;
          }
        }
        continue;
      }
      // Commonest counter sample: same interval ('0'), value within the last window ('10').
      // Such samples come in long stretches, so they get a lean loop of their own (the
      // engine's register allocator spills less in it).
      if ((w >> 61) == 0b010 && winBits <= 61) {
        const step = <usize>(3 + winBits);
        const drop = 64 - winBits;
        do {
          t += tDelta;
          v ^= ((w << 3) >> drop) << trailing;
          pos += step;
          if (pos > totalBits) return STATUS_TRUNCATED;
          tf = <f64>t;
          if (tf > maxt) return <i32>out;
          if (tf >= mint) {
            store<f64>(tsOut + (out << 3), tf);
            store<u64>(vsOut + (out << 3), v);
            out++;
          }
          i++;
          if (i >= count) break;
          w = peek(top, pos);
        } while ((w >> 61) == 0b010);
        continue;
      }
      // Commonest jittery-gauge sample: a small delta-of-delta ('10' + 14 bits), value within
      // the last window ('10').
      if ((w & JITTER_MASK) == JITTER_PATTERN) {
        const inWord = 18 + winBits <= 64;
        const drop = 64 - winBits;
        const wb = <usize>winBits;
        do {
          const raw = <i64>((w >> 48) & 0x3fff);
          tDelta += raw > 0x2000 ? raw - 0x4000 : raw;
          t += tDelta;
          pos += 18;
          const bits = inWord ? w << 18 : peek(top, pos);
          v ^= (bits >> drop) << trailing;
          pos += wb;
          if (pos > totalBits) return STATUS_TRUNCATED;
          tf = <f64>t;
          if (tf > maxt) return <i32>out;
          if (tf >= mint) {
            store<f64>(tsOut + (out << 3), tf);
            store<u64>(vsOut + (out << 3), v);
            out++;
          }
          i++;
          if (i >= count) break;
          w = peek(top, pos);
        } while ((w & JITTER_MASK) == JITTER_PATTERN);
        continue;
      }
      // Timestamp: delta-of-delta in the '0', '10', '110', '1110' or '1111' bucket.
      if ((w >> 63) == 0) {
        w <<= 1;
        pos += 1;
        valid = 63;
      } else {
        let dod: i64;
        if ((w >> 62) == 0b10) {
          const raw = <i64>((w >> 48) & 0x3fff);
          dod = raw > 0x2000 ? raw - 0x4000 : raw;
          w <<= 16;
          pos += 16;
          valid = 48;
        } else if ((w >> 61) == 0b110) {
          const raw = <i64>((w >> 44) & 0x1ffff);
          dod = raw > 0x10000 ? raw - 0x20000 : raw;
          w <<= 20;
          pos += 20;
          valid = 44;
        } else if ((w >> 60) == 0b1110) {
          const raw = <i64>((w >> 40) & 0xfffff);
          dod = raw > 0x80000 ? raw - 0x100000 : raw;
          w <<= 24;
          pos += 24;
          valid = 40;
        } else {
          dod = <i64>peek(top, pos + 4);
          pos += 68;
          w = peek(top, pos);
        }
        tDelta += dod;
      }
      t += tDelta;
    }

    // Value: '0' | '10' + window bits | '11' + 5 + 6 + significant bits. At most 24
    // timestamp bits were taken from w, so its top 13 bits are still stream bits; the
    // payload comes from w too when it fits, else from a fresh read.
    if ((w >> 63) != 0) {
      let mbits: u64;
      let hdr: u64;
      if ((w >> 62) == 0b10) {
        mbits = winBits;
        hdr = 2;
      } else {
        const leading = (w >> 57) & 31;
        mbits = (w >> 51) & 63;
        if (mbits == 0) mbits = 64;
        if (leading + mbits > 64) return STATUS_BAD_WINDOW;
        trailing = 64 - leading - mbits;
        winBits = mbits;
        hdr = 13;
      }
      pos += <usize>hdr;
      const bits = hdr + mbits <= valid ? w << hdr : peek(top, pos);
      v ^= (bits >> (64 - mbits)) << trailing;
      pos += <usize>mbits;
    } else {
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
    i++;
  }
  return <i32>out;
}

/**
 * Decodes n chunks listed as (ptr u32, len u32) pairs at table, appending to tsOut/vsOut.
 * scratch needs the longest chunk's length + XOR_REVERSE_PAD + 8 bytes.
 */
export function xorDecodeMany(table: usize, n: i32, tsOut: usize, vsOut: usize, mint: f64, maxt: f64, scratch: usize): i32 {
  let total: i32 = 0;
  for (let i = 0; i < n; i++) {
    const e = table + (<usize>i << 3);
    const off = <usize>total << 3;
    const m = xorDecode(<usize>load<u32>(e), <i32>load<u32>(e + 4), tsOut + off, vsOut + off, mint, maxt, scratch);
    if (m < 0) return m;
    total += m;
  }
  return total;
}
