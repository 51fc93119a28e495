// The head block: the most recent samples, in memory (open chunks, in WASM memory) and
// in chunks_head/ (cut chunks). Which series exist, their ids, refs, labels and postings
// are the registry's (head-series.ts); this file keeps each series' sample state and
// chunks. Appends go through head-append.ts, reads through head-read.ts, truncation
// through head-truncate.ts, the WAL side through head-wal.ts.
import { join } from "node:path";
import type { Labels } from "../model/labels.js";
import type { SampleBatch } from "../model/sample.js";
import { isStaleNaN } from "../model/sample.js";
import { nopLogger, type Logger } from "../log/logger.js";
import { HeadChunkFiles, type StoredChunk } from "./chunks/head-chunks.js";
import { OpenChunks, type CutChunk } from "../wasm/open-chunks.js";
import { decodeXorChunkRange } from "./chunkenc/xor.js";
import { SeriesRegistry } from "./head-series.js";
import { truncateHead } from "./head-truncate.js";
import { ChunkColumns, SeriesColumns } from "./head-store.js";
import type { WL } from "./wlog/wlog.js";

export const DEFAULT_CHUNK_RANGE_MS = 2 * 3600_000;
export const DEFAULT_SAMPLES_PER_CHUNK = 120;
export interface HeadOptions {
  /** The data directory; cut chunks go to <dir>/chunks_head. */
  readonly dir: string;
  readonly chunkRangeMs?: number;
  readonly samplesPerChunk?: number;
  /** When > 0, samples up to this far behind the newest one are accepted out of order. */
  readonly outOfOrderTimeWindowMs?: number;
  readonly logger?: Logger;
  /** The label hash that keys series; replaceable so tests can force collisions. */
  readonly hash?: (labels: Labels) => number;
}

/** What head memory is spent on (the promwasm_tsdb_head_bytes kinds). */
export type HeadMemoryKind = "series" | "labels" | "postings" | "open_chunks" | "cut_chunk_refs";

export interface Interval {
  readonly mint: number;
  readonly maxt: number;
}

/** Counters the server's self-monitoring exposes (prometheus_tsdb_head_*). */
export class HeadCounters {
  seriesCreated = 0;
  seriesRemoved = 0;
  samplesAppended = 0;
  outOfOrderSamplesAppended = 0;
  outOfOrderSamples = 0;
  duplicateSamples = 0;
  outOfBoundsSamples = 0;
  tooOldSamples = 0;
  chunksCreated = 0;
  chunksRemoved = 0;
  truncations = 0;
  walCorruptions = 0;
  unknownSeriesSamples = 0;
}

/** Samples accepted out of order, per series, kept sorted by time. */
interface OOOSamples {
  ts: number[];
  vs: number[];
}

export class Head {
  readonly opts: Required<Omit<HeadOptions, "logger" | "hash">>;
  readonly logger: Logger;
  /** Which series exist: ids, refs, labels, postings. */
  readonly registry: SeriesRegistry;
  /** Per-series sample state (times, last value, chunk list, pending appends), by id. */
  readonly series = new SeriesColumns();
  readonly chunks = new ChunkColumns();
  /** Each series' open chunk, XOR-encoded in WASM memory. */
  readonly open: OpenChunks;
  readonly ooo = new Map<number, OOOSamples>();
  readonly tombstones = new Map<number, Interval[]>();
  readonly chunkFiles: HeadChunkFiles;
  readonly counters = new HeadCounters();
  /** WAL refs replay found naming a series that has another ref; cleared by the next checkpoint. */
  walRefAliases = new Map<number, number>();
  /** Ids of series created but not yet logged to the WAL; the next commit logs them first. */
  unloggedSeries: number[] = [];
  wal: WL | undefined;
  /** Called after each commit that appended samples (the DB checks whether to compact). */
  onCommit: (() => void) | undefined;
  /** Sample buffers of finished appenders, reused by new ones. */
  readonly appendBuffers: { ids: Float64Array; ts: Float64Array; vs: Float64Array }[] = [];
  minTime = Infinity;
  maxTime = -Infinity;
  /** Samples before this are out of bounds (set to the newest block's end after compaction). */
  minValidTime = -Infinity;
  private nextAppenderId = 1;

  constructor(opts: HeadOptions) {
    this.opts = {
      dir: opts.dir,
      chunkRangeMs: opts.chunkRangeMs ?? DEFAULT_CHUNK_RANGE_MS,
      samplesPerChunk: opts.samplesPerChunk ?? DEFAULT_SAMPLES_PER_CHUNK,
      outOfOrderTimeWindowMs: opts.outOfOrderTimeWindowMs ?? 0,
    };
    this.logger = opts.logger ?? nopLogger;
    this.registry = new SeriesRegistry(opts.hash);
    this.open = new OpenChunks(this.opts.samplesPerChunk, this.opts.chunkRangeMs);
    this.chunkFiles = new HeadChunkFiles({ dir: join(opts.dir, "chunks_head"), logger: this.logger });
  }

  newAppenderId(): number {
    return this.nextAppenderId++;
  }

  /** The lowest time a new in-order sample may have. */
  appendableMinValidTime(): number {
    if (this.maxTime === -Infinity) return this.minValidTime;
    return Math.max(this.minValidTime, this.maxTime - this.opts.chunkRangeMs / 2);
  }

  // ---- series ----

  /** Live series. */
  get numSeries(): number {
    return this.registry.count;
  }

  /** The ref a series is known by outside the head. */
  refOf(id: number): number {
    return this.registry.refOf(id);
  }

  /** The id a ref names while that series is alive, else 0. */
  resolve(ref: number): number {
    return this.registry.resolve(ref);
  }

  isAlive(ref: number): boolean {
    return this.registry.resolve(ref) !== 0;
  }

  /** The id of the series with these labels, or 0. */
  lookup(labels: Labels): number {
    return this.registry.lookup(labels);
  }

  /** Finds or creates the series; returns its id (negative when just created). */
  getOrCreate(labels: Labels): number {
    const found = this.registry.lookup(labels);
    if (found !== 0) return found;
    return -this.created(this.registry.create(labels), true);
  }

  /** Creates a series under a never-used id whose ref is above minRef; logged by the next commit. */
  createFresh(labels: Labels, minRef: number): number {
    return this.created(this.registry.createFresh(labels, minRef), true);
  }

  /**
   * Creates a series under the given ref (WAL replay). Returns its id, the existing id
   * when the labels are known, or 0 when the ref's id is taken by other labels.
   */
  createWithRef(ref: number, labels: Labels): number {
    const found = this.registry.lookup(labels);
    if (found !== 0) return found;
    const id = this.registry.createWithRef(ref, labels);
    return id === 0 ? 0 : this.created(id, false);
  }

  /** Ids retired before the checkpoint that just completed may now be reused. */
  releaseRetiredIds(): void {
    this.registry.releaseRetiredIds();
  }

  /** Gives a new series empty sample state (its id may be a reused one). */
  private created(id: number, log: boolean): number {
    const s = this.series;
    s.ensure(id);
    this.open.ensure(s.capacity);
    s.mint[id] = Infinity;
    s.maxt[id] = -Infinity;
    this.open.drop(id);
    s.firstChunk[id] = -1;
    s.lastChunk[id] = -1;
    s.pendingOwner[id] = 0;
    if (log) this.unloggedSeries.push(id);
    this.counters.seriesCreated++;
    return id;
  }

  labelsOf(id: number): Labels {
    return this.registry.labelsOf(id);
  }

  /** The value of one label of a series, or "" when absent. */
  labelValueOf(id: number, name: string): string {
    return this.registry.labelValueOf(id, name);
  }

  // ---- samples (committed path) ----

  /**
   * Applies n committed samples (head ids, times, values) with one call into the open
   * chunks. A sample out of order or duplicate against what is committed by now (another
   * appender may have committed meanwhile) is dropped and counted. Returns the number kept.
   */
  appendCommitted(ids: ArrayLike<number>, ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): number {
    const s = this.series;
    const input = this.open.input(n);
    let k = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      const t = ts[i];
      const v = vs[i];
      if (!this.registry.isAlive(id)) {
        this.counters.unknownSeriesSamples++;
        continue;
      }
      const last = s.maxt[id];
      if (t <= last) {
        if (this.appendBehind(id, t, v, last)) kept++;
        continue;
      }
      input.ids[k] = id;
      input.ts[k] = t;
      input.vs[k] = v;
      k++;
      s.maxt[id] = t;
      s.lastValue[id] = v;
      if (t < s.mint[id]) s.mint[id] = t;
      if (t > this.maxTime) this.maxTime = t;
      if (t < this.minTime) this.minTime = t;
    }
    if (k > 0) {
      const cuts = this.open.append(k);
      for (let c = 0; c < cuts; c++) this.storeCut(this.open.cut(c));
      this.open.releaseCuts();
      this.counters.samplesAppended += k;
    }
    return kept + k;
  }

  /** A sample at or before the series' newest: a repeat, out of order, or for the out-of-order head. */
  private appendBehind(id: number, t: number, v: number, last: number): boolean {
    if (t === last && sameValue(v, this.series.lastValue[id])) return true;
    if (this.opts.outOfOrderTimeWindowMs > 0 && t >= this.maxTime - this.opts.outOfOrderTimeWindowMs) {
      // Below minValidTime the range may already be (or be being) written as a block.
      if (t < this.minValidTime) {
        this.counters.tooOldSamples++;
        return false;
      }
      return this.appendOOO(id, t, v);
    }
    if (t === last) this.counters.duplicateSamples++;
    else this.counters.outOfOrderSamples++;
    return false;
  }

  private appendOOO(id: number, t: number, v: number): boolean {
    let o = this.ooo.get(id);
    if (!o) this.ooo.set(id, (o = { ts: [], vs: [] }));
    let i = o.ts.length;
    while (i > 0 && o.ts[i - 1] > t) i--;
    if (i > 0 && o.ts[i - 1] === t) {
      if (sameValue(o.vs[i - 1], v)) return true;
      this.counters.duplicateSamples++;
      return false;
    }
    const existing = this.inOrderSamples(id, t, t);
    if (existing.ts.length > 0) {
      if (sameValue(existing.vs[0], v)) return true;
      this.counters.duplicateSamples++;
      return false;
    }
    o.ts.splice(i, 0, t);
    o.vs.splice(i, 0, v);
    if (t < this.series.mint[id]) this.series.mint[id] = t;
    if (t < this.minTime) this.minTime = t;
    this.counters.outOfOrderSamplesAppended++;
    this.counters.samplesAppended++;
    return true;
  }

  /** Encodes the open chunk and writes it to chunks_head; the slot is reused. */
  /**
   * Links chunks that chunks_head/ files of an earlier run hold to a series that has no
   * samples yet (WAL replay), skipping those blocks already cover. Returns the newest time
   * they reach, or -Infinity when none was linked.
   */
  attachStoredChunks(id: number, stored: readonly StoredChunk[]): number {
    const s = this.series;
    if (s.maxt[id] !== -Infinity) return -Infinity;
    let last = -1;
    for (const st of stored) {
      if (st.maxt < this.minValidTime || st.mint <= s.maxt[id]) continue;
      const c = this.chunks.alloc();
      this.chunks.mint[c] = st.mint;
      this.chunks.maxt[c] = st.maxt;
      this.chunks.fileRef[c] = st.ref;
      this.chunks.next[c] = -1;
      if (s.lastChunk[id] >= 0) this.chunks.next[s.lastChunk[id]] = c;
      else s.firstChunk[id] = c;
      s.lastChunk[id] = c;
      s.maxt[id] = st.maxt;
      if (st.mint < s.mint[id]) s.mint[id] = st.mint;
      if (st.mint < this.minTime) this.minTime = st.mint;
      if (st.maxt > this.maxTime) this.maxTime = st.maxt;
      last = c;
    }
    if (last < 0) return -Infinity;
    // The newest value, for the duplicate check of the samples that follow.
    const b = decodeXorChunkRange(this.chunkFiles.read(this.chunks.fileRef[last]), s.maxt[id], s.maxt[id]);
    s.lastValue[id] = b.vs[b.vs.length - 1];
    return s.maxt[id];
  }

  /** Writes a chunk the open chunks cut to chunks_head/ and links it to its series. */
  private storeCut(cut: CutChunk): void {
    const s = this.series;
    const fileRef = this.chunkFiles.write(this.refOf(cut.id), cut.mint, cut.maxt, cut.data);
    const c = this.chunks.alloc();
    this.chunks.mint[c] = cut.mint;
    this.chunks.maxt[c] = cut.maxt;
    this.chunks.fileRef[c] = fileRef;
    this.chunks.next[c] = -1;
    if (s.lastChunk[cut.id] >= 0) this.chunks.next[s.lastChunk[cut.id]] = c;
    else s.firstChunk[cut.id] = c;
    s.lastChunk[cut.id] = c;
    this.counters.chunksCreated++;
  }

  // ---- reads ----

  /** In-order samples of a series within [mint, maxt]: cut chunks then the open chunk. */
  inOrderSamples(id: number, mint: number, maxt: number): SampleBatch {
    const s = this.series;
    const parts: SampleBatch[] = [];
    let total = 0;
    for (let c = s.firstChunk[id]; c >= 0; c = this.chunks.next[c]) {
      if (this.chunks.maxt[c] < mint || this.chunks.mint[c] > maxt) continue;
      const bytes = this.chunkFiles.read(this.chunks.fileRef[c]);
      const b = decodeXorChunkRange(bytes, mint, maxt);
      parts.push(b);
      total += b.ts.length;
    }
    if (this.open.count(id) > 0 && s.maxt[id] >= mint && this.open.mint(id) <= maxt) {
      const b = decodeXorChunkRange(this.open.bytes(id)!, mint, maxt);
      parts.push(b);
      total += b.ts.length;
    }
    if (parts.length === 1) return parts[0];
    const ts = new Float64Array(total);
    const vs = new Float64Array(total);
    let o = 0;
    for (const p of parts) {
      ts.set(p.ts, o);
      vs.set(p.vs, o);
      o += p.ts.length;
    }
    return { ts, vs };
  }

  /** All committed samples of a series within [mint, maxt], with tombstones applied. */
  seriesSamples(id: number, mint: number, maxt: number): SampleBatch {
    let b = this.inOrderSamples(id, mint, maxt);
    const o = this.ooo.get(id);
    if (o) b = mergeSorted(b, o, mint, maxt);
    const stones = this.tombstones.get(id);
    if (stones) b = dropIntervals(b, stones);
    return b;
  }

  // ---- truncation (head-truncate.ts walks the series) ----

  /** Drops everything before mint; returns the number of series removed. */
  truncateMemory(mint: number): number {
    return truncateHead(this, mint);
  }

  /** Forgets a series that holds no samples any more. */
  removeSeries(id: number): void {
    this.registry.remove(id);
    this.open.drop(id);
    this.tombstones.delete(id);
    this.ooo.delete(id);
    this.counters.seriesRemoved++;
  }

  /**
   * Bytes the head holds, by kind: typed columns and pools at their allocated size, the
   * open chunks' WASM memory, and estimates for the JS maps (postings, symbols, hash index).
   */
  memoryBreakdown(): Record<HeadMemoryKind, number> {
    const r = this.registry.memory();
    return {
      series: r.series + this.series.bytes(),
      labels: r.labels,
      postings: r.postings,
      open_chunks: this.open.memoryBytes(),
      cut_chunk_refs: this.chunks.bytes(),
    };
  }

  /** Approximate bytes of memory the head holds, all kinds together. */
  memoryBytes(): number {
    let n = 0;
    for (const v of Object.values(this.memoryBreakdown())) n += v;
    return n;
  }

  close(): void {
    this.chunkFiles.close();
  }
}

/** Equal as Prometheus compares sample values: by bits, with any stale marker equal to another. */
export function sameValue(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  if (a !== a && b !== b) return isStaleNaN(a) === isStaleNaN(b);
  return false;
}

function mergeSorted(b: SampleBatch, o: OOOSamples, mint: number, maxt: number): SampleBatch {
  let lo = 0;
  while (lo < o.ts.length && o.ts[lo] < mint) lo++;
  let hi = lo;
  while (hi < o.ts.length && o.ts[hi] <= maxt) hi++;
  if (hi === lo) return b;
  const n = b.ts.length + hi - lo;
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let i = 0;
  let j = lo;
  let k = 0;
  while (i < b.ts.length || j < hi) {
    if (j >= hi || (i < b.ts.length && b.ts[i] <= o.ts[j])) {
      if (j < hi && b.ts[i] === o.ts[j]) j++;
      ts[k] = b.ts[i];
      vs[k++] = b.vs[i++];
    } else {
      ts[k] = o.ts[j];
      vs[k++] = o.vs[j++];
    }
  }
  return { ts: ts.subarray(0, k), vs: vs.subarray(0, k) };
}

/** Removes samples inside any of the intervals. */
export function dropIntervals(b: SampleBatch, intervals: readonly Interval[]): SampleBatch {
  let w = 0;
  const ts = new Float64Array(b.ts.length);
  const vs = new Float64Array(b.ts.length);
  outer: for (let i = 0; i < b.ts.length; i++) {
    const t = b.ts[i];
    for (const iv of intervals) if (t >= iv.mint && t <= iv.maxt) continue outer;
    ts[w] = t;
    vs[w++] = b.vs[i];
  }
  return { ts: ts.subarray(0, w), vs: vs.subarray(0, w) };
}
