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

// Copies m timestamps and m values into one new buffer: allocating array buffers costs
// far more than copying 120 samples, so one allocation instead of two matters.
function copyPairOut(w: WasmExports, tsOut: number, vsOut: number, m: number): DecodedChunk {
  const out = new Float64Array(2 * m);
  const mem = w.memory.buffer;
  out.set(new Float64Array(mem, tsOut, m));
  out.set(new Float64Array(mem, vsOut, m), m);
  return { ts: out.subarray(0, m), vs: out.subarray(m) };
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

/**
 * Decodes many chunks in one call into one pair of arrays, in the order given, keeping
 * samples with mint <= t <= maxt. Meant for a querier reading one series' chunks.
 */
export function decodeXorMany(chunks: readonly Uint8Array[], mint = -Infinity, maxt = Infinity): DecodedChunk {
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
  return copyPairOut(w, tsOut, vsOut, m);
}

/**
 * Iterates a chunk's samples, Prometheus-style: next() then t/v; seek(t) moves forward to
 * the first sample at or after t. Decodes the whole chunk in one call up front.
 */
export class XorIterator {
  private readonly tsArr: Float64Array;
  private readonly vsArr: Float64Array;
  private i = -1;

  constructor(chunk: Uint8Array | DecodedChunk) {
    const d = chunk instanceof Uint8Array ? decodeXor(chunk) : chunk;
    this.tsArr = d.ts;
    this.vsArr = d.vs;
  }

  get length(): number {
    return this.tsArr.length;
  }

  next(): boolean {
    if (this.i < this.tsArr.length) this.i++;
    return this.i < this.tsArr.length;
  }

  /** Advances to the first sample with timestamp >= t; never moves backwards. */
  seek(t: number): boolean {
    const ts = this.tsArr;
    let lo = Math.max(this.i, 0);
    if (lo >= ts.length) return false;
    if (ts[lo]! >= t) {
      this.i = lo;
      return true;
    }
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    return lo < ts.length;
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
