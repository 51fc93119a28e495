// The whole export surface of build/wasm/promwasm.wasm, typed in one place. No other
// file declares it. Every export takes and returns numbers: pointers and lengths are
// byte offsets into `memory`, counts are element counts, negatives are status codes
// (see errors.ts). Timestamps cross as f64 because ms values fit in 2^53 and i64
// would cross as BigInt.

export interface WasmExports {
  readonly memory: WebAssembly.Memory;
  /** Bump-allocates `size` bytes (8-aligned) in the scratch arena. */
  arenaAlloc(size: number): number;
  /** Drops every arena allocation; call before each bulk operation. */
  arenaReset(): void;

  /** Encodes n samples (f64 ts, f64 vs) into out; returns chunk byte length or status. */
  xorEncode(tsPtr: number, vsPtr: number, n: number, outPtr: number): number;
  /**
   * Encodes n samples as consecutive chunks of perChunk samples, back to back at out, with
   * each chunk's byte length as u32 at lensPtr; returns the total byte length or status.
   */
  xorEncodeMany(tsPtr: number, vsPtr: number, n: number, perChunk: number, outPtr: number, lensPtr: number): number;
  /**
   * Decodes one chunk into tsOut/vsOut, keeping samples with mint <= t <= maxt; returns the
   * number written or a status. scratchPtr needs XOR_REVERSE_PAD + chunkLen + 8 bytes.
   */
  xorDecode(chunkPtr: number, chunkLen: number, tsOut: number, vsOut: number, mint: number, maxt: number, scratchPtr: number): number;
  /**
   * Like xorDecode over n chunks described by (ptr u32, len u32) pairs at tablePtr; returns
   * total written. scratchPtr needs XOR_REVERSE_PAD + the longest chunk + 8 bytes.
   */
  xorDecodeMany(tablePtr: number, n: number, tsOut: number, vsOut: number, mint: number, maxt: number, scratchPtr: number): number;

  /** Intersects k sorted u32 lists described by (ptr u32, len u32) pairs; returns length written to out. */
  postingsIntersect(tablePtr: number, k: number, outPtr: number): number;
  /** Merges k sorted u32 lists without duplicates; scratch needs 12*k bytes; returns length. */
  postingsUnion(tablePtr: number, k: number, outPtr: number, scratchPtr: number): number;
  /** Writes a \ b; returns length. */
  postingsDifference(aPtr: number, aLen: number, bPtr: number, bLen: number, outPtr: number): number;

  // The head's open chunks (assembly/head/open-chunks.ts), on an instance of their own.
  /** Sets samples per chunk and the chunk range (ms); once, first. */
  ocInit(samplesPerChunk: number, chunkRangeMs: number): void;
  /** Makes room for series ids below n; 0, or -1 beyond 2^26. */
  ocEnsure(n: number): number;
  /** Address of the per-series state table (moves when ocEnsure grows it). */
  ocStates(): number;
  /** A block of at least `bytes`, kept until ocFree. */
  ocAlloc(bytes: number): number;
  ocFree(ptr: number, bytes: number): void;
  /** Drops a series' open chunk. */
  ocDrop(id: number): void;
  /** Appends n samples (u32 ids, f64 ts, f64 vs); writes cut records at cutsPtr; returns their count. */
  ocAppendMany(idsPtr: number, tsPtr: number, vsPtr: number, n: number, cutsPtr: number): number;
  /** Frees the chunk buffers of k cut records. */
  ocReleaseCuts(cutsPtr: number, k: number): void;
}

/**
 * Bytes the decoder zeroes below its byte-reversed copy of a chunk's bit stream: reads past
 * the end of the stream land there (assembly/xor/decode.ts XOR_REVERSE_PAD).
 */
export const XOR_REVERSE_PAD = 32;
