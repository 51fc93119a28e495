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
import { mergeSampleBatches } from "./querier.js";
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
  const candidates = sorted.slice(0, -1);
  // The newest block stays out of planning; ranges ending by its start can no longer grow.
  const highest = sorted[sorted.length - 1].minTime;
  for (const r of ranges.slice(1)) {
    const groups = new Map<number, BlockMeta[]>();
    for (const m of candidates) {
      const t0 = rangeStart(m.minTime, r);
      if (m.maxTime > t0 + r) continue; // already spans more than this range
      const g = groups.get(t0);
      if (g) g.push(m);
      else groups.set(t0, [m]);
    }
    for (const [t0, g] of [...groups].sort((a, b) => a[0] - b[0])) {
      if (g.length < 2) continue;
      const maxt = g[g.length - 1].maxTime;
      if (maxt - g[0].minTime === r || maxt <= highest) return g;
    }
  }
  return undefined;
}

export interface CompactResult {
  readonly ulid: string;
  readonly meta: BlockMeta;
}

/** Writes the head's samples in [mint, maxt) as a level-1 block under dir. */
export async function compactHead(head: Head, dir: string, mint: number, maxt: number): Promise<BlockMeta | undefined> {
  const refs = Array.from(head.allPostings.view());
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
      const b = head.seriesSamples(ref, mint, maxt - 1);
      if (b.ts.length === 0) continue;
      await w.addSeries(labels.get(ref)!, cutChunks(b, head.opts.samplesPerChunk));
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

interface SourceSeries {
  readonly labels: Labels;
  /** Per source block: its chunks (already read) and deleted intervals. */
  readonly parts: { chunks: TimedChunk[]; block: number; deleted: readonly { mint: number; maxt: number }[] }[];
}

/**
 * Merges blocks into one new block (dropping tombstoned samples). Chunks are copied
 * as they are when one block holds the series and nothing in them is deleted;
 * otherwise samples are decoded, merged and re-encoded.
 */
export async function compactBlocks(blocks: readonly Block[], dir: string): Promise<BlockMeta | undefined> {
  const byKey = new Map<string, SourceSeries>();
  const symbols = new Set<string>();
  for (let bi = 0; bi < blocks.length; bi++) {
    const b = blocks[bi];
    const ids = b.index.allPostings();
    for (const id of ids) {
      const s = b.index.series(id);
      const deleted = b.tombstones.get(id);
      const metas = s.chunks.filter((c) => !deleted.some((iv) => iv.mint <= c.mint && iv.maxt >= c.maxt));
      if (metas.length === 0) continue;
      const raw = await b.chunks.chunks(metas.map((m) => m.ref));
      const chunks: TimedChunk[] = raw.map((c, i) => ({ encoding: c.encoding, bytes: c.bytes, mint: metas[i].mint, maxt: metas[i].maxt }));
      let key = "";
      for (const l of s.labels) key += l.name + "\xfe" + l.value + "\xff";
      let entry = byKey.get(key);
      if (!entry) {
        byKey.set(key, (entry = { labels: s.labels, parts: [] }));
        for (const l of s.labels) {
          symbols.add(l.name);
          symbols.add(l.value);
        }
      }
      entry.parts.push({ chunks, block: bi, deleted });
    }
  }
  const series = [...byKey.values()].sort((a, b) => compareLabelSets(a.labels, b.labels));
  const minTime = Math.min(...blocks.map((b) => b.meta.minTime));
  const maxTime = Math.max(...blocks.map((b) => b.meta.maxTime));
  const ulid = newUlid();
  const sources = new Set<string>();
  for (const b of blocks) for (const s of b.meta.compaction.sources ?? [b.ulid]) sources.add(s);
  const w = await BlockWriter.create({ parentDir: dir, symbols, ulid });
  let written = 0;
  try {
    for (const s of series) {
      const chunks = mergeChunks(s);
      if (chunks.length === 0) continue;
      await w.addSeries(s.labels, chunks);
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

function mergeChunks(s: SourceSeries): TimedChunk[] {
  const clean = s.parts.every((p) => p.deleted.length === 0 && p.chunks.every((c) => c.encoding === Encoding.XOR));
  if (s.parts.length === 1 && clean) return s.parts[0].chunks;
  if (clean) {
    // Several blocks: copy when their chunks do not overlap in time.
    const all = s.parts.flatMap((p) => p.chunks).sort((a, b) => a.mint - b.mint);
    let overlap = false;
    for (let i = 1; i < all.length; i++) if (all[i].mint <= all[i - 1].maxt) overlap = true;
    if (!overlap) return all;
  }
  const batches: SampleBatch[] = [];
  for (const p of s.parts) {
    const xor = p.chunks.filter((c) => c.encoding === Encoding.XOR).map((c) => c.bytes);
    let b = decodeXorChunks(xor, -Infinity, Infinity);
    if (p.deleted.length > 0) b = keepUndeleted(b, p.deleted);
    batches.push(b);
  }
  return cutChunks(mergeSampleBatches(batches));
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
