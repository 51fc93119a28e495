// Prometheus XOR chunks (tsdb/docs/format/chunks.md) through the WASM kernels in
// assembly/xor/: one call per chunk or per batch of chunks, results copied out. Inputs go
// into a persistent scratch region (memory.ts) and small results into a shared pool
// (result-pool.ts): for a 120-sample chunk, allocating a fresh ArrayBuffer or resetting the
// arena costs as much as the codec itself.
import { CorruptChunkError, statusError } from "./errors.js";
import { XOR_REVERSE_PAD, type WasmExports } from "./exports.js";
import { wasmExports } from "./instance.js";
import { memoryViews, scratch } from "./memory.js";
import { ResultPool } from "./result-pool.js";

/**
 * Decoded samples: ts in ms (integers held in f64), values with NaN payloads intact. Both
 * arrays are views of one ArrayBuffer; small results share a pool buffer with other
 * results (disjoint ranges), so take byteOffset into account when reinterpreting `.buffer`.
 */
export interface DecodedChunk {
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

const results = new ResultPool();

const align8 = (n: number): number => (n + 7) & ~7;

// Copies m timestamps and m values out of WASM memory into a new result.
function copyPairOut(w: WasmExports, tsOut: number, vsOut: number, m: number): DecodedChunk {
  const at = results.allocate(m * 16);
  const buf = results.buffer;
  const ts = new Float64Array(buf, at, m);
  const vs = new Float64Array(buf, at + m * 8, m);
  const mem = memoryViews(w);
  if (vsOut === tsOut + m * 8) {
    // Nothing was filtered out: both arrays are one contiguous range on both sides.
    results.bytes.set(mem.u8.subarray(tsOut, tsOut + m * 16), at);
  } else {
    ts.set(mem.f64.subarray(tsOut >>> 3, (tsOut >>> 3) + m));
    vs.set(mem.f64.subarray(vsOut >>> 3, (vsOut >>> 3) + m));
  }
  return { ts, vs };
}

/** Most samples one XOR chunk can hold: the count is a 16-bit header. */
export const XOR_MAX_SAMPLES = 0xffff;

// Worst case: 2-byte header, 10-byte varint + 8-byte value for the first sample, then at
// most 68 timestamp bits + 77 value bits (< 20 bytes) per sample, plus the encoder's
// 8-byte store slack (assembly/xor/encode.ts xorMaxEncodedBytes).
function maxEncodedBytes(n: number): number {
  return 2 + 18 + Math.max(0, n - 1) * 20 + 16;
}

/** Number of samples in a chunk, from its 2-byte big-endian header. */
export function xorSampleCount(chunk: Uint8Array): number {
  if (chunk.length < 2) throw new CorruptChunkError(`XOR chunk of ${chunk.length} bytes has no sample count`);
  return (chunk[0]! << 8) | chunk[1]!;
}

function checkRange(name: string, ts: Float64Array, vs: Float64Array, start: number, end: number): void {
  if (start < 0 || end > ts.length || end > vs.length || start > end) {
    throw new RangeError(`${name}: range [${start},${end}) outside ts(${ts.length})/vs(${vs.length})`);
  }
}

// Copies ts[start:end], vs[start:end] to f64 indexes tsAt and tsAt + n of WASM memory.
function copySamplesIn(w: WasmExports, ts: Float64Array, vs: Float64Array, start: number, end: number, tsAt: number): void {
  const f64 = memoryViews(w).f64;
  f64.set(start === 0 && end === ts.length ? ts : ts.subarray(start, end), tsAt);
  f64.set(start === 0 && end === vs.length ? vs : vs.subarray(start, end), tsAt + end - start);
}

/**
 * Encodes ts[start:end], vs[start:end] as one XOR chunk (the bytes Prometheus writes after
 * the encoding byte). Either form of the stale marker is written as 0x7ff0000000000002.
 * Small results share a pool buffer (see DecodedChunk).
 */
export function encodeXor(ts: Float64Array, vs: Float64Array, start = 0, end = ts.length): Uint8Array {
  checkRange("encodeXor", ts, vs, start, end);
  const n = end - start;
  const w = wasmExports();
  // [ts f64 x n][vs f64 x n][output]
  const tsPtr = scratch(w, n * 16 + maxEncodedBytes(n));
  const vsPtr = tsPtr + n * 8;
  const out = vsPtr + n * 8;
  copySamplesIn(w, ts, vs, start, end, tsPtr >>> 3);
  const len = w.xorEncode(tsPtr, vsPtr, n, out);
  if (len < 0) throw statusError(len, `encode XOR chunk of ${n} samples`);
  const at = results.allocate(len);
  const bytes = new Uint8Array(results.buffer, at, len);
  bytes.set(memoryViews(w).u8.subarray(out, out + len));
  return bytes;
}

/**
 * Encodes ts[start:end], vs[start:end] as consecutive chunks of `perChunk` samples (the
 * last may be shorter) in one WASM call, as the block writer cuts a series. Returns the
 * chunks in order: views of one new buffer, byte-identical to encodeXor on each range.
 */
export function encodeXorMany(ts: Float64Array, vs: Float64Array, perChunk: number, start = 0, end = ts.length): Uint8Array[] {
  checkRange("encodeXorMany", ts, vs, start, end);
  if (!Number.isInteger(perChunk) || perChunk < 1 || perChunk > XOR_MAX_SAMPLES) {
    throw new RangeError(`encodeXorMany: perChunk ${perChunk} outside 1..${XOR_MAX_SAMPLES}`);
  }
  const n = end - start;
  const k = Math.ceil(n / perChunk);
  if (k === 0) return [];
  const full = Math.floor(n / perChunk);
  const outBytes = full * maxEncodedBytes(perChunk) + (n > full * perChunk ? maxEncodedBytes(n - full * perChunk) : 0);
  const w = wasmExports();
  // [ts f64 x n][vs f64 x n][chunk lengths u32 x k, 8-aligned][output]
  const tsPtr = scratch(w, n * 16 + align8(k * 4) + outBytes);
  const vsPtr = tsPtr + n * 8;
  const lens = vsPtr + n * 8;
  const out = lens + align8(k * 4);
  copySamplesIn(w, ts, vs, start, end, tsPtr >>> 3);
  const total = w.xorEncodeMany(tsPtr, vsPtr, n, perChunk, out, lens);
  if (total < 0) throw statusError(total, `encode ${n} samples as XOR chunks of ${perChunk}`);
  const mem = memoryViews(w);
  const buf = mem.buffer.slice(out, out + total);
  const chunks: Uint8Array[] = new Array<Uint8Array>(k);
  const l = lens >>> 2;
  let off = 0;
  for (let i = 0; i < k; i++) {
    const len = mem.u32[l + i]!;
    chunks[i] = new Uint8Array(buf, off, len);
    off += len;
  }
  return chunks;
}

export function decodeXor(chunk: Uint8Array): DecodedChunk {
  return decodeXorRange(chunk, -Infinity, Infinity);
}

/** Decodes only the samples with mint <= t <= maxt (stops reading past maxt). */
export function decodeXorRange(chunk: Uint8Array, mint: number, maxt: number): DecodedChunk {
  const n = xorSampleCount(chunk);
  const len = chunk.length;
  const w = wasmExports();
  // [ts out][vs out][chunk, 8-aligned][reverse pad][reversed stream, + 8 slack]
  const tsOut = scratch(w, n * 16 + align8(len) + XOR_REVERSE_PAD + len + 8);
  const vsOut = tsOut + n * 8;
  const src = vsOut + n * 8;
  const rev = src + align8(len);
  memoryViews(w).u8.set(chunk, src);
  const m = w.xorDecode(src, len, tsOut, vsOut, mint, maxt, rev);
  if (m < 0) throw statusError(m, `decode XOR chunk (${len} bytes, ${n} samples)`);
  return copyPairOut(w, tsOut, vsOut, m);
}

// Copies the chunks into scratch and decodes them in one call; returns where the results are.
function decodeInScratch(chunks: readonly Uint8Array[], mint: number, maxt: number): { w: WasmExports; tsOut: number; vsOut: number; m: number } {
  let total = 0;
  let bytes = 0;
  let longest = 0;
  for (const c of chunks) {
    total += xorSampleCount(c);
    bytes += c.length;
    if (c.length > longest) longest = c.length;
  }
  const k = chunks.length;
  const w = wasmExports();
  // [ts out][vs out][table of (ptr, len) u32 pairs][chunks, 8-aligned][reverse pad][reversed stream]
  const tsOut = scratch(w, total * 16 + k * 8 + align8(bytes) + XOR_REVERSE_PAD + longest + 8);
  const vsOut = tsOut + total * 8;
  const table = vsOut + total * 8;
  const data = table + k * 8;
  const rev = data + align8(bytes);
  const { u8, u32 } = memoryViews(w);
  const t = table >>> 2;
  let off = data;
  for (let i = 0; i < k; i++) {
    const c = chunks[i]!;
    u8.set(c, off);
    u32[t + 2 * i] = off;
    u32[t + 2 * i + 1] = c.length;
    off += c.length;
  }
  const m = w.xorDecodeMany(table, k, tsOut, vsOut, mint, maxt, rev);
  if (m < 0) throw statusError(m, `decode ${k} XOR chunks`);
  return { w, tsOut, vsOut, m };
}

/**
 * Decodes many chunks in one call into one pair of new arrays, in the order given, keeping
 * samples with mint <= t <= maxt. Meant for a querier reading one series' chunks.
 */
export function decodeXorMany(chunks: readonly Uint8Array[], mint = -Infinity, maxt = Infinity): DecodedChunk {
  const { w, tsOut, vsOut, m } = decodeInScratch(chunks, mint, maxt);
  return copyPairOut(w, tsOut, vsOut, m);
}

/**
 * Like decodeXorMany, but writes into caller-owned arrays from index `at` and returns how
 * many samples it wrote. Reusing the arrays avoids allocating a result per call, which
 * costs more than decoding. They need room for the chunks' total sample count
 * (xorSampleCount of each) after `at`; otherwise this throws RangeError and writes nothing.
 */
export function decodeXorInto(
  chunks: readonly Uint8Array[],
  ts: Float64Array,
  vs: Float64Array,
  at = 0,
  mint = -Infinity,
  maxt = Infinity,
): number {
  let total = 0;
  for (const c of chunks) total += xorSampleCount(c);
  if (at < 0 || at + total > ts.length || at + total > vs.length) {
    throw new RangeError(`decodeXorInto: ${total} samples do not fit at ${at} in ts(${ts.length})/vs(${vs.length})`);
  }
  const { w, tsOut, vsOut, m } = decodeInScratch(chunks, mint, maxt);
  const f64 = memoryViews(w).f64;
  ts.set(f64.subarray(tsOut >>> 3, (tsOut >>> 3) + m), at);
  vs.set(f64.subarray(vsOut >>> 3, (vsOut >>> 3) + m), at);
  return m;
}

/**
 * Iterates a chunk's samples, Prometheus-style: next() then t/v; seek(t) moves forward to
 * the first sample at or after t. Decodes the whole chunk in one call up front.
 */
export class XorIterator {
  private tsArr: Float64Array;
  private vsArr: Float64Array;
  private len = 0;
  private i = -1;

  constructor(chunk: Uint8Array | DecodedChunk) {
    if (chunk instanceof Uint8Array) {
      this.tsArr = new Float64Array(0);
      this.vsArr = new Float64Array(0);
      this.reset(chunk);
    } else {
      this.tsArr = chunk.ts;
      this.vsArr = chunk.vs;
      this.len = chunk.ts.length;
    }
  }

  /** Restarts on another chunk, reusing this iterator's arrays when they are big enough. */
  reset(chunk: Uint8Array): void {
    const n = xorSampleCount(chunk);
    if (this.tsArr.length < n) {
      const cap = Math.max(n, 120);
      this.tsArr = new Float64Array(cap);
      this.vsArr = new Float64Array(cap);
    }
    this.len = decodeXorInto([chunk], this.tsArr, this.vsArr);
    this.i = -1;
  }

  get length(): number {
    return this.len;
  }

  next(): boolean {
    if (this.i < this.len) this.i++;
    return this.i < this.len;
  }

  /** Advances to the first sample with timestamp >= t; never moves backwards. */
  seek(t: number): boolean {
    const ts = this.tsArr;
    let lo = Math.max(this.i, 0);
    if (lo >= this.len) return false;
    if (ts[lo]! >= t) {
      this.i = lo;
      return true;
    }
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    return lo < this.len;
  }

  /** Timestamp (ms) of the current sample. */
  get t(): number {
    return this.tsArr[this.i]!;
  }

  /** Value of the current sample. */
  get v(): number {
    return this.vsArr[this.i]!;
  }

  at(): { t: number; v: number } {
    return { t: this.tsArr[this.i]!, v: this.vsArr[this.i]! };
  }
}
