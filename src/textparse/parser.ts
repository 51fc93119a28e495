// A Parser over the entry records the WASM lexer writes (src/wasm/textparse.ts). The body is
// scanned once up front; next() walks the records, so a steady-state scrape touches only
// integers and floats unless it asks for labels.
import { Buffer } from "node:buffer";
import { METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { LexError, RECORD_HEADER_WORDS, SAMPLE_HEADER_WORDS, RecordFlag, RecordKind, scanExposition, type RecordChunk } from "../wasm/textparse.js";
import { ParseError } from "./errors.js";
import { parseGoFloat } from "./float.js";
import { Entry, type EntryKind, type Exemplar, type MetricType, type Parser } from "./interface.js";

export type ExpositionFormat = "text" | "openmetrics";

const TEXT_TYPES: Record<string, MetricType> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  summary: "summary",
  untyped: "unknown",
};
const OM_TYPES: Record<string, MetricType> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  gaugehistogram: "gaugehistogram",
  summary: "summary",
  info: "info",
  stateset: "stateset",
  unknown: "unknown",
};

/** Label values and quoted names: \\, \" and \n are escapes; other backslashes stay. */
function unescapeValue(s: string): string {
  return s.replace(/\\(["\\n])/g, (_m, c: string) => (c === "n" ? "\n" : c));
}

/** Text-format HELP: only \\ and \n are escapes. */
function unescapeTextHelp(s: string): string {
  return s.replace(/\\([\\n])/g, (_m, c: string) => (c === "n" ? "\n" : c));
}

/** 1-based line and byte column of an offset. */
export function lineColumn(body: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, body.length);
  for (let i = 0; i < end; i++) {
    if (body[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export class RecordParser implements Parser {
  private readonly body: Buffer;
  /** The body for word-wise comparisons with cached series texts. */
  private readonly bodyView: DataView;
  private readonly format: ExpositionFormat;
  private readonly chunks: RecordChunk[];
  private chunk = -1;
  private words: Int32Array = new Int32Array(0);
  private nums: Float64Array = new Float64Array(0);
  private wordCount = 0;
  private pos = 0;
  private cur = 0;
  private curValue = 0;
  private curTs: number | undefined;

  constructor(body: Uint8Array, format: ExpositionFormat) {
    this.body = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.bodyView = new DataView(this.body.buffer, this.body.byteOffset, this.body.byteLength);
    this.format = format;
    try {
      this.chunks = scanExposition(this.body, format);
    } catch (err) {
      if (err instanceof LexError) throw this.errorAt(err.message, err.offset);
      throw err;
    }
  }

  private errorAt(detail: string, offset: number): ParseError {
    const { line, column } = lineColumn(this.body, offset);
    const lineEnd = this.body.indexOf(10, offset);
    const snippet = this.body.toString("utf8", offset - column + 1, lineEnd < 0 ? this.body.length : lineEnd);
    return new ParseError(`${detail} while parsing: ${JSON.stringify(snippet.slice(0, 200))}`, line, column);
  }

  private text(s: number, e: number): string {
    return this.body.toString("utf8", s, e);
  }

  next(): EntryKind {
    for (;;) {
      if (this.pos >= this.wordCount) {
        this.chunk++;
        if (this.chunk >= this.chunks.length) return Entry.none;
        const c = this.chunks[this.chunk]!;
        this.words = c.words;
        this.nums = c.nums;
        this.wordCount = c.wordCount;
        this.pos = RECORD_HEADER_WORDS;
      }
      const w = this.words;
      const at = this.pos;
      this.cur = at;
      switch (w[at]) {
        case RecordKind.sample: {
          const flags = w[at + 5]!;
          let len = SAMPLE_HEADER_WORDS + 4 * w[at + 6]!;
          if (flags & RecordFlag.exemplar) len += 5 + 4 * w[at + len]!;
          this.pos = at + len;
          this.readSample(at, flags);
          return Entry.series;
        }
        case RecordKind.help:
          this.pos = at + 7;
          return Entry.help;
        case RecordKind.type:
          this.pos = at + 7;
          this.type();
          return Entry.type;
        case RecordKind.unit:
          this.pos = at + 7;
          this.checkUnit();
          return Entry.unit;
        default:
          this.pos = at + 2;
      }
    }
  }

  private readSample(at: number, flags: number): void {
    const w = this.words;
    const ni = w[at + 11]!;
    if (flags & RecordFlag.valueSlow) {
      this.curValue = this.slowFloat(w[at + 7]!, w[at + 8]!, "value");
    } else this.curValue = this.nums[ni]!;
    if (!(flags & RecordFlag.hasTs)) this.curTs = undefined;
    else if (flags & RecordFlag.tsSlow) this.curTs = this.slowTimestamp(w[at + 9]!, w[at + 10]!);
    else this.curTs = this.nums[ni + 1]!;
  }

  private slowFloat(s: number, e: number, what: string): number {
    const v = parseGoFloat(this.body.toString("latin1", s, e));
    if (v === undefined) throw this.errorAt(`invalid ${what} ${JSON.stringify(this.text(s, e))}`, s);
    return v;
  }

  private slowTimestamp(s: number, e: number): number {
    const v = this.slowFloat(s, e, "timestamp");
    if (!Number.isFinite(v)) throw this.errorAt(`invalid timestamp ${JSON.stringify(this.text(s, e))}`, s);
    return Math.trunc(v * 1000);
  }

  seriesHash(): number {
    return this.words[this.cur + 12]! >>> 2;
  }

  seriesEquals(view: DataView, off: number, len: number): boolean {
    const s = this.words[this.cur + 1]!;
    if (this.words[this.cur + 2]! - s !== len) return false;
    // Four bytes at a time: this runs for every sample of a steady-state scrape.
    const b = this.bodyView;
    let i = 0;
    for (; i + 4 <= len; i += 4) if (b.getUint32(s + i) !== view.getUint32(off + i)) return false;
    for (; i < len; i++) if (b.getUint8(s + i) !== view.getUint8(off + i)) return false;
    return true;
  }

  seriesLength(): number {
    return this.words[this.cur + 2]! - this.words[this.cur + 1]!;
  }

  copySeries(buf: Uint8Array, off: number): void {
    buf.set(this.body.subarray(this.words[this.cur + 1]!, this.words[this.cur + 2]!), off);
  }

  seriesText(): string {
    return this.text(this.words[this.cur + 1]!, this.words[this.cur + 2]!);
  }

  value(): number {
    return this.curValue;
  }

  timestamp(): number | undefined {
    return this.curTs;
  }

  private labelsAt(at: number, count: number, escapes: boolean): Label[] {
    const w = this.words;
    const out: Label[] = [];
    for (let i = 0; i < count; i++) {
      const p = at + 4 * i;
      let name = this.text(w[p]!, w[p + 1]!);
      let value = this.text(w[p + 2]!, w[p + 3]!);
      if (escapes) {
        name = unescapeValue(name);
        value = unescapeValue(value);
      }
      out.push({ name, value });
    }
    return out;
  }

  labels(): Labels {
    const at = this.cur;
    const flags = this.words[at + 5]!;
    const out = this.labelsAt(at + SAMPLE_HEADER_WORDS, this.words[at + 6]!, (flags & RecordFlag.escapes) !== 0);
    out.push({ name: METRIC_NAME, value: this.metricName() });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  exemplar(): Exemplar | undefined {
    const w = this.words;
    const at = this.cur;
    const flags = w[at + 5]!;
    if (w[at] !== RecordKind.sample || !(flags & RecordFlag.exemplar)) return undefined;
    const ex = at + SAMPLE_HEADER_WORDS + 4 * w[at + 6]!;
    const ni = w[at + 11]! + 2;
    const labels = this.labelsAt(ex + 5, w[ex]!, (flags & RecordFlag.escapes) !== 0);
    labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const value = flags & RecordFlag.exemplarValueSlow ? this.slowFloat(w[ex + 1]!, w[ex + 2]!, "exemplar value") : this.nums[ni]!;
    if (!(flags & RecordFlag.exemplarTs)) return { labels, value };
    const ts = flags & RecordFlag.exemplarTsSlow ? this.slowTimestamp(w[ex + 3]!, w[ex + 4]!) : this.nums[ni + 1]!;
    return { labels, value, ts };
  }

  metricName(): string {
    const w = this.words;
    const at = this.cur;
    const sample = w[at] === RecordKind.sample;
    const name = sample ? this.text(w[at + 3]!, w[at + 4]!) : this.text(w[at + 2]!, w[at + 3]!);
    const flags = sample ? w[at + 5]! : w[at + 6]!;
    return flags & RecordFlag.nameQuoted && name.includes("\\") ? unescapeValue(name) : name;
  }

  private metaText(): string {
    const w = this.words;
    return this.text(w[this.cur + 4]!, w[this.cur + 5]!);
  }

  help(): string {
    const t = this.metaText();
    if (!(this.words[this.cur + 6]! & RecordFlag.escapes)) return t;
    return this.format === "openmetrics" ? unescapeValue(t) : unescapeTextHelp(t);
  }

  type(): MetricType {
    const t = this.metaText();
    const table = this.format === "openmetrics" ? OM_TYPES : TEXT_TYPES;
    const type = Object.prototype.hasOwnProperty.call(table, t) ? table[t] : undefined;
    if (!type) throw this.errorAt(`invalid metric type ${JSON.stringify(t)}`, this.words[this.cur + 4]!);
    return type;
  }

  unit(): string {
    return this.metaText();
  }

  private checkUnit(): void {
    const unit = this.metaText();
    const name = this.metricName();
    if (unit !== "" && !(name.endsWith("_" + unit) && name.length > unit.length + 1)) {
      throw this.errorAt(`unit ${JSON.stringify(unit)} not a suffix of metric ${JSON.stringify(name)}`, this.words[this.cur + 4]!);
    }
  }
}
