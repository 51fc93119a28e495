// XOR (Gorilla) float chunks. The bit-level work happens in WASM (src/wasm);
// this file adapts it to the Chunk type and wraps decode failures with context.
import type { SampleBatch } from "../../model/sample.js";
import type { SampleScratch } from "../../storage/interface.js";
import { decodeXor, decodeXorInto, decodeXorMany, decodeXorRange, encodeXor, encodeXorMany, xorSampleCount } from "../../wasm/index.js";
import { CorruptionError } from "../encoding/errors.js";
import { Encoding, type Chunk } from "./chunk.js";

/** Prometheus cuts a chunk after this many samples. */
export const SAMPLES_PER_CHUNK = 120;

/** Encodes samples [start, end) of ts/vs into one XOR chunk. */
export function encodeXorChunk(ts: Float64Array, vs: Float64Array, start = 0, end = ts.length): Chunk {
  if (end - start > 0xffff) throw new RangeError(`XOR chunk: ${end - start} samples exceed the 65535 a chunk can count`);
  return { encoding: Encoding.XOR, bytes: encodeXor(ts, vs, start, end) };
}

/** Cuts samples [start, end) into XOR chunks of at most perChunk samples, in one WASM call. */
export function encodeXorChunks(ts: Float64Array, vs: Float64Array, perChunk: number, start = 0, end = ts.length): Chunk[] {
  if (perChunk > 0xffff) throw new RangeError(`XOR chunk: ${perChunk} samples exceed the 65535 a chunk can count`);
  return encodeXorMany(ts, vs, perChunk, start, end).map((bytes) => ({ encoding: Encoding.XOR, bytes }));
}

export function decodeXorChunk(bytes: Uint8Array): SampleBatch {
  try {
    return decodeXor(bytes);
  } catch (cause) {
    throw new CorruptionError(`decode XOR chunk of ${bytes.length} bytes`, { cause });
  }
}

export function decodeXorChunkRange(bytes: Uint8Array, mint: number, maxt: number): SampleBatch {
  try {
    return decodeXorRange(bytes, mint, maxt);
  } catch (cause) {
    throw new CorruptionError(`decode XOR chunk of ${bytes.length} bytes`, { cause });
  }
}

/** Samples with mint <= t <= maxt of several XOR chunks of one series (time-ordered), in one WASM call. */
export function decodeXorChunks(chunks: readonly Uint8Array[], mint: number, maxt: number): SampleBatch {
  try {
    return decodeXorMany(chunks, mint, maxt);
  } catch (cause) {
    throw new CorruptionError(`decode ${chunks.length} XOR chunks`, { cause });
  }
}

/** Like decodeXorChunks, into scratch (grown to the chunks' sample count when short); returns the count. */
export function decodeXorChunksInto(chunks: readonly Uint8Array[], scratch: SampleScratch, mint: number, maxt: number): number {
  try {
    let total = 0;
    for (const c of chunks) total += xorSampleCount(c);
    if (scratch.ts.length < total) {
      const size = Math.max(total, 2 * scratch.ts.length);
      scratch.ts = new Float64Array(size);
      scratch.vs = new Float64Array(size);
    }
    return decodeXorInto(chunks, scratch.ts, scratch.vs, 0, mint, maxt);
  } catch (cause) {
    throw new CorruptionError(`decode ${chunks.length} XOR chunks`, { cause });
  }
}

/** Copies decoded samples into scratch (grown when short); returns the count. */
export function copySamplesInto(b: SampleBatch, scratch: SampleScratch): number {
  const n = b.ts.length;
  if (scratch.ts.length < n) {
    scratch.ts = new Float64Array(Math.max(n, 2 * scratch.ts.length));
    scratch.vs = new Float64Array(scratch.ts.length);
  }
  scratch.ts.set(b.ts);
  scratch.vs.set(b.vs);
  return n;
}
