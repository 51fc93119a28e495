// Prometheus XOR chunks (tsdb/docs/format/chunks.md) through the WASM kernels in
// assembly/xor/: one call per chunk (or per batch of chunks), results copied out.
import { CorruptChunkError, statusError } from "./errors.js";
import { XOR_PAD, type WasmExports } from "./exports.js";
import { wasmExports } from "./instance.js";
import { copyBytesOut } from "./memory.js";

/**
 * Decoded samples: ts in ms (integers held in f64), values with NaN payloads intact. Both
 * arrays are views of one ArrayBuffer (one backing-store allocation per call), so take
 * byteOffset into account when reinterpreting `.buffer`.
 */
export interface DecodedChunk {
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

// Copies m timestamps and m values out as views of one new buffer. ArrayBuffer.prototype.slice
// allocates without zero-filling and copies in one memcpy; for a short result the values are
// first moved down to sit right after the timestamps.
function copyPairOut(w: WasmExports, tsOut: number, vsOut: number, m: number): DecodedChunk {
  const mem = w.memory.buffer;
  const vsAt = tsOut + m * 8;
  if (vsOut !== vsAt && m > 0) new Uint8Array(mem).copyWithin(vsAt, vsOut, vsOut + m * 8);
  const buf = mem.slice(tsOut, tsOut + m * 16);
  return { ts: new Float64Array(buf, 0, m), vs: new Float64Array(buf, m * 8, m) };
}

/** Most samples one XOR chunk can hold: the count is a 16-bit header. */
export const XOR_MAX_SAMPLES = 0xffff;

// Worst case: 2-byte header, 10-byte varint + 8-byte value for the first sample, then at
// most 68 timestamp bits + 77 value bits (< 20 bytes) per sample, plus the encoder's
// 8-byte store slack.
function maxEncodedBytes(n: number): number {
  return 2 + 18 + Math.max(0, n - 1) * 20 + 16;
}

/** Number of samples in a chunk, from its 2-byte big-endian header. */
export function xorSampleCount(chunk: Uint8Array): number {
  if (chunk.length < 2) throw new CorruptChunkError(`XOR chunk of ${chunk.length} bytes has no sample count`);
  return (chunk[0]! << 8) | chunk[1]!;
}

/**
 * Encodes ts[start:end], vs[start:end] as one XOR chunk (the bytes Prometheus writes after
 * the encoding byte). Either form of the stale marker is written as 0x7ff0000000000002.
 */
export function encodeXor(ts: Float64Array, vs: Float64Array, start = 0, end = ts.length): Uint8Array {
  if (start < 0 || end > ts.length || end > vs.length || start > end) {
    throw new RangeError(`encodeXor: range [${start},${end}) outside ts(${ts.length})/vs(${vs.length})`);
  }
  const n = end - start;
  const w = wasmExports();
  w.arenaReset();
  // One allocation per call: [ts f64 x n][vs f64 x n][output].
  const tsPtr = w.arenaAlloc(n * 16 + maxEncodedBytes(n));
  const vsPtr = tsPtr + n * 8;
  const out = vsPtr + n * 8;
  const f64 = new Float64Array(w.memory.buffer, tsPtr, 2 * n);
  f64.set(ts.subarray(start, end));
  f64.set(vs.subarray(start, end), n);
  const len = w.xorEncode(tsPtr, vsPtr, n, out);
  if (len < 0) throw statusError(len, `encode XOR chunk of ${n} samples`);
  return copyBytesOut(w, out, len);
}

export function decodeXor(chunk: Uint8Array): DecodedChunk {
  return decodeXorRange(chunk, -Infinity, Infinity);
}

/** Decodes only the samples with mint <= t <= maxt (stops reading past maxt). */
export function decodeXorRange(chunk: Uint8Array, mint: number, maxt: number): DecodedChunk {
  const n = xorSampleCount(chunk);
  const w = wasmExports();
  w.arenaReset();
  // One allocation per call: [ts out][vs out][chunk + zero pad].
  const tsOut = w.arenaAlloc(n * 16 + chunk.length + XOR_PAD);
  const vsOut = tsOut + n * 8;
  const src = vsOut + n * 8;
  const bytes = new Uint8Array(w.memory.buffer, src, chunk.length + XOR_PAD);
  bytes.set(chunk);
  bytes.fill(0, chunk.length);
  const m = w.xorDecode(src, chunk.length, tsOut, vsOut, mint, maxt);
  if (m < 0) throw statusError(m, `decode XOR chunk (${chunk.length} bytes, ${n} samples)`);
  return copyPairOut(w, tsOut, vsOut, m);
}

// Copies the chunks into the arena and decodes them in one call; returns the arena
// pointers of the results and their count.
function decodeInArena(chunks: readonly Uint8Array[], mint: number, maxt: number): { w: WasmExports; tsOut: number; vsOut: number; m: number } {
  let total = 0;
  let bytes = 0;
  for (const c of chunks) {
    total += xorSampleCount(c);
    bytes += c.length;
  }
  const w = wasmExports();
  w.arenaReset();
  // One allocation per call: [ts out][vs out][table of (ptr, len)][chunks + zero pad].
  const tsOut = w.arenaAlloc(total * 16 + chunks.length * 8 + bytes + XOR_PAD);
  const vsOut = tsOut + total * 8;
  const table = vsOut + total * 8;
  const data = table + chunks.length * 8;
  const mem = w.memory.buffer;
  const tableView = new Uint32Array(mem, table, chunks.length * 2);
  const dataView = new Uint8Array(mem, data, bytes + XOR_PAD);
  let off = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    dataView.set(c, off);
    tableView[2 * i] = data + off;
    tableView[2 * i + 1] = c.length;
    off += c.length;
  }
  dataView.fill(0, bytes);
  const m = w.xorDecodeMany(table, chunks.length, tsOut, vsOut, mint, maxt);
  if (m < 0) throw statusError(m, `decode ${chunks.length} XOR chunks`);
  return { w, tsOut, vsOut, m };
}

/**
 * Decodes many chunks in one call into one pair of new arrays, in the order given, keeping
 * samples with mint <= t <= maxt. Meant for a querier reading one series' chunks.
 */
export function decodeXorMany(chunks: readonly Uint8Array[], mint = -Infinity, maxt = Infinity): DecodedChunk {
  const { w, tsOut, vsOut, m } = decodeInArena(chunks, mint, maxt);
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
  const { w, tsOut, vsOut, m } = decodeInArena(chunks, mint, maxt);
  const mem = w.memory.buffer;
  ts.set(new Float64Array(mem, tsOut, m), at);
  vs.set(new Float64Array(mem, vsOut, m), at);
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
