// Plain TypeScript XOR chunk codec: the speed baseline for bench/wasm/xor.bench.ts and an
// independent oracle for tests. Not shipped in src/. Byte-compatible with the WASM codec
// (Prometheus' XOR chunk); 64-bit values are handled as two u32 halves, not BigInt.
// Results are allocated exactly as src/wasm/xor.ts allocates them (small ones from the same
// kind of ResultPool, a reused scratch buffer for the bit writer), so the benchmark
// compares the codecs and not two allocation policies.
import { ResultPool } from "../../src/wasm/result-pool.js";

const results = new ResultPool();

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little endian: [lo, hi]
const TWO32 = 4294967296;

// The writer ORs bits in, so it needs zeroed bytes: the shared scratch is zeroed per use.
let scratch = new Uint8Array(4096);

class BitWriter {
  buf: Uint8Array;
  pos = 0; // in bits

  constructor(bytes: number) {
    if (scratch.length < bytes) scratch = new Uint8Array(Math.max(bytes, 2 * scratch.length));
    else scratch.fill(0, 0, bytes);
    this.buf = scratch;
  }

  /** Writes the low n (<= 32) bits of v. */
  write(v: number, n: number): void {
    const buf = this.buf;
    while (n > 0) {
      const free = 8 - (this.pos & 7);
      const take = free < n ? free : n;
      const bits = (v >>> (n - take)) & ((1 << take) - 1);
      buf[this.pos >>> 3]! |= bits << (free - take);
      this.pos += take;
      n -= take;
    }
  }

  /** Writes the low n (<= 64) bits of hi:lo. */
  write64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.write(hi, n - 32);
      this.write(lo, 32);
    } else {
      this.write(lo, n);
    }
  }

  uvarint(x: bigint): void {
    while (x >= 0x80n) {
      this.write(Number(x & 0x7fn) | 0x80, 8);
      x >>= 7n;
    }
    this.write(Number(x), 8);
  }
}

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

// (hi:lo) >>> s for 0 <= s < 64, as [hi, lo].
function shr64(hi: number, lo: number, s: number, out: number[]): void {
  if (s === 0) {
    out[0] = hi;
    out[1] = lo;
  } else if (s < 32) {
    out[0] = hi >>> s;
    out[1] = ((lo >>> s) | (hi << (32 - s))) >>> 0;
  } else {
    out[0] = 0;
    out[1] = hi >>> (s - 32);
  }
}

export function encodeXorBaseline(ts: Float64Array, vs: Float64Array): Uint8Array {
  const n = ts.length;
  const w = new BitWriter(2 + 20 + n * 20);
  w.write(n, 16);
  if (n === 0) return copyOut(w.buf, 2);
  const t0 = BigInt(ts[0]!);
  w.uvarint(BigInt.asUintN(64, (t0 << 1n) ^ (t0 >> 63n)));
  f64[0] = vs[0]!;
  let pHi = u32[1]!;
  let pLo = u32[0]!;
  if (pHi === 0x7ff80000 && pLo === 2) pHi = 0x7ff00000;
  w.write(pHi, 32);
  w.write(pLo, 32);
  // See assembly/xor/encode.ts: Prometheus' stream length depends on the last write.
  let lastValueBits = 64;
  let leadingW = 0xff;
  let trailingW = 0;
  let t = ts[0]!;
  let tDelta = 0;
  const tmp = [0, 0];
  for (let i = 1; i < n; i++) {
    const ti = ts[i]!;
    const d = ti - t;
    if (i === 1) {
      w.uvarint(BigInt.asUintN(64, BigInt(d)));
    } else {
      const dod = d - tDelta;
      if (dod === 0) w.write(0, 1);
      else if (dod >= -8191 && dod <= 8192) w.write((0b10 << 14) | (dod & 0x3fff), 16);
      else if (dod >= -65535 && dod <= 65536) w.write((0b110 << 17) | (dod & 0x1ffff), 20);
      else if (dod >= -524287 && dod <= 524288) w.write((0b1110 << 20) | (dod & 0xfffff), 24);
      else {
        w.write(0b1111, 4);
        const hi = Math.floor(dod / TWO32);
        w.write(hi >>> 0, 32);
        w.write((dod - hi * TWO32) >>> 0, 32);
      }
    }
    f64[0] = vs[i]!;
    let hi = u32[1]!;
    const lo = u32[0]!;
    if (hi === 0x7ff80000 && lo === 2) hi = 0x7ff00000;
    const xHi = (hi ^ pHi) >>> 0;
    const xLo = (lo ^ pLo) >>> 0;
    if (xHi === 0 && xLo === 0) {
      w.write(0, 1);
      lastValueBits = 0;
    } else {
      let leading = clz64(xHi, xLo);
      const trailing = ctz64(xHi, xLo);
      if (leading >= 32) leading = 31;
      if (leadingW !== 0xff && leading >= leadingW && trailing >= trailingW) {
        w.write(0b10, 2);
        shr64(xHi, xLo, trailingW, tmp);
        lastValueBits = 64 - leadingW - trailingW;
        w.write64(tmp[0]!, tmp[1]!, lastValueBits);
      } else {
        leadingW = leading;
        trailingW = trailing;
        const sig = 64 - leading - trailing;
        w.write((0b11 << 11) | (leading << 6) | (sig & 63), 13);
        shr64(xHi, xLo, trailing, tmp);
        w.write64(tmp[0]!, tmp[1]!, sig);
        lastValueBits = sig;
      }
    }
    pHi = hi;
    pLo = lo;
    t = ti;
    tDelta = d;
  }
  const extra = (w.pos & 7) === 0 && lastValueBits !== 0 && (lastValueBits & 7) === 0 ? 1 : 0;
  return copyOut(w.buf, (w.pos >>> 3) + (w.pos & 7 ? 1 : 0) + extra);
}

function copyOut(buf: Uint8Array, len: number): Uint8Array {
  const at = results.allocate(len);
  const out = new Uint8Array(results.buffer, at, len);
  out.set(buf.subarray(0, len));
  return out;
}

/** Encodes consecutive chunks of perChunk samples, one encodeXorBaseline call each. */
export function encodeXorBaselineMany(ts: Float64Array, vs: Float64Array, perChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < ts.length; start += perChunk) {
    const end = Math.min(ts.length, start + perChunk);
    chunks.push(encodeXorBaseline(ts.subarray(start, end), vs.subarray(start, end)));
  }
  return chunks;
}

class BitReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** Reads n (<= 32) bits as an unsigned number. */
  read(n: number): number {
    let v = 0;
    const buf = this.buf;
    while (n > 0) {
      const byte = this.pos >>> 3;
      if (byte >= buf.length) throw new Error("baseline decode: chunk truncated");
      const avail = 8 - (this.pos & 7);
      const take = avail < n ? avail : n;
      const bits = (buf[byte]! >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + bits;
      this.pos += take;
      n -= take;
    }
    return v;
  }

  uvarint(): bigint {
    let x = 0n;
    let s = 0n;
    for (;;) {
      const b = this.read(8);
      x |= BigInt(b & 0x7f) << s;
      if (b < 0x80) return x;
      s += 7n;
    }
  }
}

function newPair(n: number): { ts: Float64Array; vs: Float64Array } {
  const at = results.allocate(n * 16);
  return { ts: new Float64Array(results.buffer, at, n), vs: new Float64Array(results.buffer, at + n * 8, n) };
}

export function decodeXorBaseline(chunk: Uint8Array): { ts: Float64Array; vs: Float64Array } {
  const pair = newPair((chunk[0]! << 8) | chunk[1]!);
  decodeXorBaselineInto(chunk, pair.ts, pair.vs, 0);
  return pair;
}

/** Decodes many chunks, in order, into one new pair of arrays. */
export function decodeXorBaselineMany(chunks: readonly Uint8Array[]): { ts: Float64Array; vs: Float64Array } {
  let total = 0;
  for (const c of chunks) total += (c[0]! << 8) | c[1]!;
  const pair = newPair(total);
  let at = 0;
  for (const c of chunks) at += decodeXorBaselineInto(c, pair.ts, pair.vs, at);
  return pair;
}

/** Decodes into caller-owned arrays from index `at`; returns the sample count. */
export function decodeXorBaselineInto(chunk: Uint8Array, ts: Float64Array, vs: Float64Array, at: number): number {
  const r = new BitReader(chunk);
  const n = r.read(16);
  if (n === 0) return 0;
  const zz = r.uvarint();
  let t = Number((zz >> 1n) ^ -(zz & 1n));
  let hi = r.read(32);
  let lo = r.read(32);
  const vsU32 = new Uint32Array(vs.buffer, vs.byteOffset + at * 8, n * 2);
  ts[at] = t;
  vsU32[0] = lo;
  vsU32[1] = hi;
  let leading = 0;
  let trailing = 0;
  let tDelta = 0;
  for (let i = 1; i < n; i++) {
    if (i === 1) {
      tDelta = Number(BigInt.asIntN(64, r.uvarint()));
    } else {
      let dod = 0;
      if (r.read(1) === 1) {
        if (r.read(1) === 0) {
          const raw = r.read(14);
          dod = raw > 0x2000 ? raw - 0x4000 : raw;
        } else if (r.read(1) === 0) {
          const raw = r.read(17);
          dod = raw > 0x10000 ? raw - 0x20000 : raw;
        } else if (r.read(1) === 0) {
          const raw = r.read(20);
          dod = raw > 0x80000 ? raw - 0x100000 : raw;
        } else {
          const dHi = r.read(32) | 0;
          dod = dHi * TWO32 + r.read(32);
        }
      }
      tDelta += dod;
    }
    t += tDelta;
    ts[at + i] = t;
    if (r.read(1) === 1) {
      if (r.read(1) === 1) {
        leading = r.read(5);
        let sig = r.read(6);
        if (sig === 0) sig = 64;
        trailing = 64 - leading - sig;
      }
      const sig = 64 - leading - trailing;
      let bHi = sig > 32 ? r.read(sig - 32) : 0;
      let bLo = r.read(sig > 32 ? 32 : sig);
      // (bHi:bLo) << trailing
      if (trailing >= 32) {
        bHi = bLo << (trailing - 32);
        bLo = 0;
      } else if (trailing > 0) {
        bHi = (bHi << trailing) | (bLo >>> (32 - trailing));
        bLo = bLo << trailing;
      }
      hi = (hi ^ bHi) >>> 0;
      lo = (lo ^ bLo) >>> 0;
    }
    vsU32[2 * i] = lo;
    vsU32[2 * i + 1] = hi;
  }
  return n;
}
