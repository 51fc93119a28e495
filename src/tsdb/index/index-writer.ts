// Streams an index file (format v2). Usage: create, addSymbols once with every
// string the label sets use, addSeries in label order, then close. Postings are
// gathered in memory and written by close, after the (legacy) label indices,
// in the order Prometheus writes them.
import type { Labels } from "../../model/labels.js";
import { Encbuf } from "../encoding/encbuf.js";
import { FileWriter } from "../encoding/file-writer.js";
import { compareLabelSets, compareStrings } from "../encoding/strings.js";
import {
  ALL_POSTINGS_NAME,
  ALL_POSTINGS_VALUE,
  INDEX_MAGIC,
  INDEX_VERSION_V2,
  SERIES_ALIGNMENT,
  type ChunkMeta,
} from "./format.js";

export interface IndexWriterOptions {
  path: string;
}

type Stage = "symbols" | "series" | "done";

export class IndexWriter {
  readonly path: string;
  private readonly f: FileWriter;
  private readonly buf = new Encbuf({ initialSize: 4096 });
  private stage: Stage = "symbols";
  private symbolRefs = new Map<string, number>();
  private lastLabels: Labels | undefined;
  private readonly postings = new Map<string, Map<string, number[]>>();
  private readonly allPostings: number[] = [];
  private readonly toc = { symbols: 0, series: 0, labelIndices: 0, labelIndicesTable: 0, postings: 0, postingsTable: 0 };

  private constructor(path: string, f: FileWriter) {
    this.path = path;
    this.f = f;
  }

  static async create(options: IndexWriterOptions): Promise<IndexWriter> {
    const f = await FileWriter.create(options.path);
    const w = new IndexWriter(options.path, f);
    const e = w.buf;
    e.reset();
    e.putBE32(INDEX_MAGIC);
    e.putByte(INDEX_VERSION_V2);
    await f.write(e.get());
    return w;
  }

  /** Writes the symbol table: every label name and value the series will use (any order, duplicates allowed). */
  async addSymbols(symbols: Iterable<string>): Promise<void> {
    if (this.stage !== "symbols") throw new Error(`index ${this.path}: symbols must be added once, before any series`);
    const sorted = [...new Set(symbols)].sort(compareStrings);
    this.toc.symbols = this.f.pos;
    const e = this.buf;
    e.reset();
    e.putBE32(0);
    e.putBE32(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      e.putUvarintStr(sorted[i]);
      this.symbolRefs.set(sorted[i], i);
    }
    e.setBE32(0, e.length - 4);
    e.putCrc32c(4);
    await this.f.write(e.get());
    this.stage = "series";
    this.toc.series = this.f.pos;
  }

  /**
   * Adds the next series (label sets strictly ascending) with its chunk metas
   * (sorted by time). Returns the series id postings use: offset / 16.
   */
  async addSeries(labels: Labels, chunks: readonly ChunkMeta[]): Promise<number> {
    if (this.stage !== "series") throw new Error(`index ${this.path}: addSeries ${this.stage === "symbols" ? "before addSymbols" : "after close"}`);
    if (this.lastLabels && compareLabelSets(this.lastLabels, labels) >= 0) {
      throw new Error(`index ${this.path}: series ${labelsText(labels)} out of order after ${labelsText(this.lastLabels)}`);
    }
    await this.f.pad(SERIES_ALIGNMENT);
    const offset = this.f.pos;
    const id = offset / SERIES_ALIGNMENT;
    if (id > 0xffff_ffff) throw new Error(`index ${this.path}: series section exceeds 64 GiB`);

    const e = this.buf;
    e.reset();
    e.putUvarint(labels.length);
    for (const l of labels) {
      e.putUvarint(this.symbol(l.name));
      e.putUvarint(this.symbol(l.value));
      let byValue = this.postings.get(l.name);
      if (!byValue) this.postings.set(l.name, (byValue = new Map()));
      const list = byValue.get(l.value);
      if (list) list.push(id);
      else byValue.set(l.value, [id]);
    }
    this.allPostings.push(id);
    e.putUvarint(chunks.length);
    let prevMaxt = 0;
    let prevRef = 0;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i];
      if (c.maxt < c.mint) throw new Error(`index ${this.path}: series ${labelsText(labels)}: chunk maxt ${c.maxt} < mint ${c.mint}`);
      if (i === 0) {
        e.putVarint(c.mint);
        e.putUvarint(c.maxt - c.mint);
        e.putUvarint(c.ref);
      } else {
        if (c.mint < prevMaxt) throw new Error(`index ${this.path}: series ${labelsText(labels)}: chunks overlap or are unsorted at ${c.mint}`);
        e.putUvarint(c.mint - prevMaxt);
        e.putUvarint(c.maxt - c.mint);
        e.putVarint(c.ref - prevRef);
      }
      prevMaxt = c.maxt;
      prevRef = c.ref;
    }
    const body = e.get().slice();
    e.reset();
    e.putUvarint(body.length);
    const from = e.length;
    e.putBytes(body);
    e.putCrc32c(from);
    await this.f.write(e.get());
    this.lastLabels = labels;
    return id;
  }

  private symbol(s: string): number {
    const ref = this.symbolRefs.get(s);
    if (ref === undefined) throw new Error(`index ${this.path}: symbol ${JSON.stringify(s)} was not added`);
    return ref;
  }

  /** Writes label indices, postings, both offset tables and the TOC, then fsyncs. */
  async close(): Promise<void> {
    if (this.stage === "done") return;
    try {
      if (this.stage === "symbols") await this.addSymbols([]);
      this.stage = "done";
      const names = [...this.postings.keys()].sort(compareStrings);
      await this.writeLabelIndices(names);
      await this.writePostings(names);
      await this.writeToc();
      await this.f.close();
    } catch (cause) {
      await this.f.abort();
      throw new Error(`write index ${this.path}`, { cause });
    }
  }

  /** Closes the file without finishing it (error paths). */
  async abort(): Promise<void> {
    this.stage = "done";
    await this.f.abort();
  }

  private async writeLabelIndices(names: string[]): Promise<void> {
    const e = this.buf;
    this.toc.labelIndices = this.f.pos;
    const offsets: number[] = [];
    for (const name of names) {
      const values = [...this.postings.get(name)!.keys()].sort(compareStrings);
      await this.f.pad(4);
      offsets.push(this.f.pos);
      e.reset();
      e.putBE32(0);
      e.putBE32(1);
      e.putBE32(values.length);
      for (const v of values) e.putBE32(this.symbol(v));
      e.setBE32(0, e.length - 4);
      e.putCrc32c(4);
      await this.f.write(e.get());
    }
    this.toc.labelIndicesTable = this.f.pos;
    e.reset();
    e.putBE32(0);
    e.putBE32(names.length);
    for (let i = 0; i < names.length; i++) {
      e.putUvarint(1);
      e.putUvarintStr(names[i]);
      e.putUvarint(offsets[i]);
    }
    e.setBE32(0, e.length - 4);
    e.putCrc32c(4);
    await this.f.write(e.get());
  }

  private async writePostings(names: string[]): Promise<void> {
    const e = this.buf;
    this.toc.postings = this.f.pos;
    const table: { name: string; value: string; offset: number }[] = [];
    const writeList = async (name: string, value: string, ids: readonly number[]): Promise<void> => {
      await this.f.pad(4);
      table.push({ name, value, offset: this.f.pos });
      e.reset();
      e.putBE32(0);
      e.putBE32(ids.length);
      for (const id of ids) e.putBE32(id);
      e.setBE32(0, e.length - 4);
      e.putCrc32c(4);
      await this.f.write(e.get());
    };
    await writeList(ALL_POSTINGS_NAME, ALL_POSTINGS_VALUE, this.allPostings);
    for (const name of names) {
      const byValue = this.postings.get(name)!;
      for (const value of [...byValue.keys()].sort(compareStrings)) await writeList(name, value, byValue.get(value)!);
    }
    this.toc.postingsTable = this.f.pos;
    e.reset();
    e.putBE32(0);
    e.putBE32(table.length);
    for (const t of table) {
      e.putUvarint(2);
      e.putUvarintStr(t.name);
      e.putUvarintStr(t.value);
      e.putUvarint(t.offset);
    }
    e.setBE32(0, e.length - 4);
    e.putCrc32c(4);
    await this.f.write(e.get());
  }

  private async writeToc(): Promise<void> {
    const e = this.buf;
    e.reset();
    const t = this.toc;
    for (const v of [t.symbols, t.series, t.labelIndices, t.labelIndicesTable, t.postings, t.postingsTable]) e.putBE64(v);
    e.putCrc32c(0);
    await this.f.write(e.get());
  }
}

function labelsText(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ")}}`;
}
