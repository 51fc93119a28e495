// An on-disk block opened for reading: meta.json, index, chunk segments and
// tombstones. Each failing step is named in the error (InvalidBlockError when
// the dir is not a block at all, BlockError wrapping a CorruptionError otherwise).
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Matcher } from "../model/matcher.js";
import { BlockError, InvalidBlockError } from "./block-errors.js";
import { readBlockMeta, writeBlockMeta, type BlockMeta } from "./block-meta.js";
import { BlockQuerier, postingsForMatchers } from "./block-querier.js";
import { ChunkReader } from "./chunks/chunk-reader.js";
import { IndexReader } from "./index/index-reader.js";
import { readTombstones, writeTombstones, type Tombstones } from "./tombstones/tombstones.js";


export class Block {
  readonly dir: string;
  meta: BlockMeta;
  readonly index: IndexReader;
  readonly chunks: ChunkReader;
  tombstones: Tombstones;
  private metaSizeBytes: number;
  private tombstonesSizeBytes: number;
  private closed = false;

  private constructor(o: { dir: string; meta: BlockMeta; metaSizeBytes: number; index: IndexReader; chunks: ChunkReader; tombstones: Tombstones; tombstonesSizeBytes: number }) {
    this.dir = o.dir;
    this.meta = o.meta;
    this.metaSizeBytes = o.metaSizeBytes;
    this.index = o.index;
    this.chunks = o.chunks;
    this.tombstones = o.tombstones;
    this.tombstonesSizeBytes = o.tombstonesSizeBytes;
  }

  /** @internal use openBlock. */
  static async open(dir: string): Promise<Block> {
    let st;
    try {
      st = await stat(dir);
    } catch (cause) {
      throw new InvalidBlockError(dir, "open block dir", undefined, { cause });
    }
    if (!st.isDirectory()) throw new InvalidBlockError(dir, "open block dir", "not a directory");
    const { meta, sizeBytes: metaSizeBytes } = await readBlockMeta(dir);
    let index: IndexReader;
    try {
      index = await IndexReader.open({ path: join(dir, "index") });
    } catch (cause) {
      throw new BlockError(dir, "open index", undefined, { cause });
    }
    let chunks: ChunkReader;
    try {
      chunks = await ChunkReader.open({ dir: join(dir, "chunks") });
    } catch (cause) {
      throw new BlockError(dir, "open chunks", undefined, { cause });
    }
    try {
      const { tombstones, sizeBytes } = await readTombstones(dir);
      return new Block({ dir, meta, metaSizeBytes, index, chunks, tombstones, tombstonesSizeBytes: sizeBytes });
    } catch (cause) {
      await chunks.close();
      throw new BlockError(dir, "read tombstones", undefined, { cause });
    }
  }

  get ulid(): string {
    return this.meta.ulid;
  }

  get minTime(): number {
    return this.meta.minTime;
  }

  /** Exclusive. */
  get maxTime(): number {
    return this.meta.maxTime;
  }

  /** Bytes on disk: index + chunks + tombstones + meta.json. */
  size(): number {
    return this.index.size() + this.chunks.size() + this.tombstonesSizeBytes + this.metaSizeBytes;
  }

  /** A querier over [mint, maxt] (inclusive). */
  querier(mint: number, maxt: number): BlockQuerier {
    if (this.closed) throw new Error(`block ${this.dir}: closed`);
    // Clamped to the block, so that a select whose window misses the block skips its postings.
    return new BlockQuerier({ index: this.index, chunks: this.chunks, tombstones: this.tombstones, mint: Math.max(mint, this.minTime), maxt: Math.min(maxt, this.maxTime) });
  }

  /**
   * Marks samples in [mint, maxt] of matching series as deleted: adds tombstones,
   * rewrites the tombstones file and meta.json's numTombstones.
   */
  async delete(mint: number, maxt: number, matchers: readonly Matcher[]): Promise<void> {
    if (this.closed) throw new Error(`block ${this.dir}: closed`);
    let changed = false;
    for (const id of postingsForMatchers(this.index, matchers)) {
      const s = this.index.series(id);
      if (s.chunks.some((c) => c.maxt >= mint && c.mint <= maxt)) {
        this.tombstones.add(id, { mint, maxt });
        changed = true;
      }
    }
    if (!changed) return;
    try {
      this.tombstonesSizeBytes = await writeTombstones(this.dir, this.tombstones);
      this.meta = { ...this.meta, stats: { ...this.meta.stats, numTombstones: this.tombstones.count() } };
      this.metaSizeBytes = await writeBlockMeta(this.dir, this.meta);
    } catch (cause) {
      throw new BlockError(this.dir, "write tombstones", undefined, { cause });
    }
  }

  /** Idempotent. Queriers must not be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.index.close();
    await this.chunks.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Opens a block directory; errors name the dir and the step that failed. */
export async function openBlock(dir: string): Promise<Block> {
  return Block.open(dir);
}
