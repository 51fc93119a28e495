// Gorilla XOR encoder producing Prometheus' XOR chunk bytes (tsdb/docs/format/chunks.md):
// u16be count, varint t0, raw 64-bit v0, uvarint first delta, then per sample a
// delta-of-delta bucket ('0' | '10'+14 | '110'+17 | '1110'+20 | '1111'+64 bits) and the
// XOR of the value with the previous one ('0' same | '10' reuse window | '11' + 5-bit
// leading zeros (capped at 31) + 6-bit significant bits (64 written as 0) + bits).
//
// The bit writer lives in locals of encodeOne's loop (WebAssembly globals are memory
// round trips for the engine); each sample is assembled into at most two writes of <= 64
// bits. Full 64-bit words are stored big-endian.
import { STATUS_BAD_TIMESTAMP, STATUS_TOO_MANY_SAMPLES } from "./status";

export const STALE_NAN: u64 = 0x7ff0000000000002;
// The stale marker after a JS engine set its quiet bit.
export const STALE_NAN_QUIETED: u64 = 0x7ff8000000000002;
// 2^63 as f64: the first value outside int64.
const INT64_LIMIT: f64 = 9223372036854775808.0;
// 2^53: integers below it in magnitude convert between i64 and f64 exactly.
const SAFE_INTEGER_LIMIT: f64 = 9007199254740992.0;
const HALF_SAFE_INTEGER_LIMIT: f64 = 4503599627370496.0;

@inline export function canonical(bits: u64): u64 {
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

// Byte-wise writer for the varints and raw value at the start of a chunk; returns the
// position after the uvarint.
export function putUvarint(p: usize, x: u64): usize {
  while (x >= 0x80) {
    store<u8>(p++, <u8>((x & 0x7f) | 0x80));
    x >>= 7;
  }
  store<u8>(p++, <u8>x);
  return p;
}

/** Worst-case bytes for an n-sample chunk, including 8 bytes of store slack. */
export function xorMaxEncodedBytes(n: i32): i32 {
  return 2 + 18 + (n > 1 ? n - 1 : 0) * 20 + 16;
}

/**
 * Encodes n samples (timestamps as integral f64 ms at tsPtr, values at vsPtr) into out.
 * Returns the chunk length in bytes, or a negative status. out needs
 * xorMaxEncodedBytes(n) bytes.
 */
export function xorEncode(tsPtr: usize, vsPtr: usize, n: i32, out: usize): i32 {
  if (n < 0 || n > 0xffff) return STATUS_TOO_MANY_SAMPLES;
  store<u8>(out, <u8>(n >> 8));
  store<u8>(out + 1, <u8>n);
  if (n == 0) return 2;

  const t0f = load<f64>(tsPtr);
  if (!validTimestamp(t0f)) return STATUS_BAD_TIMESTAMP;
  let t = <i64>t0f;
  let v = canonical(load<u64>(vsPtr));
  // Signed varint (zigzag then uvarint), then the raw value.
  let p = putUvarint(out + 2, <u64>((t << 1) ^ (t >> 63)));
  store<u64>(p, bswap<u64>(v));
  p += 8;
  if (n == 1) {
    // A stream whose last write was a whole byte-aligned number of bytes carries one extra
    // zero byte, as Prometheus' bstream leaves it (its last write here was the 64-bit value).
    store<u8>(p++, 0);
    return <i32>(p - out);
  }
  const t1f = load<f64>(tsPtr + 8);
  if (!validTimestamp(t1f)) return STATUS_BAD_TIMESTAMP;
  const t1 = <i64>t1f;
  let tDelta = t1 - t;
  p = putUvarint(p, <u64>tDelta);
  t = t1;

  // Bit writer: `acc` holds `fill` pending bits in its low end (bits above may be stale;
  // they are shifted out), full words go to outPos.
  let acc: u64 = 0;
  let fill: u64 = 0;
  let outPos = p;
  // The value window: bits kept, their count and trailing zeros. An empty mask before the
  // first window makes the first non-zero XOR open one.
  let winMask: u64 = 0;
  let winBits: u64 = 0;
  let trailingW: u64 = 0;
  let lastPayload: u64 = 0;
  let repeated = false;
  let inWindow = false;

  let i = 1;
  while (i < n) {
    if (repeated && Math.abs(<f64>t) + Math.abs(<f64>tDelta) * <f64>(n - i) < HALF_SAFE_INTEGER_LIMIT) {
      // After a repeated sample ('0' '0'), look for a run of them: same interval, same value
      // bits. Two compares per sample find it. The bound keeps every predicted timestamp
      // below 2^53, where f64 holds it exactly (so it can be stepped in f64 too); beyond,
      // the general path converts with checks.
      const stepF = <f64>tDelta;
      let tnf = <f64>(t + tDelta);
      let j = i;
      while (j < n) {
        const o = <usize>j << 3;
        if (load<f64>(tsPtr + o) != tnf || load<u64>(vsPtr + o) != v) break;
        tnf += stepF;
        j++;
      }
      if (j > i) {
        let z = <u64>(j - i) << 1;
        t += tDelta * <i64>(j - i);
        lastPayload = 0;
        i = j;
        while (z > 0) {
          const k = z < 64 ? z : 64;
          z -= k;
          const free = 64 - fill;
          if (k < free) {
            acc <<= k;
            fill += k;
          } else {
            store<u64>(outPos, bswap<u64>(acc << free));
            outPos += 8;
            acc = 0;
            fill = k - free;
          }
        }
        if (i >= n) break;
      }
    }
    repeated = false;
    // Entered after a sample of that kind; the bound keeps every predicted timestamp below
    // 2^53, where f64 holds it exactly, so it is stepped and compared in f64.
    if (inWindow && winBits <= 61 && Math.abs(<f64>t) + Math.abs(<f64>tDelta) * <f64>(n - i) < HALF_SAFE_INTEGER_LIMIT) {
      // The commonest counter sample: regular interval ('0') and a value change inside the
      // window ('10' + winBits), as one write. A lean loop of its own keeps the engine's
      // register allocator from spilling; anything else leaves it for the general path.
      const k = 3 + winBits;
      const code = <u64>0b010 << winBits;
      const stepF = <f64>tDelta;
      let tnf = <f64>(t + tDelta);
      let j = i;
      while (j < n) {
        const o = <usize>j << 3;
        if (load<f64>(tsPtr + o) != tnf) break;
        const cur = canonical(load<u64>(vsPtr + o));
        const x = cur ^ v;
        if (x == 0 || (x & ~winMask) != 0) break;
        v = cur;
        tnf += stepF;
        j++;
        const bits = code | (x >> trailingW);
        const free = 64 - fill;
        if (k < free) {
          acc = (acc << k) | bits;
          fill += k;
        } else {
          const rem = k - free;
          store<u64>(outPos, bswap<u64>((acc << free) | (bits >> rem)));
          outPos += 8;
          acc = rem == 0 ? 0 : bits;
          fill = rem;
        }
      }
      if (j > i) {
        t += tDelta * <i64>(j - i);
        lastPayload = winBits;
        i = j;
        if (i >= n) break;
      }
      inWindow = false;
    }
    const off = <usize>i << 3;
    let pre: u64 = 0;
    let preN: u64 = 0;
    if (i > 1) {
      const tf = load<f64>(tsPtr + off);
      // Regular interval: the predicted timestamp converts to f64 exactly (below 2^53), so
      // an equal f64 is that integer and needs no checked f64 -> i64 conversion.
      const tn = t + tDelta;
      const tnf = <f64>tn;
      let ti: i64;
      if (tf == tnf && Math.abs(tnf) < SAFE_INTEGER_LIMIT) {
        ti = tn;
      } else {
        if (!validTimestamp(tf)) return STATUS_BAD_TIMESTAMP;
        ti = <i64>tf;
      }
      const d = ti - t;
      const dod = d - tDelta;
      t = ti;
      tDelta = d;
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
        // '1111' + 64 bits, rare: two writes of 32 and 36 bits before the value.
        pre = (<u64>0b1111 << 28) | (<u64>dod >> 36);
        preN = 32;
        {
          const x = pre;
          const k = preN;
          const free = 64 - fill;
          if (k < free) {
            acc = (acc << k) | x;
            fill += k;
          } else {
            const rem = k - free;
            store<u64>(outPos, bswap<u64>((acc << free) | (x >> rem)));
            outPos += 8;
            acc = rem == 0 ? 0 : x;
            fill = rem;
          }
        }
        pre = <u64>dod & 0xfffffffff;
        preN = 36;
      }
    }

    // Value: header (h, hn) and payload (pl, pn).
    const cur = canonical(load<u64>(vsPtr + off));
    const x = cur ^ v;
    v = cur;
    let h: u64 = 0;
    let hn: u64 = 1;
    let pl: u64 = 0;
    let pn: u64 = 0;
    if (x != 0) {
      // The XOR fits the window when it has no bit outside it. leading is capped at 31
      // and so is the window's, so this equals Prometheus' leading/trailing comparison.
      if ((x & ~winMask) == 0) {
        h = 0b10;
        hn = 2;
        pn = winBits;
        pl = x >> trailingW;
      } else {
        let leading = clz<u64>(x);
        const trailing = ctz<u64>(x);
        if (leading >= 32) leading = 31;
        pn = 64 - leading - trailing;
        winBits = pn;
        trailingW = trailing;
        winMask = (~(<u64>0) >> (64 - pn)) << trailing;
        // '11', 5 bits leading, 6 bits significant count (64 wraps to 0).
        h = (<u64>0b11 << 11) | (leading << 6) | (pn & 63);
        hn = 13;
        pl = x >> trailing;
      }
    }
    lastPayload = pn;
    repeated = preN == 1 && x == 0;
    inWindow = preN == 1 && hn == 2;

    // One write when everything fits in 64 bits, else timestamp code + header, then payload.
    let x1: u64;
    let k1: u64;
    let k2: u64 = 0;
    if (preN + hn + pn <= 64) {
      x1 = (((pre << hn) | h) << pn) | pl;
      k1 = preN + hn + pn;
    } else {
      x1 = (pre << hn) | h;
      k1 = preN + hn;
      k2 = pn;
    }
    {
      const free = 64 - fill;
      if (k1 < free) {
        acc = (acc << k1) | x1;
        fill += k1;
      } else {
        const rem = k1 - free;
        store<u64>(outPos, bswap<u64>((acc << free) | (x1 >> rem)));
        outPos += 8;
        acc = rem == 0 ? 0 : x1;
        fill = rem;
      }
    }
    if (k2 != 0) {
      const free = 64 - fill;
      if (k2 < free) {
        acc = (acc << k2) | pl;
        fill += k2;
      } else {
        const rem = k2 - free;
        store<u64>(outPos, bswap<u64>((acc << free) | (pl >> rem)));
        outPos += 8;
        acc = rem == 0 ? 0 : pl;
        fill = rem;
      }
    }
    i++;
  }
  // Flush the partial word, left-aligned; only its first ceil(fill/8) bytes count.
  store<u64>(outPos, fill > 0 ? bswap<u64>(acc << (64 - fill)) : 0);
  let length = <i32>(outPos - out) + <i32>((fill + 7) >> 3);
  if ((fill & 7) == 0 && lastPayload != 0 && (lastPayload & 7) == 0) {
    store<u8>(out + <usize>length, 0);
    length++;
  }
  return length;
}

/**
 * Encodes n samples as consecutive chunks of perChunk samples (the last may be shorter),
 * written back to back at out; chunk k's byte length goes to lensOut[k] (u32). out needs
 * the sum of xorMaxEncodedBytes over the chunks. Returns the total byte length, or a
 * negative status.
 */
export function xorEncodeMany(tsPtr: usize, vsPtr: usize, n: i32, perChunk: i32, out: usize, lensOut: usize): i32 {
  if (perChunk < 1 || perChunk > 0xffff) return STATUS_TOO_MANY_SAMPLES;
  let p = out;
  let k: usize = 0;
  for (let start = 0; start < n; start += perChunk) {
    const m = min(perChunk, n - start);
    const off = <usize>start << 3;
    const len = xorEncode(tsPtr + off, vsPtr + off, m, p);
    if (len < 0) return len;
    store<u32>(lensOut + (k << 2), <u32>len);
    k++;
    p += <usize>len;
  }
  return <i32>(p - out);
}
