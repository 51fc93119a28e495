// Layout constants and ref packing for block chunk segment files (chunks/000001, ...).

export const SEGMENT_MAGIC = 0x85bd40dd;
export const SEGMENT_VERSION = 1;
/** magic(4) + version(1) + padding(3). */
export const SEGMENT_HEADER_SIZE = 8;
export const DEFAULT_SEGMENT_SIZE_BYTES = 512 * 1024 * 1024;
/** CRC32C after each chunk. */
export const CHUNK_CRC_SIZE = 4;

const TWO_32 = 0x1_0000_0000;

/** A chunk ref: segment index (0-based position in the sorted file list) << 32 | byte offset. */
export function packChunkRef(segmentIndex: number, offset: number): number {
  return segmentIndex * TWO_32 + offset;
}

export function unpackChunkRef(ref: number): { segmentIndex: number; offset: number } {
  return { segmentIndex: Math.floor(ref / TWO_32), offset: ref % TWO_32 };
}

/** File name for a 1-based segment sequence number: 000001. */
export function segmentFileName(seq: number): string {
  return String(seq).padStart(6, "0");
}
