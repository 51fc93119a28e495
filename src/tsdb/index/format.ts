// Constants and shared types of the index file (format v2, tsdb/docs/format/index.md).

export const INDEX_MAGIC = 0xbaaad700;
export const INDEX_VERSION_V1 = 1;
export const INDEX_VERSION_V2 = 2;
/** magic(4) + version(1). */
export const INDEX_HEADER_SIZE = 5;
/** Six 8-byte section refs and a CRC32C. */
export const INDEX_TOC_SIZE = 6 * 8 + 4;
/** Series entries start at multiples of this; a series' id is its offset / 16. */
export const SERIES_ALIGNMENT = 16;
/** The postings list of every series is stored under this (empty) label pair. */
export const ALL_POSTINGS_NAME = "";
export const ALL_POSTINGS_VALUE = "";

/** Where a chunk of a series lives and which time range it covers (inclusive). */
export interface ChunkMeta {
  readonly mint: number;
  readonly maxt: number;
  /** Chunk ref in the block's segment files: segment index << 32 | offset. */
  readonly ref: number;
}

export interface TableOfContents {
  readonly symbols: number;
  readonly series: number;
  readonly labelIndices: number;
  readonly labelIndicesTable: number;
  readonly postings: number;
  readonly postingsTable: number;
}
