// Writes a block directory as Prometheus does: everything goes into
// <ulid>.tmp-for-creation, which is fsynced and renamed to <ulid> once complete.
// BlockWriter streams sorted series (compaction); writeBlock takes unsorted
// input with raw samples or encoded chunks (backfill, tests, head flush).
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Labels } from "../model/labels.js";
import type { SampleBatch } from "../model/sample.js";
import { BlockError } from "./block-errors.js";
import { writeBlockMeta, type BlockCompaction, type BlockDesc, type BlockMeta } from "./block-meta.js";
import { chunkNumSamples, Encoding, type Chunk } from "./chunkenc/chunk.js";
import { encodeXorChunks, SAMPLES_PER_CHUNK } from "./chunkenc/xor.js";
import { ChunkWriter } from "./chunks/chunk-writer.js";
import { compareLabelSets } from "./encoding/strings.js";
import type { ChunkMeta } from "./index/format.js";
import { IndexWriter } from "./index/index-writer.js";
import { Tombstones, writeTombstones } from "./tombstones/tombstones.js";
import { newUlid } from "./ulid.js";

export const TMP_FOR_CREATION_SUFFIX = ".tmp-for-creation";

/** An encoded chunk with the time range of its samples (inclusive). */
export interface TimedChunk extends Chunk {
  readonly mint: number;
  readonly maxt: number;
}

export interface BlockWriterOptions {
  /** The data dir the block is created in. */
  parentDir: string;
  /** Every label name and value of the series that will be added. */
  symbols: Iterable<string>;
  /** Defaults to a new ULID at the current time. */
  ulid?: string;
  segmentSizeBytes?: number;
}

export interface FinishOptions {
  /** Inclusive start of the block's range; defaults to the smallest chunk mint. */
  minTime?: number;
  /** Exclusive end; defaults to the largest chunk maxt + 1. */
  maxTime?: number;
  /** Defaults to level 1 with the block itself as the only source. */
  compaction?: BlockCompaction;
}

export class BlockWriter {
  readonly ulid: string;
  readonly parentDir: string;
  readonly tmpDir: string;
  private readonly chunkWriter: ChunkWriter;
  private readonly indexWriter: IndexWriter;
  private stats = { numSamples: 0, numSeries: 0, numChunks: 0 };
  private mint = Infinity;
  private maxt = -Infinity;
  private done = false;

  private constructor(parentDir: string, ulid: string, tmpDir: string, cw: ChunkWriter, iw: IndexWriter) {
    this.parentDir = parentDir;
    this.ulid = ulid;
    this.tmpDir = tmpDir;
    this.chunkWriter = cw;
    this.indexWriter = iw;
  }

  static async create(options: BlockWriterOptions): Promise<BlockWriter> {
    const ulid = options.ulid ?? newUlid();
    const tmpDir = join(options.parentDir, ulid + TMP_FOR_CREATION_SUFFIX);
    try {
      await rm(tmpDir, { recursive: true, force: true });
      await mkdir(tmpDir, { recursive: true });
      const cw = await ChunkWriter.create({ dir: join(tmpDir, "chunks"), segmentSizeBytes: options.segmentSizeBytes });
      const iw = await IndexWriter.create({ path: join(tmpDir, "index") });
      // Prometheus' head always holds the empty string (the all-postings key) among its symbols.
      await iw.addSymbols(["", ...options.symbols]);
      return new BlockWriter(options.parentDir, ulid, tmpDir, cw, iw);
    } catch (cause) {
      await rm(tmpDir, { recursive: true, force: true });
      throw new BlockError(tmpDir, "create block", undefined, { cause });
    }
  }

  /** Adds the next series in label order; chunks sorted by time. Series without chunks are skipped. */
  async addSeries(labels: Labels, chunks: readonly TimedChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const metas: ChunkMeta[] = [];
    for (const c of chunks) {
      const ref = await this.chunkWriter.write(c);
      metas.push({ mint: c.mint, maxt: c.maxt, ref });
      if (c.encoding === Encoding.XOR) this.stats.numSamples += chunkNumSamples(c);
      if (c.mint < this.mint) this.mint = c.mint;
      if (c.maxt > this.maxt) this.maxt = c.maxt;
    }
    await this.indexWriter.addSeries(labels, metas);
    this.stats.numSeries++;
    this.stats.numChunks += chunks.length;
  }

  /** Completes the block and moves it to <parentDir>/<ulid>. Returns its meta. */
  async finish(options: FinishOptions = {}): Promise<BlockMeta> {
    if (this.done) throw new Error(`block ${this.tmpDir}: already finished`);
    this.done = true;
    const meta: BlockMeta = {
      ulid: this.ulid,
      minTime: options.minTime ?? (this.stats.numChunks > 0 ? this.mint : 0),
      maxTime: options.maxTime ?? (this.stats.numChunks > 0 ? this.maxt + 1 : 0),
      stats: { ...this.stats },
      compaction: options.compaction ?? { level: 1, sources: [this.ulid] },
      version: 1,
    };
    const final = join(this.parentDir, this.ulid);
    let step = "close chunks";
    try {
      await this.chunkWriter.close();
      step = "write index";
      await this.indexWriter.close();
      step = "write meta.json";
      await writeBlockMeta(this.tmpDir, meta);
      step = "write tombstones";
      await writeTombstones(this.tmpDir, new Tombstones());
      step = "sync block dir";
      await syncDir(this.tmpDir);
      step = `rename to ${final}`;
      await rename(this.tmpDir, final);
      await syncDir(this.parentDir);
    } catch (cause) {
      await this.chunkWriter.close().catch(() => undefined);
      await this.indexWriter.abort().catch(() => undefined);
      await rm(this.tmpDir, { recursive: true, force: true });
      throw new BlockError(this.tmpDir, step, undefined, { cause });
    }
    return meta;
  }

  /** Drops the unfinished block. Idempotent. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.chunkWriter.close().catch(() => undefined);
    await this.indexWriter.abort().catch(() => undefined);
    await rm(this.tmpDir, { recursive: true, force: true });
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** One series to write: raw samples (cut into chunks of 120) or encoded chunks. */
export interface BlockSeriesInput {
  readonly labels: Labels;
  /** Sorted by time, no duplicate timestamps. */
  readonly samples?: SampleBatch;
  /** Sorted by time, non-overlapping. */
  readonly chunks?: readonly TimedChunk[];
}

export interface WriteBlockOptions extends FinishOptions {
  ulid?: string;
  segmentSizeBytes?: number;
  samplesPerChunk?: number;
}

/** Writes series (any order) as a new block under parentDir and returns its ULID. */
export async function writeBlock(parentDir: string, input: Iterable<BlockSeriesInput>, opts: WriteBlockOptions = {}): Promise<string> {
  const series = [...input].sort((a, b) => compareLabelSets(a.labels, b.labels));
  const symbols = new Set<string>();
  for (let i = 0; i < series.length; i++) {
    if (i > 0 && compareLabelSets(series[i - 1].labels, series[i].labels) === 0) {
      throw new Error(`write block: series ${JSON.stringify(series[i].labels)} given twice`);
    }
    for (const l of series[i].labels) {
      symbols.add(l.name);
      symbols.add(l.value);
    }
  }
  const w = await BlockWriter.create({ parentDir, symbols, ulid: opts.ulid, segmentSizeBytes: opts.segmentSizeBytes });
  try {
    for (const s of series) await w.addSeries(s.labels, s.chunks ?? cutChunks(s.samples, opts.samplesPerChunk ?? SAMPLES_PER_CHUNK));
  } catch (cause) {
    await w.abort();
    throw new BlockError(w.tmpDir, "write series", undefined, { cause });
  }
  await w.finish(opts);
  return w.ulid;
}

/** Cuts sorted samples into XOR chunks of at most perChunk samples. */
export function cutChunks(samples: SampleBatch | undefined, perChunk: number = SAMPLES_PER_CHUNK): TimedChunk[] {
  if (!samples || samples.ts.length === 0) return [];
  const { ts, vs } = samples;
  // One WASM call for the whole series.
  return encodeXorChunks(ts, vs, perChunk).map((c, k) => ({
    ...c,
    mint: ts[k * perChunk],
    maxt: ts[Math.min(ts.length, (k + 1) * perChunk) - 1],
  }));
}

/** Block descriptors for meta.json compaction parents. */
export function blockDesc(meta: BlockMeta): BlockDesc {
  return { ulid: meta.ulid, minTime: meta.minTime, maxTime: meta.maxTime };
}
