// A Querier over one block: matchers resolve to postings (set operations in
// WASM), series carry the chunk bytes they need and decode lazily, and samples
// inside tombstoned intervals are dropped.
import type { Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Querier, SampleScratch, SelectHints, Series } from "../storage/interface.js";
import { differencePostings, intersectPostings, unionPostings } from "../wasm/index.js";
import { Encoding } from "./chunkenc/chunk.js";
import { copySamplesInto, decodeXorChunks, decodeXorChunksInto } from "./chunkenc/xor.js";
import type { ChunkReader } from "./chunks/chunk-reader.js";
import { compareStrings } from "./encoding/strings.js";
import type { ChunkMeta } from "./index/format.js";
import type { IndexReader } from "./index/index-reader.js";
import { isDeleted, type Interval, type Tombstones } from "./tombstones/tombstones.js";

/**
 * Sorted ids of the series matching all matchers, with Prometheus semantics: a
 * matcher that accepts "" also accepts series without the label.
 */
export function postingsForMatchers(ix: IndexReader, matchers: readonly Matcher[]): Uint32Array {
  const include: Uint32Array[] = [];
  const exclude: Uint32Array[] = [];
  for (const m of matchers) {
    if (m.matchesEmpty()) {
      // Keep series without the label; drop those whose value does not match.
      const lists = ix.postingsForValues(m.name, (v) => !m.matches(v));
      if (lists.length > 0) exclude.push(unionPostings(lists));
    } else {
      const lists = m.type === "=" ? [ix.postings(m.name, m.value)] : ix.postingsForValues(m.name, (v) => m.matches(v));
      const u = lists.length === 1 ? lists[0] : unionPostings(lists);
      if (u.length === 0) return new Uint32Array(0);
      include.push(u);
    }
  }
  let out = include.length > 0 ? intersectPostings(include) : ix.allPostings();
  for (const ex of exclude) {
    if (out.length === 0) break;
    out = differencePostings(out, ex);
  }
  return out;
}

export interface BlockQuerierOptions {
  index: IndexReader;
  chunks: ChunkReader;
  tombstones: Tombstones;
  /** Inclusive range, ms. */
  mint: number;
  maxt: number;
}

export class BlockQuerier implements Querier {
  private readonly index: IndexReader;
  private readonly chunkReader: ChunkReader;
  private readonly tombstones: Tombstones;
  private readonly mint: number;
  private readonly maxt: number;
  private closed = false;

  constructor(options: BlockQuerierOptions) {
    this.index = options.index;
    this.chunkReader = options.chunks;
    this.tombstones = options.tombstones;
    this.mint = options.mint;
    this.maxt = options.maxt;
  }

  private check(): void {
    if (this.closed) throw new Error("block querier is closed");
  }

  select(_sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    return this.selectBlockSeries(hints, matchers);
  }

  /** Series sorted by labels (block ids follow label order), with their chunk bytes read and not yet decoded. */
  async selectBlockSeries(hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<BlockSeries[]> {
    this.check();
    const mint = Math.max(this.mint, hints?.start ?? -Infinity);
    const maxt = Math.min(this.maxt, hints?.end ?? Infinity);
    if (mint > maxt) return [];
    // Series ids follow label order, so the result is always sorted.
    const ids = postingsForMatchers(this.index, matchers);
    const picked: { labels: Labels; metas: ChunkMeta[]; deleted: readonly Interval[] }[] = [];
    const refs: number[] = [];
    for (const id of ids) {
      const s = this.index.series(id);
      const deleted = this.tombstones.get(id);
      const metas = s.chunks.filter((c) => c.maxt >= mint && c.mint <= maxt && !covered(c, deleted));
      if (metas.length === 0) continue;
      picked.push({ labels: s.labels, metas, deleted });
      for (const m of metas) refs.push(m.ref);
    }
    const chunks = await this.chunkReader.chunks(refs);
    const out: BlockSeries[] = [];
    let k = 0;
    for (const p of picked) {
      const data: Uint8Array[] = [];
      for (let i = 0; i < p.metas.length; i++, k++) {
        // Only float (XOR) samples exist in the Series interface; histogram chunks are skipped.
        if (chunks[k].encoding === Encoding.XOR) data.push(chunks[k].bytes);
      }
      out.push(new BlockSeries(p.labels, data, mint, maxt, p.deleted));
    }
    return out;
  }

  async labelNames(matchers: readonly Matcher[]): Promise<string[]> {
    this.check();
    if (matchers.length === 0) return this.index.labelNames();
    const names = new Set<string>();
    for (const id of postingsForMatchers(this.index, matchers)) for (const l of this.index.series(id).labels) names.add(l.name);
    return [...names].sort(compareStrings);
  }

  async labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    this.check();
    if (matchers.length === 0) return [...this.index.labelValues(name)];
    const values = new Set<string>();
    for (const id of postingsForMatchers(this.index, matchers)) {
      for (const l of this.index.series(id).labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort(compareStrings);
  }

  close(): void {
    this.closed = true;
  }
}

function covered(c: ChunkMeta, deleted: readonly Interval[]): boolean {
  for (const iv of deleted) if (iv.mint <= c.mint && iv.maxt >= c.maxt) return true;
  return false;
}

export class BlockSeries implements Series {
  readonly labels: Labels;
  private data: Uint8Array[] | undefined;
  private decoded: SampleBatch | undefined;
  readonly mint: number;
  readonly maxt: number;
  private readonly deleted: readonly Interval[];

  constructor(labels: Labels, data: Uint8Array[], mint: number, maxt: number, deleted: readonly Interval[]) {
    this.labels = labels;
    this.data = data;
    this.mint = mint;
    this.maxt = maxt;
    this.deleted = deleted;
  }

  /** The XOR chunks still to decode, when no tombstone applies; for decoding several blocks' chunks together. */
  rawChunks(): readonly Uint8Array[] | undefined {
    return this.deleted.length === 0 ? this.data : undefined;
  }

  samplesInto(scratch: SampleScratch): number {
    if (this.data === undefined || this.deleted.length > 0) return copySamplesInto(this.samples(), scratch);
    return decodeXorChunksInto(this.data, scratch, this.mint, this.maxt);
  }

  samples(): SampleBatch {
    if (this.decoded) return this.decoded;
    let batch = decodeXorChunks(this.data!, this.mint, this.maxt);
    if (this.deleted.length > 0) batch = dropDeleted(batch, this.deleted);
    this.decoded = batch;
    this.data = undefined;
    return batch;
  }
}

function dropDeleted(b: SampleBatch, deleted: readonly Interval[]): SampleBatch {
  const ts = new Float64Array(b.ts.length);
  const vs = new Float64Array(b.ts.length);
  let n = 0;
  for (let i = 0; i < b.ts.length; i++) {
    if (isDeleted(b.ts[i], deleted)) continue;
    ts[n] = b.ts[i];
    vs[n] = b.vs[i];
    n++;
  }
  return { ts: ts.subarray(0, n), vs: vs.subarray(0, n) };
}
