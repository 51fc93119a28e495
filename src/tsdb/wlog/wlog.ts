// The write-ahead log: numbered segment files (00000000, 00000001, ...) written in
// 32 KiB pages. A record is split into fragments (full/first/middle/last) that never
// cross a page, each with a 7-byte header: type (bit 3 = snappy), BE16 length and
// BE32 CRC32-Castagnoli of the fragment bytes. Records never cross segments.
// Writes are synchronous so that log() returning means the bytes reached the OS,
// which is what makes a committed sample survive kill -9. A write that fails (ENOSPC,
// EIO, a short write) is undone: the segment is cut back to the end of the last whole
// record, so no torn record stays behind and the next log() can succeed once the
// cause is gone.
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { crc32c } from "@node-rs/crc32";
import { compressSync } from "snappy";
import { nopLogger, type Logger } from "../../log/logger.js";
import { writeFullySync } from "../encoding/file-writer.js";
import { ClosedError, WALWriteError } from "../errors.js";

export const PAGE_SIZE = 32 * 1024;
export const RECORD_HEADER_SIZE = 7;
export const DEFAULT_SEGMENT_SIZE = 128 * 1024 * 1024;

export const enum FragmentType {
  PageTerm = 0,
  Full = 1,
  First = 2,
  Middle = 3,
  Last = 4,
}
export const SNAPPY_MASK = 1 << 3;
export const TYPE_MASK = 0x07;

export interface WLOptions {
  readonly dir: string;
  readonly segmentSizeBytes?: number;
  readonly compress?: boolean;
  readonly logger?: Logger;
  /** Lowest index the first new segment may take (one past the newest checkpoint). */
  readonly firstSegment?: number;
}

export function segmentName(dir: string, index: number): string {
  return join(dir, String(index).padStart(8, "0"));
}

/** Segment indexes present in dir, ascending; non-numeric names are ignored. */
export function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: number[] = [];
  for (const n of names) if (/^\d+$/.test(n)) out.push(Number(n));
  return out.sort((a, b) => a - b);
}

export class WL {
  readonly dir: string;
  readonly compress: boolean;
  private readonly segmentSize: number;
  private readonly logger: Logger;
  private fd = -1;
  private segment = -1;
  private readonly page = new Uint8Array(PAGE_SIZE);
  private alloc = 0; // bytes of the page used
  private flushed = 0; // bytes of the page already written
  private donePages = 0;
  private closed = false;
  /** Bytes written over the WAL's lifetime, for self-monitoring. */
  bytesWritten = 0;
  recordsWritten = 0;

  constructor(opts: WLOptions) {
    this.dir = opts.dir;
    this.compress = opts.compress ?? false;
    this.segmentSize = opts.segmentSizeBytes ?? DEFAULT_SEGMENT_SIZE;
    this.logger = opts.logger ?? nopLogger;
    if (this.segmentSize % PAGE_SIZE !== 0) throw new Error(`invalid WAL segment size ${this.segmentSize}: not a multiple of ${PAGE_SIZE}`);
    mkdirSync(this.dir, { recursive: true });
    // Always start a fresh segment after the last one, so a torn tail is never appended to.
    const segs = listSegments(this.dir);
    this.openSegment(Math.max(segs.length ? segs[segs.length - 1] + 1 : 0, opts.firstSegment ?? 0));
  }

  /** The segment currently written to. */
  currentSegment(): number {
    return this.segment;
  }

  private openSegment(index: number): void {
    // Read access too: undoing a failed write reads the kept part of the page back.
    this.fd = openSync(segmentName(this.dir, index), "a+");
    this.segment = index;
    this.alloc = 0;
    this.flushed = 0;
    this.donePages = 0;
  }

  private flushPage(clear: boolean): void {
    if (clear) this.alloc = PAGE_SIZE; // the rest of the page stays zero: a page terminator
    if (this.alloc > this.flushed) {
      writeFullySync(this.fd, this.page, this.flushed, this.alloc - this.flushed);
      this.bytesWritten += this.alloc - this.flushed;
      this.flushed = this.alloc;
    }
    if (clear) {
      this.page.fill(0);
      this.alloc = 0;
      this.flushed = 0;
      this.donePages++;
    }
  }

  /**
   * Cuts the segment back to the state before a failed record: donePages full pages plus
   * alloc bytes of the current page, which are read back into the page buffer since a
   * page completed by the failed record has been cleared from it.
   */
  private undo(donePages: number, alloc: number): void {
    const size = donePages * PAGE_SIZE + alloc;
    ftruncateSync(this.fd, size);
    this.page.fill(0);
    if (alloc > 0 && readSync(this.fd, this.page, 0, alloc, donePages * PAGE_SIZE) !== alloc) {
      throw new Error(`cannot read back ${alloc} bytes at ${donePages * PAGE_SIZE}`);
    }
    this.donePages = donePages;
    this.alloc = alloc;
    this.flushed = alloc;
  }

  /** Closes the current segment (padding its last page, fsyncing) and starts the next. */
  nextSegment(): number {
    if (this.closed) throw new ClosedError("WAL");
    const { donePages, alloc } = this;
    try {
      if (this.alloc > 0) this.flushPage(true);
      fsyncSync(this.fd);
    } catch (err) {
      this.failed(donePages, alloc, err);
    }
    // Opened before the old one is closed, so a failure leaves a usable current segment.
    const next = segmentName(this.dir, this.segment + 1);
    let fd: number;
    try {
      fd = openSync(next, "a+");
    } catch (err) {
      throw new WALWriteError(next, err);
    }
    closeSync(this.fd);
    this.fd = fd;
    this.segment++;
    this.alloc = 0;
    this.flushed = 0;
    this.donePages = 0;
    return this.segment;
  }

  /** Undoes a failed write and throws an error naming the segment and the cause. */
  private failed(donePages: number, alloc: number, cause: unknown): never {
    const file = segmentName(this.dir, this.segment);
    try {
      this.undo(donePages, alloc);
    } catch (undoErr) {
      // The segment's tail is unknown now: continue in a fresh segment (replay reads each alone).
      this.logger.error("Cannot undo a failed WAL write; continuing in a new segment", { file, err: undoErr });
      const old = this.fd;
      this.openSegment(this.segment + 1);
      closeSync(old);
    }
    throw new WALWriteError(file, cause);
  }

  /**
   * Appends records in order; on return their bytes are written (not fsynced). Each record
   * is written whole or not at all; when one fails, the records before it stay written.
   */
  log(...records: Uint8Array[]): void {
    if (this.closed) throw new ClosedError("WAL");
    for (const rec of records) this.logOne(rec);
  }

  private logOne(input: Uint8Array): void {
    let rec = input;
    let compressed = false;
    if (this.compress && rec.length > 0) {
      const c = compressSync(rec);
      if (c.length < rec.length) {
        rec = c;
        compressed = true;
      }
    }
    const pagesPerSegment = this.segmentSize / PAGE_SIZE;
    let left = PAGE_SIZE - this.alloc - RECORD_HEADER_SIZE;
    left += (PAGE_SIZE - RECORD_HEADER_SIZE) * (pagesPerSegment - this.donePages - 1);
    if (rec.length > left && (this.donePages > 0 || this.alloc > 0)) this.nextSegment();
    const { donePages, alloc } = this;
    try {
      this.writeFragments(rec, compressed);
      if (this.alloc > this.flushed) this.flushPage(false);
    } catch (err) {
      this.failed(donePages, alloc, err);
    }
    this.recordsWritten++;
  }

  private writeFragments(rec: Uint8Array, compressed: boolean): void {
    let off = 0;
    for (let i = 0; i === 0 || off < rec.length; i++) {
      const room = PAGE_SIZE - this.alloc - RECORD_HEADER_SIZE;
      const l = Math.min(rec.length - off, room);
      const last = off + l === rec.length;
      let typ: number;
      if (i === 0 && last) typ = FragmentType.Full;
      else if (last) typ = FragmentType.Last;
      else if (i === 0) typ = FragmentType.First;
      else typ = FragmentType.Middle;
      if (compressed) typ |= SNAPPY_MASK;
      const part = rec.subarray(off, off + l);
      const p = this.page;
      const a = this.alloc;
      p[a] = typ;
      p[a + 1] = l >>> 8;
      p[a + 2] = l & 0xff;
      const crc = crc32c(part);
      p[a + 3] = crc >>> 24;
      p[a + 4] = (crc >>> 16) & 0xff;
      p[a + 5] = (crc >>> 8) & 0xff;
      p[a + 6] = crc & 0xff;
      p.set(part, a + RECORD_HEADER_SIZE);
      this.alloc += RECORD_HEADER_SIZE + l;
      off += l;
      if (PAGE_SIZE - this.alloc < RECORD_HEADER_SIZE) this.flushPage(true);
    }
  }

  /** fsyncs the current segment. */
  sync(): void {
    if (!this.closed) fsyncSync(this.fd);
  }

  /** Deletes segments with index < before (after a checkpoint covers them). */
  truncate(before: number): void {
    for (const s of listSegments(this.dir)) {
      if (s >= before || s === this.segment) continue;
      rmSync(segmentName(this.dir, s), { force: true });
    }
    this.logger.debug("WAL truncated", { before });
  }

  close(): void {
    if (this.closed) return;
    if (this.alloc > this.flushed) this.flushPage(false);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
  }
}
