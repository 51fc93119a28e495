// The head's open chunks in WASM memory (assembly/head/open-chunks.ts): each series'
// chunk is XOR-encoded as its samples arrive, so it costs ~1-2 bytes per sample instead
// of a raw slot, and a full chunk leaves as the bytes chunks_head/ stores. A commit
// crosses the boundary once: the caller fills the input columns in WASM memory, then
// append() encodes them all and reports the chunks it cut.
import { WasmError } from "./errors.js";
import type { WasmExports } from "./exports.js";
import { separateInstance } from "./instance.js";

// Offsets in a series' state record (assembly/head/open-chunks.ts S_*), in pages of
// 2^PAGE_SHIFT records.
const STATE_SIZE = 64;
const PAGE_SHIFT = 10;
const S_PTR = 0;
const S_BITS = 8;
const S_COUNT = 12;
const S_MINT = 16;
const S_WHOLE = 58;
// Cut records (C_*).
const CUT_SIZE = 32;

/** The input columns for one commit, views of WASM memory valid until append(). */
export interface OpenChunkInput {
  readonly ids: Uint32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

/** One chunk append() cut: data is a view of WASM memory, valid until releaseCuts(). */
export interface CutChunk {
  readonly id: number;
  readonly mint: number;
  readonly maxt: number;
  readonly data: Uint8Array;
}

export class OpenChunks {
  private readonly w: WasmExports;
  private buffer: ArrayBuffer;
  private u8: Uint8Array;
  private u32: Uint32Array;
  private f64: Float64Array;
  /** The page table: u32 addresses of the state pages. */
  private pages = 0;
  private capacity = 0;
  /** Input columns and cut records, sized for inCap samples. */
  private inPtr = 0;
  private inCap = 0;
  private cutsPtr = 0;
  private cuts = 0;

  constructor(samplesPerChunk: number, chunkRangeMs: number) {
    this.w = separateInstance();
    this.w.ocInit(samplesPerChunk, chunkRangeMs);
    this.buffer = this.w.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.ensure(1);
  }

  /** Re-derives the views after memory grew (a detached buffer has length 0). */
  private views(): void {
    if (this.u8.length !== 0) return;
    this.buffer = this.w.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
  }

  /** Makes room for series ids below n. */
  ensure(n: number): void {
    if (n <= this.capacity) return;
    if (this.w.ocEnsure(n) < 0) throw new WasmError(`open chunks: ${n} series exceed the state table's 2^25`);
    this.pages = this.w.ocStates();
    this.capacity = Math.ceil(n / (1 << PAGE_SHIFT)) << PAGE_SHIFT;
    this.views();
  }

  /** Input columns for n samples: fill them, then call append(n). */
  input(n: number): OpenChunkInput {
    if (n > this.inCap) {
      if (this.inPtr !== 0) this.w.ocFree(this.inPtr, this.inCap * (4 + 8 + 8 + CUT_SIZE));
      this.inCap = Math.max(1024, 2 ** Math.ceil(Math.log2(n)));
      this.inPtr = this.w.ocAlloc(this.inCap * (4 + 8 + 8 + CUT_SIZE));
      this.cutsPtr = this.inPtr + this.inCap * 20;
    }
    this.views();
    const p = this.inPtr;
    return {
      ids: new Uint32Array(this.buffer, p, n),
      ts: new Float64Array(this.buffer, p + this.inCap * 4, n),
      vs: new Float64Array(this.buffer, p + this.inCap * 12, n),
    };
  }

  /**
   * Appends the first n input samples (each newer than its series' last) and returns how
   * many chunks were cut; read them with cut(i), then call releaseCuts().
   */
  append(n: number): number {
    const p = this.inPtr;
    this.cuts = this.w.ocAppendMany(p, p + this.inCap * 4, p + this.inCap * 12, n, this.cutsPtr);
    this.views();
    return this.cuts;
  }

  cut(i: number): CutChunk {
    const r = this.cutsPtr + i * CUT_SIZE;
    const ptr = this.u32[(r + 4) >>> 2];
    return { id: this.u32[r >>> 2], mint: this.f64[(r + 16) >>> 3], maxt: this.f64[(r + 24) >>> 3], data: this.u8.subarray(ptr, ptr + this.u32[(r + 8) >>> 2]) };
  }

  /** Frees the cut chunks' buffers; their views are invalid afterwards. */
  releaseCuts(): void {
    if (this.cuts > 0) this.w.ocReleaseCuts(this.cutsPtr, this.cuts);
    this.cuts = 0;
  }

  /** Address of the series' state record. */
  private state(id: number): number {
    return this.u32[(this.pages >>> 2) + (id >>> PAGE_SHIFT)] + (id & ((1 << PAGE_SHIFT) - 1)) * STATE_SIZE;
  }

  /** Samples in the series' open chunk. */
  count(id: number): number {
    return id < this.capacity ? this.u32[(this.state(id) + S_COUNT) >>> 2] : 0;
  }

  /** Time of the open chunk's first sample (meaningful when count > 0). */
  mint(id: number): number {
    return this.f64[(this.state(id) + S_MINT) >>> 3];
  }

  /** A copy of the open chunk's bytes, or undefined when it has no samples. */
  bytes(id: number): Uint8Array | undefined {
    if (id >= this.capacity) return undefined;
    const s = this.state(id);
    if (this.u32[(s + S_COUNT) >>> 2] === 0) return undefined;
    const ptr = this.u32[(s + S_PTR) >>> 2];
    const bits = this.u32[(s + S_BITS) >>> 2];
    // As Prometheus' bit stream: a spare zero byte after whole-byte writes at a boundary.
    const len = (bits & 7) !== 0 ? (bits >>> 3) + 1 : (bits >>> 3) + this.u8[s + S_WHOLE];
    return this.u8.slice(ptr, ptr + len);
  }

  /** Forgets the series' open chunk. */
  drop(id: number): void {
    if (id < this.capacity) this.w.ocDrop(id);
  }

  /** Bytes of the store's WASM memory (state table, chunk buffers, free blocks). */
  memoryBytes(): number {
    return this.w.memory.buffer.byteLength;
  }
}
