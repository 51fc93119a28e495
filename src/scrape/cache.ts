// Per-target scrape cache: series text -> storage ref, so that a steady-state scrape does
// no label parsing or relabeling, plus the series seen in the last two scrapes for
// staleness markers and the metric metadata the target exposes.
//
// Entries are slots in typed columns and their texts sit in one byte arena: a cached
// series costs a few dozen bytes and no JS objects. Label sets are not kept: storage
// knows a series by its ref, and when it no longer does (UnknownSeriesRefError) the
// scrape recomputes the labels from the body at hand.
import type { SeriesRef } from "../storage/interface.js";
import type { MetricType, Parser } from "../textparse/interface.js";

export interface MetricMetadata {
  type: MetricType;
  help: string;
  unit: string;
  lastIter: number;
}

/** No slot: the series text is not cached. */
export const NO_SLOT = -1;

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, n: number, make: (n: number) => T): T {
  const b = make(n);
  b.set(a);
  return b;
}

export class ScrapeCache {
  /** Incremented once per scrape. */
  iter = 0;
  // Slot columns.
  private refs = new Float64Array(64);
  private lastIters = new Int32Array(64);
  /** The tracking generation in which the slot was last appended without an explicit timestamp. */
  private trackedGens = new Int32Array(64);
  private textOff = new Uint32Array(64);
  private textLen = new Uint32Array(64);
  /** 1 when metric relabeling drops the series. */
  private dropped = new Uint8Array(64);
  private slots = 0;
  private readonly free: number[] = [];
  // Series texts, back to back; `wasted` counts bytes of freed slots, reclaimed by compaction.
  private text = new Uint8Array(4096);
  private textView = new DataView(this.text.buffer);
  private textUsed = 0;
  private wasted = 0;
  // Series texts are keyed by the lexer's hash; equal hashes keep a short list.
  private readonly byHash = new Map<number, number | number[]>();
  // Slots appended without explicit timestamps in this and the last scrape: the ones of
  // the last scrape missing from this one get stale markers.
  private cur: number[] = [];
  private prev: number[] = [];
  private gen = 1;
  readonly metadata = new Map<string, MetricMetadata>();

  /** The slot of the parser's current series text, or NO_SLOT. */
  get(p: Parser): number {
    const slot = this.byHash.get(p.seriesHash());
    if (slot === undefined) return NO_SLOT;
    if (typeof slot === "number") return this.matches(p, slot) ? slot : NO_SLOT;
    for (const s of slot) if (this.matches(p, s)) return s;
    return NO_SLOT;
  }

  private matches(p: Parser, slot: number): boolean {
    return p.seriesEquals(this.textView, this.textOff[slot]!, this.textLen[slot]!);
  }

  /** Caches the parser's current series text (dropped: relabeling drops it); returns its slot. */
  add(p: Parser, dropped: boolean): number {
    const slot = this.free.pop() ?? this.newSlot();
    const len = p.seriesLength();
    if (this.textUsed + len > this.text.length) this.growText(len);
    p.copySeries(this.text, this.textUsed);
    this.textOff[slot] = this.textUsed;
    this.textLen[slot] = len;
    this.textUsed += len;
    this.refs[slot] = 0;
    this.lastIters[slot] = this.iter;
    this.trackedGens[slot] = 0;
    this.dropped[slot] = dropped ? 1 : 0;
    const h = p.seriesHash();
    const there = this.byHash.get(h);
    if (there === undefined) this.byHash.set(h, slot);
    else if (typeof there === "number") this.byHash.set(h, [there, slot]);
    else there.push(slot);
    return slot;
  }

  private newSlot(): number {
    if (this.slots === this.refs.length) {
      const n = this.slots * 2;
      this.refs = grow(this.refs, n, (k) => new Float64Array(k));
      this.lastIters = grow(this.lastIters, n, (k) => new Int32Array(k));
      this.trackedGens = grow(this.trackedGens, n, (k) => new Int32Array(k));
      this.textOff = grow(this.textOff, n, (k) => new Uint32Array(k));
      this.textLen = grow(this.textLen, n, (k) => new Uint32Array(k));
      this.dropped = grow(this.dropped, n, (k) => new Uint8Array(k));
    }
    return this.slots++;
  }

  /** Makes room for len more text bytes: compacts when half is freed space, else grows. */
  private growText(len: number): void {
    if (this.wasted > this.textUsed / 2) this.compactText();
    if (this.textUsed + len <= this.text.length) return;
    let size = this.text.length * 2;
    while (size < this.textUsed + len) size *= 2;
    this.text = grow(this.text, size, (k) => new Uint8Array(k));
    this.textView = new DataView(this.text.buffer);
  }

  private compactText(): void {
    const old = this.text;
    const text = new Uint8Array(old.length);
    let used = 0;
    for (const slot of this.liveSlots()) {
      const off = this.textOff[slot]!;
      const len = this.textLen[slot]!;
      text.set(old.subarray(off, off + len), used);
      this.textOff[slot] = used;
      used += len;
    }
    this.text = text;
    this.textView = new DataView(text.buffer);
    this.textUsed = used;
    this.wasted = 0;
  }

  private *liveSlots(): Generator<number> {
    for (const v of this.byHash.values()) {
      if (typeof v === "number") yield v;
      else yield* v;
    }
  }

  /** Marks the slot seen in this scrape. */
  touch(slot: number): void {
    this.lastIters[slot] = this.iter;
  }

  isDropped(slot: number): boolean {
    return this.dropped[slot] === 1;
  }

  ref(slot: number): SeriesRef {
    return this.refs[slot]!;
  }

  setRef(slot: number, ref: SeriesRef): void {
    this.refs[slot] = ref;
  }

  /** Records that the slot was appended without an explicit timestamp in this scrape. */
  track(slot: number): void {
    if (this.trackedGens[slot] === this.gen) return;
    this.trackedGens[slot] = this.gen;
    this.cur.push(slot);
  }

  /** Forgets what this scrape tracked (its appends were rolled back). */
  resetCurrent(): void {
    this.gen++;
    this.cur = [];
  }

  /** Refs of the series the last scrape appended and this one did not. */
  staleRefs(): SeriesRef[] {
    const out: SeriesRef[] = [];
    let stillThere: Set<SeriesRef> | undefined;
    for (const slot of this.prev) {
      if (this.trackedGens[slot] === this.gen) continue;
      // Another series text may have produced the same series this time (relabeling).
      stillThere ??= new Set(this.cur.map((s) => this.refs[s]!));
      const ref = this.refs[slot]!;
      if (!stillThere.has(ref)) out.push(ref);
    }
    return out;
  }

  setMetadata(name: string, update: Partial<Pick<MetricMetadata, "type" | "help" | "unit">>): void {
    let m = this.metadata.get(name);
    if (!m) {
      m = { type: "unknown", help: "", unit: "", lastIter: this.iter };
      this.metadata.set(name, m);
    }
    Object.assign(m, update);
    m.lastIter = this.iter;
  }

  /** Bytes held: columns and text arena as allocated, plus an estimate for the hash map. */
  memoryBytes(): number {
    return this.refs.length * (8 + 4 + 4 + 4 + 4 + 1) + this.text.length + this.byHash.size * 40;
  }

  /**
   * Ends a scrape. After a successful one, forgets series and metadata not seen in the last
   * two scrapes (bounded memory for churning targets); always rotates the staleness sets.
   */
  iterDone(flush: boolean): void {
    if (flush) {
      const keepAfter = this.iter - 2;
      const old = (slot: number): boolean => this.lastIters[slot]! < keepAfter;
      for (const [h, v] of this.byHash) {
        if (typeof v === "number") {
          if (old(v)) {
            this.byHash.delete(h);
            this.release(v);
          }
          continue;
        }
        const kept = v.filter((slot) => !old(slot));
        for (const slot of v) if (old(slot)) this.release(slot);
        if (kept.length === 0) this.byHash.delete(h);
        else this.byHash.set(h, kept.length === 1 ? kept[0]! : kept);
      }
      for (const [name, m] of this.metadata) if (m.lastIter < keepAfter) this.metadata.delete(name);
    }
    this.prev = this.cur;
    this.cur = [];
    this.gen++;
    this.iter++;
  }

  private release(slot: number): void {
    this.wasted += this.textLen[slot]!;
    this.trackedGens[slot] = 0;
    this.free.push(slot);
  }
}
