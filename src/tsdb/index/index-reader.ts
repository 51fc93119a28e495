// Reads an index file (format v2) held in memory: symbols and the postings
// offset table are decoded at open; series and postings lists on demand, each
// with its CRC checked. Every decoding failure is a CorruptionError naming the
// file, the section and the offset.
import { readFile } from "node:fs/promises";
import type { Label, Labels } from "../../model/labels.js";
import { Decbuf, checkCrc32c } from "../encoding/decbuf.js";
import { CorruptionError } from "../encoding/errors.js";
import { compareStrings } from "../encoding/strings.js";
import {
  ALL_POSTINGS_NAME,
  ALL_POSTINGS_VALUE,
  INDEX_HEADER_SIZE,
  INDEX_MAGIC,
  INDEX_TOC_SIZE,
  INDEX_VERSION_V2,
  SERIES_ALIGNMENT,
  type ChunkMeta,
  type TableOfContents,
} from "./format.js";

export interface IndexSeries {
  readonly labels: Labels;
  readonly chunks: ChunkMeta[];
}

interface ValueOffsets {
  /** Sorted byte-wise, as written. */
  readonly values: string[];
  readonly offsets: number[];
}

const EMPTY = new Uint32Array(0);

export class IndexReader {
  /** The file path, or a description for in-memory indexes. */
  readonly path: string;
  readonly version: number;
  readonly toc: TableOfContents;
  private readonly b: Uint8Array;
  private readonly syms: string[];
  private readonly postingsTable = new Map<string, ValueOffsets>();
  private allPostingsOffset: number | undefined;

  private constructor(b: Uint8Array, path: string) {
    this.b = b;
    this.path = path;
    if (b.length < INDEX_HEADER_SIZE + INDEX_TOC_SIZE) {
      throw new CorruptionError(`index ${path}: file of ${b.length} bytes is too short for header and TOC`, { offset: 0 });
    }
    const head = new Decbuf({ bytes: b, what: `index ${path}: header` });
    const magic = head.be32();
    if (magic !== INDEX_MAGIC) throw new CorruptionError(`index ${path}: invalid magic number 0x${magic.toString(16)}`, { offset: 0 });
    this.version = head.byte();
    if (this.version !== INDEX_VERSION_V2) {
      throw new CorruptionError(`index ${path}: unsupported index version ${this.version} (only v2 is read)`, { offset: 4 });
    }
    this.toc = this.readToc();
    this.syms = this.readSymbols();
    this.readPostingsTable();
  }

  static async open(options: { path: string }): Promise<IndexReader> {
    let b: Buffer;
    try {
      b = await readFile(options.path);
    } catch (cause) {
      throw new Error(`read index ${options.path}`, { cause });
    }
    return new IndexReader(b, options.path);
  }

  static fromBytes(bytes: Uint8Array, what = "<memory>"): IndexReader {
    return new IndexReader(bytes, what);
  }

  /** Size of the index file in bytes. */
  size(): number {
    return this.b.length;
  }

  private readToc(): TableOfContents {
    const at = this.b.length - INDEX_TOC_SIZE;
    const what = `index ${this.path}: TOC`;
    checkCrc32c(this.b, at, at + INDEX_TOC_SIZE - 4, what);
    const d = new Decbuf({ bytes: this.b.subarray(at), base: at, what });
    const toc = {
      symbols: d.be64(),
      series: d.be64(),
      labelIndices: d.be64(),
      labelIndicesTable: d.be64(),
      postings: d.be64(),
      postingsTable: d.be64(),
    };
    for (const [k, v] of Object.entries(toc)) {
      if (v > at) throw new CorruptionError(`${what}: ${k} section ref ${v} points past the TOC at ${at}`, { offset: at });
    }
    return toc;
  }

  /** A section that starts with a 4-byte length and ends with a CRC32C over that length. */
  private section(offset: number, what: string): Decbuf {
    const full = `index ${this.path}: ${what}`;
    if (offset + 4 > this.b.length) throw new CorruptionError(`${full}: section start past the end of file`, { offset });
    const len = new Decbuf({ bytes: this.b, base: 0, what: full });
    len.pos = offset;
    const n = len.be32();
    checkCrc32c(this.b, offset + 4, offset + 4 + n, full);
    return new Decbuf({ bytes: this.b.subarray(offset + 4, offset + 4 + n), base: offset + 4, what: full });
  }

  private readSymbols(): string[] {
    if (this.toc.symbols === 0) return [];
    const d = this.section(this.toc.symbols, "symbol table");
    const count = d.be32();
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) out[i] = d.uvarintStr();
    return out;
  }

  private readPostingsTable(): void {
    if (this.toc.postingsTable === 0) return;
    const d = this.section(this.toc.postingsTable, "postings offset table");
    const count = d.be32();
    let lastName: string | undefined;
    let cur: ValueOffsets | undefined;
    for (let i = 0; i < count; i++) {
      const keyCount = d.uvarint();
      if (keyCount !== 2) throw new CorruptionError(`index ${this.path}: postings offset table: entry ${i} has ${keyCount} keys, want 2`, { offset: d.base + d.pos });
      const name = d.uvarintStr();
      const value = d.uvarintStr();
      const offset = d.uvarint();
      if (name === ALL_POSTINGS_NAME && value === ALL_POSTINGS_VALUE) {
        this.allPostingsOffset = offset;
        continue;
      }
      if (name !== lastName) {
        cur = this.postingsTable.get(name);
        if (!cur) this.postingsTable.set(name, (cur = { values: [], offsets: [] }));
        lastName = name;
      }
      cur!.values.push(value);
      cur!.offsets.push(offset);
    }
  }

  /** The symbol table, sorted. */
  symbols(): readonly string[] {
    return this.syms;
  }

  symbol(ref: number, what = "symbol"): string {
    const s = this.syms[ref];
    if (s === undefined) throw new CorruptionError(`index ${this.path}: ${what} ref ${ref} out of range (${this.syms.length} symbols)`);
    return s;
  }

  /** Label names that some series has, sorted. */
  labelNames(): string[] {
    return [...this.postingsTable.keys()].sort(compareStrings);
  }

  /** Values of a label name, sorted; empty for unknown names. */
  labelValues(name: string): readonly string[] {
    return this.postingsTable.get(name)?.values ?? [];
  }

  /** Sorted series ids with name=value. */
  postings(name: string, value: string): Uint32Array {
    const vo = this.postingsTable.get(name);
    if (!vo) return EMPTY;
    const i = binarySearch(vo.values, value);
    if (i < 0) return EMPTY;
    return this.readPostings(vo.offsets[i], `postings ${name}=${JSON.stringify(value)}`);
  }

  /** One postings list per value of name accepted by pred (unsorted lists, each sorted). */
  postingsForValues(name: string, pred: (value: string) => boolean): Uint32Array[] {
    const vo = this.postingsTable.get(name);
    if (!vo) return [];
    const out: Uint32Array[] = [];
    for (let i = 0; i < vo.values.length; i++) {
      if (pred(vo.values[i])) out.push(this.readPostings(vo.offsets[i], `postings ${name}=${JSON.stringify(vo.values[i])}`));
    }
    return out;
  }

  /** Every series id in the index. */
  allPostings(): Uint32Array {
    if (this.allPostingsOffset === undefined) return EMPTY;
    return this.readPostings(this.allPostingsOffset, "all postings");
  }

  private readPostings(offset: number, what: string): Uint32Array {
    const d = this.section(offset, what);
    const n = d.be32();
    if (d.remaining !== n * 4) {
      throw new CorruptionError(`index ${this.path}: ${what}: ${n} entries do not fit ${d.remaining} bytes`, { offset: d.base });
    }
    const out = new Uint32Array(n);
    const b = d.bytes;
    for (let i = 0, p = 4; i < n; i++, p += 4) out[i] = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    return out;
  }

  /** Labels and chunk metas of the series with this id (offset / 16). */
  series(id: number): IndexSeries {
    const offset = id * SERIES_ALIGNMENT;
    const what = `index ${this.path}: series ${id}`;
    if (offset < INDEX_HEADER_SIZE || offset >= this.b.length - INDEX_TOC_SIZE) {
      throw new CorruptionError(`${what}: offset ${offset} outside the series section`, { offset });
    }
    const lenDec = new Decbuf({ bytes: this.b, what });
    lenDec.pos = offset;
    const len = lenDec.uvarint();
    const start = lenDec.pos;
    checkCrc32c(this.b, start, start + len, what);
    const d = new Decbuf({ bytes: this.b.subarray(start, start + len), base: start, what });
    const nl = d.uvarint();
    const labels: Label[] = new Array(nl);
    for (let i = 0; i < nl; i++) {
      const name = this.symbol(d.uvarint32(), `${what}: label name`);
      const value = this.symbol(d.uvarint32(), `${what}: label value`);
      labels[i] = { name, value };
    }
    const nc = d.uvarint();
    const chunks: ChunkMeta[] = new Array(nc);
    let mint = 0;
    let maxt = 0;
    let ref = 0;
    for (let i = 0; i < nc; i++) {
      if (i === 0) {
        mint = d.varint();
        maxt = mint + d.uvarint();
        ref = d.uvarint();
      } else {
        mint = maxt + d.uvarint();
        maxt = mint + d.uvarint();
        ref += d.varint();
      }
      chunks[i] = { mint, maxt, ref };
    }
    if (d.remaining !== 0) throw new CorruptionError(`${what}: ${d.remaining} trailing bytes`, { offset: d.base + d.pos });
    return { labels, chunks };
  }

  /** Nothing to release: the file is read into memory. Kept for symmetry with the other readers. */
  close(): void {}
}

function binarySearch(sorted: readonly string[], x: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareStrings(sorted[mid], x);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
