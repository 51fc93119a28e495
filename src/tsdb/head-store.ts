// Struct-of-arrays storage for the head: every per-series field is a slot in a typed
// array indexed by the series id, so a million series cost a handful of arrays rather
// than a million object graphs. Cut chunks are kept as a linked list per series in
// chunk-indexed arrays; labels are symbol ids in one pool; postings are growable sorted
// id lists. Open chunks live in WASM memory (src/wasm/open-chunks.ts).

/** A Float64Array that grows by doubling, keeping its contents. */
function grow64(a: Float64Array, n: number, fill: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
function grow32(a: Int32Array, n: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
export function growU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
export function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

/** Per-series sample state. Index = series id (head-series.ts); id 0 is never used. */
export class SeriesColumns {
  capacity = 0;
  /** Oldest sample time held in memory or head chunk files; +Infinity when empty. */
  mint = new Float64Array(0);
  /** Newest committed sample time; -Infinity when empty. */
  maxt = new Float64Array(0);
  lastValue = new Float64Array(0);
  firstChunk = new Int32Array(0);
  lastChunk = new Int32Array(0);
  /** Appender id that holds uncommitted samples for the series, and their newest time/value. */
  pendingOwner = new Int32Array(0);
  pendingMaxt = new Float64Array(0);
  pendingValue = new Float64Array(0);

  ensure(id: number): void {
    if (id < this.capacity) return;
    let n = Math.max(1024, this.capacity);
    while (n <= id) n *= 2;
    this.mint = grow64(this.mint, n, Infinity);
    this.maxt = grow64(this.maxt, n, -Infinity);
    this.lastValue = grow64(this.lastValue, n, 0);
    this.firstChunk = grow32(this.firstChunk, n, -1);
    this.lastChunk = grow32(this.lastChunk, n, -1);
    this.pendingOwner = grow32(this.pendingOwner, n, 0);
    this.pendingMaxt = grow64(this.pendingMaxt, n, -Infinity);
    this.pendingValue = grow64(this.pendingValue, n, 0);
    this.capacity = n;
  }

  /** Bytes held by the columns. */
  bytes(): number {
    return this.capacity * (8 * 3 + 4 + 4 + 4 + 8 + 8);
  }
}

/** Cut (full) chunks: where they are in chunks_head and which times they cover. */
export class ChunkColumns {
  capacity = 0;
  used = 0;
  mint = new Float64Array(0);
  maxt = new Float64Array(0);
  /** Head chunk file ref (file << 32 | offset). */
  fileRef = new Float64Array(0);
  next = new Int32Array(0);
  private free: number[] = [];

  alloc(): number {
    const f = this.free.pop();
    if (f !== undefined) return f;
    if (this.used === this.capacity) {
      const n = Math.max(1024, this.capacity * 2);
      this.mint = grow64(this.mint, n, 0);
      this.maxt = grow64(this.maxt, n, 0);
      this.fileRef = grow64(this.fileRef, n, 0);
      this.next = grow32(this.next, n, -1);
      this.capacity = n;
    }
    return this.used++;
  }

  release(i: number): void {
    this.next[i] = -1;
    this.free.push(i);
  }

  count(): number {
    return this.used - this.free.length;
  }

  bytes(): number {
    return this.capacity * 28 + this.free.length * 8;
  }
}

/** A sorted list of series refs for one label pair, grown in place. */
export class PostingsList {
  refs: Uint32Array = new Uint32Array(4);
  n = 0;
  sorted = true;

  add(ref: number): void {
    if (this.n === this.refs.length) this.refs = growU32(this.refs, this.refs.length * 2);
    if (this.n > 0 && this.refs[this.n - 1] > ref) this.sorted = false;
    this.refs[this.n++] = ref;
  }

  /** The refs as a sorted view (valid until the next add). */
  view(): Uint32Array {
    if (!this.sorted) {
      this.refs.subarray(0, this.n).sort();
      this.sorted = true;
    }
    return this.refs.subarray(0, this.n);
  }

  /** Drops refs whose alive flag is 0. */
  compact(alive: Uint8Array): void {
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      const r = this.refs[i];
      if (alive[r] === 1) this.refs[w++] = r;
    }
    this.n = w;
    if (this.refs.length > 16 && w < this.refs.length / 4) this.refs = this.refs.slice(0, Math.max(4, w * 2));
  }
}

/** Interned strings for label names and values. */
export class SymbolTable {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  size(): number {
    return this.strings.length;
  }
}

/** Symbol id pairs (name, value) of every series, in one growable pool. */
export class LabelPool {
  pool = new Uint32Array(64 * 1024);
  used = 0;
  wasted = 0;

  add(ids: ArrayLike<number>, n: number): number {
    if (this.used + n > this.pool.length) {
      let size = this.pool.length * 2;
      while (size < this.used + n) size *= 2;
      this.pool = growU32(this.pool, size);
    }
    const off = this.used;
    for (let i = 0; i < n; i++) this.pool[off + i] = ids[i];
    this.used += n;
    return off;
  }

  bytes(): number {
    return this.pool.length * 4;
  }
}
