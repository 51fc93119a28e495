// Compaction: writing the head's oldest range as a block, and merging blocks
// (leveled: 2h -> 6h -> 18h ... up to the max block duration; overlapping blocks are
// merged whatever their size). New blocks are written by BlockWriter into a temp dir,
// fsynced and renamed; the sources are removed by the caller afterwards, and a block
// that names them as parents makes any leftover sources deletable at the next open.
import { compareLabelSets } from "./encoding/strings.js";
import type { Labels } from "../model/labels.js";
import type { SampleBatch } from "../model/sample.js";
import type { Block } from "./block.js";
import { blockDesc, BlockWriter, cutChunks, type TimedChunk } from "./block-writer.js";
import type { BlockMeta } from "./block-meta.js";
import { Encoding } from "./chunkenc/chunk.js";
import { decodeXorChunks } from "./chunkenc/xor.js";
import type { Head } from "./head.js";
import { isDeleted } from "./tombstones/tombstones.js";
import { mergeBatches } from "../storage/merge.js";
import { newUlid } from "./ulid.js";

/** Block ranges for leveled compaction: minBlockDuration * 3^i up to maxBlockDuration. */
export function exponentialBlockRanges(minMs: number, maxMs: number): number[] {
  const out: number[] = [];
  for (let r = minMs; r <= maxMs && out.length < 10; r *= 3) out.push(r);
  if (out.length === 0) out.push(minMs);
  return out;
}

/** Start of the aligned range of width `width` that holds t. */
export function rangeStart(t: number, width: number): number {
  return Math.floor(t / width) * width;
}

/**
 * Which blocks to compact next, or undefined. Overlapping blocks come first; otherwise
 * the newest block is left alone and, for each larger range, a group of blocks that
 * fills the aligned range (or can no longer grow) is merged.
 */
export function planCompaction(metas: readonly BlockMeta[], ranges: readonly number[]): BlockMeta[] | undefined {
  const sorted = [...metas].sort((a, b) => a.minTime - b.minTime);
  // Vertical: overlapping blocks are merged into one.
  let group: BlockMeta[] = [];
  let groupMax = -Infinity;
  for (const m of sorted) {
    if (group.length > 0 && m.minTime < groupMax) {
      group.push(m);
      groupMax = Math.max(groupMax, m.maxTime);
      continue;
    }
    if (group.length > 1) return group;
    group = [m];
    groupMax = m.maxTime;
  }
  if (group.length > 1) return group;

  if (sorted.length < 2) return undefined;
  // The newest block stays out of planning (a window for backups of fresh blocks); a
  // group ending by the newest remaining block's start can no longer grow.
  const candidates = sorted.slice(0, -1);
  const highest = candidates[candidates.length - 1].minTime;
  for (const r of ranges.slice(1)) {
    const groups = new Map<number, BlockMeta[]>();
    for (const m of candidates) {
      const t0 = rangeStart(m.minTime, r);
      if (m.maxTime > t0 + r) continue; // already spans more than this range
      const g = groups.get(t0);
      if (g) g.push(m);
      else groups.set(t0, [m]);
    }
    for (const [, g] of [...groups].sort((a, b) => a[0] - b[0])) {
      if (g.length < 2) continue;
      const maxt = g[g.length - 1].maxTime;
      if (maxt - g[0].minTime === r || maxt <= highest) return g;
    }
  }
  // A large enough block with over 5% tombstones (or fully deleted) is rewritten alone.
  const bigEnough = ranges[Math.floor(ranges.length / 2)];
  for (let i = candidates.length - 1; i >= 0; i--) {
    const st = candidates[i].stats;
    const stones = st.numTombstones ?? 0;
    if (candidates[i].maxTime - candidates[i].minTime < bigEnough) {
      if (stones > 0 && stones >= st.numSeries) return [candidates[i]];
      break;
    }
    if (stones / (st.numSeries + 1) > 0.05) return [candidates[i]];
  }
  return undefined;
}

export interface CompactResult {
  readonly ulid: string;
  readonly meta: BlockMeta;
}

/** Writes the head's samples in [mint, maxt) as a level-1 block under dir. */
export async function compactHead(head: Head, dir: string, mint: number, maxt: number): Promise<BlockMeta | undefined> {
  const refs = Array.from(head.registry.allIds());
  const labels = new Map<number, Labels>();
  const symbols = new Set<string>();
  for (const ref of refs) {
    const s = head.series;
    if (s.mint[ref] >= maxt || (s.maxt[ref] < mint && !head.ooo.has(ref))) continue;
    const ls = head.labelsOf(ref);
    labels.set(ref, ls);
    for (const l of ls) {
      symbols.add(l.name);
      symbols.add(l.value);
    }
  }
  const order = [...labels.keys()].sort((a, b) => compareLabelSets(labels.get(a)!, labels.get(b)!));
  const ulid = newUlid();
  const w = await BlockWriter.create({ parentDir: dir, symbols, ulid });
  let written = 0;
  try {
    for (const ref of order) {
      const chunks = headChunksInRange(head, ref, mint, maxt - 1);
      if (chunks.length === 0) continue;
      await w.addSeries(labels.get(ref)!, chunks);
      written++;
    }
  } catch (cause) {
    await w.abort();
    throw new Error(`compact head [${mint}, ${maxt})`, { cause });
  }
  if (written === 0) {
    await w.abort();
    return undefined;
  }
  return w.finish({ minTime: mint, maxTime: maxt, compaction: { level: 1, sources: [ulid] } });
}

/**
 * A head series' chunks for [mint, maxt]. Cut chunks inside the range are copied as
 * they are on disk; only the open chunk is encoded. Series with out-of-order samples,
 * tombstones or a chunk crossing the range are re-encoded from their samples.
 */
function headChunksInRange(head: Head, ref: number, mint: number, maxt: number): TimedChunk[] {
  const reencode = (): TimedChunk[] => cutChunks(head.seriesSamples(ref, mint, maxt), head.opts.samplesPerChunk);
  if (head.ooo.has(ref) || head.tombstones.has(ref)) return reencode();
  const ch = head.chunks;
  const out: TimedChunk[] = [];
  let lastMaxt = -Infinity;
  for (let c = head.series.firstChunk[ref]; c >= 0; c = ch.next[c]) {
    if (ch.maxt[c] < mint || ch.mint[c] > maxt) continue;
    if (ch.mint[c] < mint || ch.maxt[c] > maxt) return reencode();
    out.push({ encoding: Encoding.XOR, bytes: head.chunkFiles.read(ch.fileRef[c]), mint: ch.mint[c], maxt: ch.maxt[c] });
    lastMaxt = ch.maxt[c];
  }
  const open = head.inOrderSamples(ref, Math.max(mint, lastMaxt + 1), maxt);
  // Cut chunks in range were all copied above, so this yields only open-chunk samples.
  if (open.ts.length > 0) out.push(...cutChunks(open, head.opts.samplesPerChunk));
  return out;
}

interface SourcePart {
  readonly chunks: TimedChunk[];
  readonly deleted: readonly { mint: number; maxt: number }[];
}

/** Walks one block's series in label order (series ids follow label order in the index). */
class BlockCursor {
  private readonly ids: Uint32Array;
  private i = 0;
  labels: Labels | undefined;
  private id = 0;
  constructor(private readonly block: Block) {
    this.ids = block.index.allPostings();
    this.advance();
  }
  advance(): void {
    if (this.i >= this.ids.length) {
      this.labels = undefined;
      return;
    }
    this.id = this.ids[this.i++];
    this.labels = this.block.index.series(this.id).labels;
  }
  /** The current series' live chunks (fully deleted ones dropped) and deleted intervals. */
  async part(): Promise<SourcePart> {
    const s = this.block.index.series(this.id);
    const deleted = this.block.tombstones.get(this.id);
    const metas = s.chunks.filter((c) => !deleted.some((iv) => iv.mint <= c.mint && iv.maxt >= c.maxt));
    const raw = metas.length ? await this.block.chunks.chunks(metas.map((m) => m.ref)) : [];
    return { chunks: raw.map((c, k) => ({ encoding: c.encoding, bytes: c.bytes, mint: metas[k].mint, maxt: metas[k].maxt })), deleted };
  }
}

/**
 * Merges blocks into one new block (dropping tombstoned samples), one series at a time
 * in label order so memory stays bounded by the largest series. Chunks are copied as
 * they are unless something in them is deleted or they overlap another block's.
 */
export async function compactBlocks(blocks: readonly Block[], dir: string): Promise<BlockMeta | undefined> {
  const symbols = new Set<string>();
  for (const b of blocks) for (const sym of b.index.symbols()) if (sym !== "") symbols.add(sym);
  const minTime = Math.min(...blocks.map((b) => b.meta.minTime));
  const maxTime = Math.max(...blocks.map((b) => b.meta.maxTime));
  const ulid = newUlid();
  const sources = new Set<string>();
  for (const b of blocks) for (const s of b.meta.compaction.sources ?? [b.ulid]) sources.add(s);
  const cursors = blocks.map((b) => new BlockCursor(b));
  const w = await BlockWriter.create({ parentDir: dir, symbols, ulid });
  let written = 0;
  try {
    for (;;) {
      let next: Labels | undefined;
      for (const c of cursors) if (c.labels && (!next || compareLabelSets(c.labels, next) < 0)) next = c.labels;
      if (!next) break;
      const parts: SourcePart[] = [];
      for (const c of cursors) {
        if (c.labels && compareLabelSets(c.labels, next) === 0) {
          parts.push(await c.part());
          c.advance();
        }
      }
      const chunks = mergeChunks(parts);
      if (chunks.length === 0) continue;
      await w.addSeries(next, chunks);
      written++;
    }
  } catch (cause) {
    await w.abort();
    throw new Error(`compact blocks ${blocks.map((b) => b.ulid).join(",")}`, { cause });
  }
  if (written === 0) {
    await w.abort();
    return undefined;
  }
  return w.finish({
    minTime,
    maxTime,
    compaction: {
      level: Math.max(...blocks.map((b) => b.meta.compaction.level)) + 1,
      sources: [...sources].sort(),
      parents: blocks.map((b) => blockDesc(b.meta)),
    },
  });
}

function mergeChunks(parts: readonly SourcePart[]): TimedChunk[] {
  const clean = parts.every((p) => p.deleted.length === 0 && p.chunks.every((c) => c.encoding === Encoding.XOR));
  if (parts.length === 1 && clean) return parts[0].chunks;
  if (clean) {
    // Several blocks: copy when their chunks do not overlap in time.
    const all = parts.flatMap((p) => p.chunks).sort((a, b) => a.mint - b.mint);
    let overlap = false;
    for (let i = 1; i < all.length; i++) if (all[i].mint <= all[i - 1].maxt) overlap = true;
    if (!overlap) return all;
  }
  const batches: SampleBatch[] = [];
  for (const p of parts) {
    const xor = p.chunks.filter((c) => c.encoding === Encoding.XOR).map((c) => c.bytes);
    let b = decodeXorChunks(xor, -Infinity, Infinity);
    if (p.deleted.length > 0) b = keepUndeleted(b, p.deleted);
    batches.push(b);
  }
  return cutChunks(mergeBatches(batches));
}

function keepUndeleted(b: SampleBatch, deleted: readonly { mint: number; maxt: number }[]): SampleBatch {
  const ts = new Float64Array(b.ts.length);
  const vs = new Float64Array(b.ts.length);
  let n = 0;
  for (let i = 0; i < b.ts.length; i++) {
    if (isDeleted(b.ts[i], deleted)) continue;
    ts[n] = b.ts[i];
    vs[n++] = b.vs[i];
  }
  return { ts: ts.subarray(0, n), vs: vs.subarray(0, n) };
}
