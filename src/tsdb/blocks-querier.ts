// A Querier over blocks that do not overlap in time, oldest first: the usual state after
// compaction. A series found in several blocks becomes one series whose chunks from all
// of them are decoded in one WASM call, instead of decoded block by block and copied
// together; each block's series come sorted by labels, so they are joined by a merge of
// sorted lists rather than through label keys.
import type { Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Querier, SampleScratch, SelectHints, Series } from "../storage/interface.js";
import { MergeQuerier, mergeBatches } from "../storage/merge.js";
import type { BlockQuerier, BlockSeries } from "./block-querier.js";
import { copySamplesInto, decodeXorChunks, decodeXorChunksInto } from "./chunkenc/xor.js";
import { compareLabelSets } from "./encoding/strings.js";

/** True when each block ends before the next one starts (blocks ordered by minTime; maxTime is exclusive). */
export function disjointInTime(blocks: readonly { readonly minTime: number; readonly maxTime: number }[]): boolean {
  for (let i = 1; i < blocks.length; i++) if (blocks[i].minTime < blocks[i - 1].maxTime) return false;
  return true;
}

class ConcatSeries implements Series {
  private cached: SampleBatch | undefined;
  constructor(
    readonly labels: Labels,
    private readonly parts: readonly BlockSeries[],
  ) {}

  samplesInto(scratch: SampleScratch): number {
    const raw = this.raw();
    if (raw === undefined) return copySamplesInto(this.samples(), scratch);
    return decodeXorChunksInto(raw.chunks, scratch, raw.mint, raw.maxt);
  }

  /** All parts' chunks and range, when every part still has its raw chunks. */
  private raw(): { chunks: Uint8Array[]; mint: number; maxt: number } | undefined {
    if (this.cached) return undefined;
    const chunks: Uint8Array[] = [];
    let mint = Infinity;
    let maxt = -Infinity;
    for (const p of this.parts) {
      const raw = p.rawChunks();
      if (raw === undefined) return undefined;
      for (const c of raw) chunks.push(c);
      mint = Math.min(mint, p.mint);
      maxt = Math.max(maxt, p.maxt);
    }
    return { chunks, mint, maxt };
  }

  samples(): SampleBatch {
    if (this.cached) return this.cached;
    const raw = this.raw();
    // Tombstones: each part gives its own samples.
    this.cached = raw ? decodeXorChunks(raw.chunks, raw.mint, raw.maxt) : mergeBatches(this.parts.map((x) => x.samples()));
    return this.cached;
  }
}

export class DisjointBlocksQuerier implements Querier {
  private readonly merged: MergeQuerier;

  /** blocks: queriers of blocks disjoint in time, oldest first. */
  constructor(private readonly blocks: readonly BlockQuerier[]) {
    this.merged = new MergeQuerier({ primaries: blocks });
  }

  async select(_sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    const lists = await Promise.all(this.blocks.map((q) => q.selectBlockSeries(hints, matchers)));
    const pos = new Array<number>(lists.length).fill(0);
    const out: Series[] = [];
    const parts: BlockSeries[] = [];
    for (;;) {
      let min: Labels | undefined;
      for (let b = 0; b < lists.length; b++) {
        if (pos[b] >= lists[b].length) continue;
        const l = lists[b][pos[b]].labels;
        if (min === undefined || compareLabelSets(l, min) < 0) min = l;
      }
      if (min === undefined) break;
      parts.length = 0;
      // In block order, which is time order.
      for (let b = 0; b < lists.length; b++) {
        if (pos[b] < lists[b].length && compareLabelSets(lists[b][pos[b]].labels, min) === 0) parts.push(lists[b][pos[b]++]);
      }
      out.push(parts.length === 1 ? parts[0] : new ConcatSeries(min, parts.slice()));
    }
    return out;
  }

  labelNames(matchers: readonly Matcher[]): Promise<string[]> {
    return this.merged.labelNames(matchers);
  }

  labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    return this.merged.labelValues(name, matchers);
  }

  close(): void {
    this.merged.close();
  }
}
