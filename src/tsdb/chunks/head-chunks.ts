// Head chunks on disk (chunks_head/): the head's full chunks, written once when cut
// and read back on demand, so memory keeps only each series' open chunk. The files of an
// earlier run (promwasm's or Prometheus') are kept and loaded at startup. Files are
// 000001, 000002, ... with an 8-byte header (magic 0x0130BC91, version 1, 3 zero
// bytes); each chunk is series ref (8), mint (8), maxt (8), encoding (1), uvarint
// length, data and a CRC32-Castagnoli (4) over everything before it. A chunk's ref is
// file sequence << 32 | offset, as in Prometheus. A failed write (a full disk) keeps
// the chunks in the write buffer, still readable, and is retried at the next flush:
// where Prometheus stops, the head goes on and catches up once space is freed.
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { crc32c } from "@node-rs/crc32";
import { nopLogger, type Logger } from "../../log/logger.js";
import { writeFullySync } from "../encoding/file-writer.js";
import { ClosedError, HeadChunkCorruptionError } from "../errors.js";

export const MAGIC_HEAD_CHUNKS = 0x0130bc91;
export const HEAD_CHUNK_FILE_HEADER_SIZE = 8;
export const ENCODING_XOR = 1;
const DEFAULT_MAX_FILE_SIZE = 128 * 1024 * 1024;
const WRITE_BUFFER_SIZE = 4 * 1024 * 1024;
const CHUNK_HEADER_MAX = 8 + 8 + 8 + 1 + 5;
/** 120 XOR samples of scraped data usually take well under this. */
const TYPICAL_CHUNK_BYTES = 480;
const TWO32 = 0x1_0000_0000;

export interface HeadChunkWriterOptions {
  readonly dir: string;
  readonly maxFileSizeBytes?: number;
  readonly logger?: Logger;
}

interface ChunkFile {
  fd: number;
  size: number;
  maxt: number;
}

/** A chunk found in a file of an earlier run. */
export interface StoredChunk {
  /** The series ref written with it (a WAL series ref). */
  readonly seriesRef: number;
  readonly mint: number;
  readonly maxt: number;
  /** Where it is: file sequence << 32 | offset. */
  readonly ref: number;
  readonly encoding: number;
}

/**
 * Where the data of the chunk record at `at` starts and how long it is, reading the uvarint
 * after the 25-byte header within buf[..end); undefined when the length is cut off or too long.
 */
function chunkData(buf: Uint8Array, at: number, end: number): { start: number; len: number } | undefined {
  let p = at + 25;
  let len = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (p >= end) return undefined;
    const b = buf[p++]!;
    len += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { start: p, len };
  }
  return undefined;
}

/** True when the big-endian CRC32-Castagnoli at buf[dataEnd..] covers buf[at, dataEnd). */
function crcMatches(buf: Uint8Array, at: number, dataEnd: number): boolean {
  const crc = ((buf[dataEnd]! << 24) | (buf[dataEnd + 1]! << 16) | (buf[dataEnd + 2]! << 8) | buf[dataEnd + 3]!) >>> 0;
  return crc32c(buf.subarray(at, dataEnd)) === crc;
}

/**
 * Appends the chunks of one file to out and sets the file's newest maxt; returns what is
 * damaged, or undefined when the file reads to its end (trailing zeros end it too).
 */
function readChunkFile(buf: Uint8Array, seq: number, out: StoredChunk[], f: ChunkFile): string | undefined {
  f.maxt = -Infinity;
  if (buf.length < HEAD_CHUNK_FILE_HEADER_SIZE) return "short file header";
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (v.getUint32(0) !== MAGIC_HEAD_CHUNKS) return `bad magic ${v.getUint32(0).toString(16)}`;
  if (buf[4] !== 1) return `unknown version ${buf[4]}`;
  let p = HEAD_CHUNK_FILE_HEADER_SIZE;
  while (p < buf.length) {
    if (p + 26 > buf.length) return buf.subarray(p).every((b) => b === 0) ? undefined : `torn chunk at ${p}`;
    const seriesRef = v.getUint32(p) * TWO32 + v.getUint32(p + 4);
    const mint = Number(v.getBigInt64(p + 8));
    const maxt = Number(v.getBigInt64(p + 16));
    const encoding = buf[p + 24]!;
    if (seriesRef === 0 && mint === 0 && maxt === 0 && encoding === 0) return undefined;
    const d = chunkData(buf, p, buf.length);
    if (!d) return `bad chunk length at ${p}`;
    const dataEnd = d.start + d.len;
    if (dataEnd + 4 > buf.length) return `torn chunk at ${p}`;
    if (!crcMatches(buf, p, dataEnd)) return `checksum mismatch in chunk at ${p}`;
    out.push({ seriesRef, mint, maxt, ref: seq * TWO32 + p, encoding });
    if (maxt > f.maxt) f.maxt = maxt;
    p = dataEnd + 4;
  }
  return undefined;
}

/** Appends chunks to chunks_head files and reads them back by ref. */
export class HeadChunkFiles {
  readonly dir: string;
  private readonly maxFileSize: number;
  private readonly files = new Map<number, ChunkFile>();
  private seq = 0;
  private buf = new Uint8Array(WRITE_BUFFER_SIZE);
  private bufLen = 0;
  /** Offset in the current file where buf[0] goes. */
  private bufStart = 0;
  private closed = false;
  private readonly logger: Logger;
  /** Set while flushing fails; cleared by the first flush that succeeds. */
  private writeError: unknown;
  chunksWritten = 0;

  /** Files an earlier run left, oldest first; loadExisting() reads them. */
  private readonly earlier: number[] = [];

  /** Opens dir, keeping the files an earlier run left (loadExisting), and starts a new file. */
  constructor(opts: HeadChunkWriterOptions) {
    this.dir = opts.dir;
    this.maxFileSize = opts.maxFileSizeBytes ?? DEFAULT_MAX_FILE_SIZE;
    this.logger = opts.logger ?? nopLogger;
    mkdirSync(this.dir, { recursive: true });
    for (const n of readdirSync(this.dir)) if (/^\d+$/.test(n)) this.earlier.push(Number(n));
    this.earlier.sort((a, b) => a - b);
    for (const seq of this.earlier) {
      const fd = openSync(this.fileName(seq), "r");
      // Until loadExisting() has read it, a file counts as ending at +Infinity (never truncated).
      this.files.set(seq, { fd, size: fstatSync(fd).size, maxt: Infinity });
      this.seq = seq;
    }
    if (!this.cutFile()) throw new Error(`cannot start a head chunk file in ${this.dir}`, { cause: this.writeError });
  }

  /**
   * The chunks the files of earlier runs hold, oldest file first, up to the first damage
   * (a bad header, a torn or corrupt chunk): files after a damaged one are not read, so
   * each series' chunks found form an unbroken run and the WAL covers what follows.
   */
  loadExisting(): { chunks: StoredChunk[]; damage?: string } {
    const chunks: StoredChunk[] = [];
    for (const seq of this.earlier) {
      const f = this.files.get(seq)!;
      const damage = readChunkFile(readFileSync(this.fileName(seq)), seq, chunks, f);
      if (damage !== undefined) {
        for (const later of this.earlier) if (later > seq) this.files.get(later)!.maxt = -Infinity;
        return { chunks, damage: `${this.fileName(seq)}: ${damage}` };
      }
    }
    return { chunks };
  }

  private fileName(seq: number): string {
    return join(this.dir, String(seq).padStart(6, "0"));
  }

  /** Starts the next file; false (staying on the current one) when the buffer cannot be flushed. */
  private cutFile(): boolean {
    if (!this.tryFlush()) return false;
    const cur = this.files.get(this.seq);
    if (cur) fsyncSync(cur.fd);
    const name = this.fileName(this.seq + 1);
    const fd = openSync(name, "w+");
    const header = new Uint8Array(HEAD_CHUNK_FILE_HEADER_SIZE);
    new DataView(header.buffer).setUint32(0, MAGIC_HEAD_CHUNKS);
    header[4] = 1;
    try {
      writeFullySync(fd, header, 0, header.length, 0);
    } catch (err) {
      closeSync(fd);
      rmSync(name, { force: true });
      if (!cur) throw err;
      this.failedWrite(name, err);
      return false;
    }
    this.seq++;
    this.files.set(this.seq, { fd, size: HEAD_CHUNK_FILE_HEADER_SIZE, maxt: -Infinity });
    this.bufStart = HEAD_CHUNK_FILE_HEADER_SIZE;
    this.bufLen = 0;
    return true;
  }

  /** Writes the buffer out; false (keeping it) when the write fails. */
  private tryFlush(): boolean {
    if (this.bufLen === 0) return true;
    const f = this.files.get(this.seq)!;
    try {
      // Positioned writes: a retry after a failure rewrites the same bytes in place.
      writeFullySync(f.fd, this.buf, 0, this.bufLen, this.bufStart);
    } catch (err) {
      this.failedWrite(this.fileName(this.seq), err);
      return false;
    }
    if (this.writeError !== undefined) this.logger.info("Writing head chunks again", { file: this.fileName(this.seq) });
    this.writeError = undefined;
    this.bufStart += this.bufLen;
    this.bufLen = 0;
    return true;
  }

  private failedWrite(file: string, err: unknown): void {
    // Logged once per outage; the chunks wait in memory.
    if (this.writeError === undefined) this.logger.error("Writing head chunks failed; keeping them in memory until a write succeeds", { file, err });
    this.writeError = err;
  }

  /** Writes one XOR chunk and returns its ref. */
  write(seriesRef: number, mint: number, maxt: number, data: Uint8Array): number {
    if (this.closed) throw new ClosedError("head chunk files");
    const need = CHUNK_HEADER_MAX + data.length + 4;
    let f = this.files.get(this.seq)!;
    if (f.size + need > this.maxFileSize && f.size > HEAD_CHUNK_FILE_HEADER_SIZE && this.cutFile()) f = this.files.get(this.seq)!;
    if (this.bufLen + need > this.buf.length && (!this.tryFlush() || need > this.buf.length)) {
      const grown = new Uint8Array(Math.max(2 * this.buf.length, this.bufLen + need));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    const offset = f.size;
    const b = this.buf;
    const start = this.bufLen;
    const v = new DataView(b.buffer, b.byteOffset);
    let p = start;
    v.setUint32(p, Math.floor(seriesRef / TWO32));
    v.setUint32(p + 4, seriesRef >>> 0);
    v.setBigInt64(p + 8, BigInt(mint));
    v.setBigInt64(p + 16, BigInt(maxt));
    b[p + 24] = ENCODING_XOR;
    p += 25;
    let len = data.length;
    while (len >= 0x80) {
      b[p++] = (len & 0x7f) | 0x80;
      len >>>= 7;
    }
    b[p++] = len;
    b.set(data, p);
    p += data.length;
    v.setUint32(p, crc32c(b.subarray(start, p)));
    p += 4;
    this.bufLen = p;
    f.size += p - start;
    if (maxt > f.maxt) f.maxt = maxt;
    this.chunksWritten++;
    return this.seq * TWO32 + offset;
  }

  /** The XOR bytes of the chunk at ref (a copy). */
  read(ref: number): Uint8Array {
    if (this.closed) throw new ClosedError("head chunk files");
    const seq = Math.floor(ref / TWO32);
    const offset = ref % TWO32;
    const f = this.files.get(seq);
    if (!f) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: file ${seq} does not exist`);
    const inBuffer = seq === this.seq && offset >= this.bufStart;
    const readAt = (dst: Uint8Array, at: number): number => {
      if (inBuffer) {
        const s = at - this.bufStart;
        const n = Math.max(0, Math.min(dst.length, this.bufLen - s));
        dst.set(this.buf.subarray(s, s + n));
        return n;
      }
      return readSync(f.fd, dst, 0, dst.length, at);
    };
    // One read covers header and data of a typical chunk; a second one only for big chunks.
    let whole = new Uint8Array(CHUNK_HEADER_MAX + TYPICAL_CHUNK_BYTES);
    const got = readAt(whole, offset);
    if (got < 26) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: short header`);
    const d = chunkData(whole, 0, got);
    if (!d) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: bad length`);
    const dataEnd = d.start + d.len;
    if (dataEnd + 4 > got) {
      whole = new Uint8Array(dataEnd + 4);
      if (readAt(whole, offset) !== whole.length) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: short read`);
    }
    if (!crcMatches(whole, 0, dataEnd)) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: checksum mismatch`);
    return whole.subarray(d.start, dataEnd);
  }

  /** Deletes files all of whose chunks end before mint; the file being written stays. */
  truncate(mint: number): number {
    let removed = 0;
    const cur = this.files.get(this.seq)!;
    if (cur.maxt < mint && cur.size > HEAD_CHUNK_FILE_HEADER_SIZE) this.cutFile();
    for (const [seq, f] of this.files) {
      if (seq === this.seq || f.maxt >= mint) continue;
      closeSync(f.fd);
      rmSync(this.fileName(seq), { force: true });
      this.files.delete(seq);
      removed++;
    }
    return removed;
  }

  /** Bytes on disk across all files. */
  size(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.size;
    return n;
  }

  close(): void {
    if (this.closed) return;
    // Chunks that cannot be written now are in the WAL, which rebuilds them at the next start.
    this.tryFlush();
    for (const f of this.files.values()) closeSync(f.fd);
    this.files.clear();
    this.closed = true;
  }

  /**
   * The XOR bytes of the chunks at refs (copies, in the order of refs). Chunks that lie close
   * together in a file come from one read of the region holding them (at most 1 MiB, split at
   * gaps over 64 KiB) instead of a read each; each chunk's CRC is checked as read() checks it.
   * Chunks still in the write buffer, or larger than a region holds, go through read().
   */
  readMany(refs: readonly number[]): Uint8Array[] {
    if (this.closed) throw new ClosedError("head chunk files");
    const maxSpan = 1 << 20;
    const maxGap = 64 << 10;
    const out = new Array<Uint8Array>(refs.length);
    const order = refs.map((_, i) => i).sort((a, b) => refs[a] - refs[b]);
    let k = 0;
    while (k < order.length) {
      const first = refs[order[k]];
      const seq = Math.floor(first / TWO32);
      const start = first % TWO32;
      const f = this.files.get(seq);
      const flushedEnd = seq === this.seq ? this.bufStart : (f?.size ?? 0);
      if (!f || start >= flushedEnd) {
        out[order[k]] = this.read(first);
        k++;
        continue;
      }
      let end = k + 1;
      let last = start;
      while (end < order.length) {
        const r = refs[order[end]];
        const o = r % TWO32;
        if (Math.floor(r / TWO32) !== seq || o >= flushedEnd || o - last > maxGap || o - start > maxSpan) break;
        last = o;
        end++;
      }
      const region = new Uint8Array(Math.min(flushedEnd, last + CHUNK_HEADER_MAX + TYPICAL_CHUNK_BYTES) - start);
      const got = readSync(f.fd, region, 0, region.length, start);
      for (let j = k; j < end; j++) {
        const ref = refs[order[j]];
        const at = (ref % TWO32) - start;
        const d = chunkData(region, at, got);
        // Not wholly inside the region (a big chunk at its end): read it on its own.
        if (!d || d.start + d.len + 4 > got) {
          out[order[j]] = this.read(ref);
          continue;
        }
        const dataEnd = d.start + d.len;
        if (!crcMatches(region, at, dataEnd)) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: checksum mismatch`);
        out[order[j]] = region.subarray(d.start, dataEnd);
      }
      k = end;
    }
    return out;
  }
}
