// Chunk types as stored in block segment files and head chunks. Only the XOR
// float encoding is decoded here; histogram chunks are carried as raw bytes.
import type { SampleBatch } from "../../model/sample.js";
import { CorruptionError } from "../encoding/errors.js";
import { decodeXorChunk, decodeXorChunkRange } from "./xor.js";

/** Encoding byte values, as Prometheus' chunkenc.Encoding. */
export const Encoding = {
  None: 0,
  XOR: 1,
  Histogram: 2,
  FloatHistogram: 3,
} as const;
export type EncodingValue = (typeof Encoding)[keyof typeof Encoding];

export function encodingName(e: number): string {
  switch (e) {
    case Encoding.None:
      return "none";
    case Encoding.XOR:
      return "XOR";
    case Encoding.Histogram:
      return "histogram";
    case Encoding.FloatHistogram:
      return "floathistogram";
    default:
      return `<unknown ${e}>`;
  }
}

export interface Chunk {
  readonly encoding: number;
  /** The chunk data, without the segment file's length prefix, encoding byte and CRC. */
  readonly bytes: Uint8Array;
}

export class UnsupportedEncodingError extends Error {
  readonly encoding: number;
  constructor(encoding: number) {
    super(`unsupported chunk encoding ${encodingName(encoding)}`);
    this.name = "UnsupportedEncodingError";
    this.encoding = encoding;
  }
}

/** Sample count from the 2-byte big-endian header every Prometheus chunk encoding starts with. */
export function chunkNumSamples(chunk: Chunk): number {
  if (chunk.bytes.length < 2) throw new CorruptionError(`chunk of ${chunk.bytes.length} bytes has no sample count`);
  return (chunk.bytes[0] << 8) | chunk.bytes[1];
}

/** All float samples of the chunk. Throws UnsupportedEncodingError for histogram chunks. */
export function chunkSamples(chunk: Chunk): SampleBatch {
  if (chunk.encoding !== Encoding.XOR) throw new UnsupportedEncodingError(chunk.encoding);
  return decodeXorChunk(chunk.bytes);
}

/** Float samples with mint <= t <= maxt. */
export function chunkSamplesInRange(chunk: Chunk, mint: number, maxt: number): SampleBatch {
  if (chunk.encoding !== Encoding.XOR) throw new UnsupportedEncodingError(chunk.encoding);
  return decodeXorChunkRange(chunk.bytes, mint, maxt);
}
