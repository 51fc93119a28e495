// The head's series registry: which series exist, under which ids and refs, with which
// labels, found by label hash and by postings. Series are found by a hash of their
// labels, then addressed by an integer id; the refs handed to appenders and written to
// the WAL are id + generation * 2^24: ids of removed series are reused (so memory follows
// the live series, not every series ever seen) while a ref never names two series, and a
// stale ref simply fails to resolve. Labels are symbol ids in one pool; postings per label
// pair are sorted Uint32Arrays of ids. Samples and chunks are not its business (head.ts).
import { labelsHash, labelsKey, type Label, type Labels } from "../model/labels.js";
import { growU32, growU8, LabelPool, PostingsList, SymbolTable } from "./head-store.js";

/** Ids per generation: a ref is id + generation * ID_SPACE. */
export const ID_SPACE = 1 << 24;

export class SeriesRegistry {
  private readonly hash: (labels: Labels) => number;
  private capacity = 0;
  /** 1 while the series exists. */
  private alive = new Uint8Array(0);
  /** Generation of the series holding the id. */
  private gen = new Uint32Array(0);
  private labelOff = new Uint32Array(0);
  /** Label count; 32 bits, since Prometheus sets no limit on labels per series. */
  private labelLen = new Uint32Array(0);
  private symbols = new SymbolTable();
  private labelPool = new LabelPool();
  private readonly postings = new Map<string, Map<string, PostingsList>>();
  private readonly all = new PostingsList();
  private readonly byHash = new Map<number, number>();
  /** Series whose hash collides with an earlier one, by exact label key. */
  private readonly collisions = new Map<string, number>();
  /** The lowest id never used; ids below it are taken or in freeIds/retiredIds. */
  private nextId = 1;
  /** Ids of removed series whose records are gone from the WAL: free to reuse. */
  private freeIds: number[] = [];
  /** Ids of removed series the WAL may still mention; free after the next checkpoint. */
  private retiredIds: number[] = [];
  private readonly scratch: number[] = [];
  /** Live series. */
  count = 0;

  constructor(hash: (labels: Labels) => number = labelsHash) {
    this.hash = hash;
  }

  /** Ids below this may be in use (for sizing per-series columns elsewhere). */
  idCapacity(): number {
    return this.capacity;
  }

  /** The ref a series is known by outside the head. */
  refOf(id: number): number {
    return this.gen[id]! * ID_SPACE + id;
  }

  /** The id a ref names while that series is alive, else 0. */
  resolve(ref: number): number {
    if (!(ref > 0)) return 0;
    const id = ref % ID_SPACE;
    return id < this.capacity && this.alive[id] === 1 && this.gen[id] === (ref - id) / ID_SPACE ? id : 0;
  }

  isAlive(id: number): boolean {
    return id < this.capacity && this.alive[id] === 1;
  }

  /** The id of the series with these labels, or 0. */
  lookup(labels: Labels): number {
    const id = this.byHash.get(this.hash(labels));
    if (id === undefined) return 0;
    if (this.labelsMatch(id, labels)) return id;
    return this.collisions.get(labelsKey(labels)) ?? 0;
  }

  /** A new series under a reused id if one is free, else a never-used one. */
  create(labels: Labels): number {
    const id = this.freeIds.pop();
    if (id === undefined) return this.createFresh(labels, 0);
    this.insert(id, this.gen[id]! + 1, labels);
    return id;
  }

  /** A new series under a never-used id whose ref is above minRef. */
  createFresh(labels: Labels, minRef: number): number {
    const id = this.nextId++;
    if (id >= ID_SPACE) throw new Error(`head is full: ${ID_SPACE - 1} series`);
    this.insert(id, minRef < id ? 0 : Math.floor(minRef / ID_SPACE) + 1, labels);
    return id;
  }

  /** A new series under the given ref (WAL replay); 0 when the ref's id is taken. */
  createWithRef(ref: number, labels: Labels): number {
    const id = ref % ID_SPACE;
    if (id === 0 || this.isAlive(id)) return 0;
    this.insert(id, (ref - id) / ID_SPACE, labels);
    if (id >= this.nextId) this.nextId = id + 1;
    return id;
  }

  /** Ids retired before the checkpoint that just completed may now be reused. */
  releaseRetiredIds(): void {
    for (const id of this.retiredIds) this.freeIds.push(id);
    this.retiredIds = [];
  }

  private insert(id: number, gen: number, labels: Labels): void {
    if (id >= this.capacity) {
      let n = Math.max(1024, this.capacity);
      while (n <= id) n *= 2;
      this.alive = growU8(this.alive, n);
      this.gen = growU32(this.gen, n);
      this.labelOff = growU32(this.labelOff, n);
      this.labelLen = growU32(this.labelLen, n);
      this.capacity = n;
    }
    this.gen[id] = gen;
    const ids = this.scratch;
    ids.length = 0;
    for (const l of labels) ids.push(this.symbols.intern(l.name), this.symbols.intern(l.value));
    this.labelOff[id] = this.labelPool.add(ids, ids.length);
    this.labelLen[id] = labels.length;
    this.alive[id] = 1;
    const h = this.hash(labels);
    if (this.byHash.has(h)) this.collisions.set(labelsKey(labels), id);
    else this.byHash.set(h, id);
    for (const l of labels) {
      let byValue = this.postings.get(l.name);
      if (!byValue) this.postings.set(l.name, (byValue = new Map()));
      let list = byValue.get(l.value);
      if (!list) byValue.set(l.value, (list = new PostingsList()));
      list.add(id);
    }
    this.all.add(id);
    this.count++;
  }

  /** Removes a series; its id is reused after the next checkpoint. Call compact() after a batch. */
  remove(id: number): void {
    const labels = this.labelsOf(id);
    const h = this.hash(labels);
    if (this.byHash.get(h) === id) {
      this.byHash.delete(h);
      // Promote a colliding series, if any, to the hash slot.
      for (const [key, other] of this.collisions) {
        if (this.hash(this.labelsOf(other)) === h) {
          this.collisions.delete(key);
          this.byHash.set(h, other);
          break;
        }
      }
    } else this.collisions.delete(labelsKey(labels));
    this.alive[id] = 0;
    this.retiredIds.push(id);
    this.labelPool.wasted += 2 * this.labelLen[id]!;
    this.count--;
  }

  /** Drops removed series from the postings, and rebuilds symbols once half the pool is dead. */
  compact(): void {
    for (const [name, byValue] of this.postings) {
      for (const [value, list] of byValue) {
        list.compact(this.alive);
        if (list.n === 0) byValue.delete(value);
      }
      if (byValue.size === 0) this.postings.delete(name);
    }
    this.all.compact(this.alive);
    if (this.labelPool.wasted > this.labelPool.used / 2) this.compactSymbols();
  }

  private compactSymbols(): void {
    const oldPool = this.labelPool.pool;
    const oldStrings = this.symbols.strings;
    const symbols = new SymbolTable();
    const pool = new LabelPool();
    const ids: number[] = [];
    for (const id of this.all.view()) {
      const off = this.labelOff[id]!;
      const n = 2 * this.labelLen[id]!;
      ids.length = 0;
      for (let i = 0; i < n; i++) ids.push(symbols.intern(oldStrings[oldPool[off + i]!]!));
      this.labelOff[id] = pool.add(ids, n);
    }
    this.symbols = symbols;
    this.labelPool = pool;
  }

  private labelsMatch(id: number, labels: Labels): boolean {
    if (this.labelLen[id] !== labels.length) return false;
    const off = this.labelOff[id]!;
    const pool = this.labelPool.pool;
    const str = this.symbols.strings;
    for (let i = 0; i < labels.length; i++) {
      if (str[pool[off + 2 * i]!] !== labels[i]!.name || str[pool[off + 2 * i + 1]!] !== labels[i]!.value) return false;
    }
    return true;
  }

  labelsOf(id: number): Labels {
    const n = this.labelLen[id]!;
    const off = this.labelOff[id]!;
    const pool = this.labelPool.pool;
    const str = this.symbols.strings;
    const out: Label[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = { name: str[pool[off + 2 * i]!]!, value: str[pool[off + 2 * i + 1]!]! };
    return out;
  }

  /** The value of one label of a series, or "" when absent. */
  labelValueOf(id: number, name: string): string {
    const n = this.labelLen[id]!;
    const off = this.labelOff[id]!;
    const pool = this.labelPool.pool;
    const str = this.symbols.strings;
    for (let i = 0; i < n; i++) if (str[pool[off + 2 * i]!] === name) return str[pool[off + 2 * i + 1]!]!;
    return "";
  }

  /** Ids of every live series, ascending (a view valid until the next change). */
  allIds(): Uint32Array {
    return this.all.view();
  }

  /** Label names in use. */
  names(): IterableIterator<string> {
    return this.postings.keys();
  }

  /** The values of a label name with their sorted id lists (views), or undefined. */
  values(name: string): ReadonlyMap<string, PostingsList> | undefined {
    return this.postings.get(name);
  }

  /** Bytes held: the id columns and hash index, the label pool and symbols, the postings. */
  memory(): { series: number; labels: number; postings: number } {
    let postings = 0;
    for (const byValue of this.postings.values()) for (const l of byValue.values()) postings += l.refs.byteLength + 64;
    let symbols = 0;
    for (const str of this.symbols.strings) symbols += 2 * str.length + 64;
    return {
      series: this.capacity * (1 + 4 + 4 + 4) + this.byHash.size * 40,
      labels: this.labelPool.bytes() + symbols,
      postings,
    };
  }
}
