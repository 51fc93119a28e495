// The head's read path: postings for matchers (set operations in WASM), label names
// and values, and lazy series: a select only collects each series' chunk refs; the cut
// chunks of all its series are read from chunks_head/ in one batch when the first series
// is iterated, and a series' chunks are decoded in one WASM call when it is.
import type { Labels } from "../model/labels.js";
import { compareLabelSets, compareStrings } from "./encoding/strings.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Querier, SampleScratch, SelectHints, Series } from "../storage/interface.js";
import { differencePostings, intersectPostings, unionPostings } from "../wasm/index.js";
import { copySamplesInto, decodeXorChunks, decodeXorChunksInto } from "./chunkenc/xor.js";
import type { Head } from "./head.js";

const EMPTY = new Uint32Array(0);
const NO_SAMPLES: SampleBatch = { ts: new Float64Array(0), vs: new Float64Array(0) };

/** Ids of head series matching all matchers, ascending (Prometheus' PostingsForMatchers). */
export function headPostingsForMatchers(head: Head, matchers: readonly Matcher[]): Uint32Array {
  const its: Uint32Array[] = [];
  const nots: Uint32Array[] = [];
  for (const m of matchers) {
    const byValue = head.registry.values(m.name);
    if (m.matchesEmpty()) {
      // Series without the label match too, so remove those whose value does not match.
      if (!byValue) continue;
      const lists: Uint32Array[] = [];
      for (const [value, list] of byValue) if (!m.matches(value)) lists.push(list.view());
      if (lists.length) nots.push(lists.length === 1 ? lists[0] : unionPostings(lists));
      continue;
    }
    if (!byValue) return EMPTY;
    if (m.type === "=") {
      const list = byValue.get(m.value);
      if (!list) return EMPTY;
      its.push(list.view());
      continue;
    }
    const lists: Uint32Array[] = [];
    for (const [value, list] of byValue) if (m.matches(value)) lists.push(list.view());
    if (lists.length === 0) return EMPTY;
    its.push(lists.length === 1 ? lists[0] : unionPostings(lists));
  }
  let result = its.length === 0 ? head.registry.allIds() : its.length === 1 ? its[0] : intersectPostings(its);
  for (const n of nots) {
    if (result.length === 0) break;
    result = differencePostings(result, n);
  }
  return result;
}

/** The cut chunks a select needs, read from chunks_head/ together on first use. */
class ChunkBatch {
  readonly refs: number[] = [];
  private bytes: Uint8Array[] | undefined;
  constructor(private readonly head: Head) {}

  /** Bytes of chunks [from, to) of the batch. */
  get(from: number, to: number): Uint8Array[] {
    this.bytes ??= this.head.chunkFiles.readMany(this.refs);
    return this.bytes.slice(from, to);
  }
}

/** A series whose in-order chunks are decoded when first iterated. */
class HeadSeries implements Series {
  private cached: SampleBatch | undefined;
  constructor(
    readonly labels: Labels,
    private readonly head: Head,
    private readonly id: number,
    private readonly mint: number,
    private readonly maxt: number,
    private readonly batch: ChunkBatch,
    private readonly from: number,
    private readonly to: number,
    /** The series' first and last cut chunk at select time. */
    private readonly firstChunk: number,
    private readonly lastChunk: number,
  ) {}

  /** The series' in-order chunk bytes, or undefined when a chunk was cut or truncated since the select. */
  private chunks(): Uint8Array[] | undefined {
    const { head, id, mint, maxt } = this;
    const s = head.series;
    if (s.firstChunk[id] !== this.firstChunk || s.lastChunk[id] !== this.lastChunk) return undefined;
    const chunks = this.batch.get(this.from, this.to);
    if (head.open.count(id) > 0 && s.maxt[id] >= mint && head.open.mint(id) <= maxt) {
      const open = head.open.bytes(id);
      if (open) chunks.push(open);
    }
    return chunks;
  }

  samplesInto(scratch: SampleScratch): number {
    const chunks = this.cached ? undefined : this.chunks();
    if (chunks === undefined) return copySamplesInto(this.samples(), scratch);
    return chunks.length === 0 ? 0 : decodeXorChunksInto(chunks, scratch, this.mint, this.maxt);
  }

  samples(): SampleBatch {
    if (this.cached) return this.cached;
    const chunks = this.chunks();
    // Stale refs: read the series afresh.
    if (chunks === undefined) this.cached = this.head.seriesSamples(this.id, this.mint, this.maxt);
    else this.cached = chunks.length === 0 ? NO_SAMPLES : decodeXorChunks(chunks, this.mint, this.maxt);
    return this.cached;
  }
}

/** A querier over the head's committed samples in [mint, maxt]. */
export class HeadQuerier implements Querier {
  constructor(
    private readonly head: Head,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  /** True when the series may hold samples inside [mint, maxt]. */
  private overlaps(id: number, mint: number, maxt: number): boolean {
    const s = this.head.series;
    return this.head.registry.isAlive(id) && s.mint[id] <= maxt && (s.maxt[id] >= mint || this.head.ooo.has(id));
  }

  async select(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    return this.selectSync(sorted, hints, matchers);
  }

  selectSync(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Series[] {
    const mint = hints ? Math.max(this.mint, hints.start) : this.mint;
    const maxt = hints ? Math.min(this.maxt, hints.end) : this.maxt;
    const head = this.head;
    const s = head.series;
    const ch = head.chunks;
    const refs = headPostingsForMatchers(head, matchers);
    const batch = new ChunkBatch(head);
    const out: Series[] = [];
    for (let i = 0; i < refs.length; i++) {
      const id = refs[i];
      if (!this.overlaps(id, mint, maxt)) continue;
      if (head.ooo.has(id) || head.tombstones.has(id)) {
        // Out-of-order samples and deletions need the merged view: decoded now, left out when empty.
        const b = head.seriesSamples(id, mint, maxt);
        if (b.ts.length > 0) out.push({ labels: head.labelsOf(id), samples: () => b });
        continue;
      }
      const from = batch.refs.length;
      for (let c = s.firstChunk[id]; c >= 0; c = ch.next[c]) if (ch.maxt[c] >= mint && ch.mint[c] <= maxt) batch.refs.push(ch.fileRef[c]);
      const open = head.open.count(id) > 0 && s.maxt[id] >= mint && head.open.mint(id) <= maxt;
      // As Prometheus' head index: a series is selected when one of its chunks overlaps the range.
      if (batch.refs.length === from && !open) continue;
      out.push(new HeadSeries(head.labelsOf(id), head, id, mint, maxt, batch, from, batch.refs.length, s.firstChunk[id], s.lastChunk[id]));
    }
    if (sorted) out.sort((a, b) => compareLabelSets(a.labels, b.labels));
    return out;
  }

  async labelNames(matchers: readonly Matcher[]): Promise<string[]> {
    const names = new Set<string>();
    if (matchers.length === 0 && this.coversHead()) {
      for (const name of this.head.registry.names()) if ((this.head.registry.values(name)?.size ?? 0) > 0) names.add(name);
    } else {
      const refs = headPostingsForMatchers(this.head, matchers);
      for (let i = 0; i < refs.length; i++) {
        if (!this.overlaps(refs[i], this.mint, this.maxt)) continue;
        for (const l of this.head.labelsOf(refs[i])) names.add(l.name);
      }
    }
    return [...names].sort(compareStrings);
  }

  async labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    const values = new Set<string>();
    if (matchers.length === 0 && this.coversHead()) {
      const byValue = this.head.registry.values(name);
      if (byValue) for (const v of byValue.keys()) values.add(v);
    } else {
      const refs = headPostingsForMatchers(this.head, matchers);
      for (let i = 0; i < refs.length; i++) {
        if (!this.overlaps(refs[i], this.mint, this.maxt)) continue;
        const v = this.head.labelValueOf(refs[i], name);
        if (v !== "") values.add(v);
      }
    }
    return [...values].sort(compareStrings);
  }

  /** With the whole head in range, the postings index answers without touching series. */
  private coversHead(): boolean {
    return this.mint <= this.head.minTime && this.maxt >= this.head.maxTime;
  }

  close(): void {}
}
