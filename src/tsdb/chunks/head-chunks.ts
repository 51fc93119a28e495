// Head chunks on disk (chunks_head/): the head's full chunks, written once when cut
// and read back on demand, so memory keeps only each series' open chunk. Files are
// 000001, 000002, ... with an 8-byte header (magic 0x0130BC91, version 1, 3 zero
// bytes); each chunk is series ref (8), mint (8), maxt (8), encoding (1), uvarint
// length, data and a CRC32-Castagnoli (4) over everything before it. A chunk's ref is
// file sequence << 32 | offset, as in Prometheus. A failed write (a full disk) keeps
// the chunks in the write buffer, still readable, and is retried at the next flush:
// where Prometheus stops, the head goes on and catches up once space is freed.
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, readdirSync, rmSync } from "node:fs";
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

  /** Opens dir, discarding files left by an earlier run: the WAL replay rebuilds them. */
  constructor(opts: HeadChunkWriterOptions) {
    this.dir = opts.dir;
    this.maxFileSize = opts.maxFileSizeBytes ?? DEFAULT_MAX_FILE_SIZE;
    this.logger = opts.logger ?? nopLogger;
    mkdirSync(this.dir, { recursive: true });
    for (const n of readdirSync(this.dir)) if (/^\d+$/.test(n)) rmSync(join(this.dir, n), { force: true });
    this.cutFile();
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
    let p = 25;
    let len = 0;
    let shift = 0;
    for (;;) {
      const byte = whole[p++];
      len += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
      if (p >= got || shift > 28) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: bad length`);
    }
    const total = p + len + 4;
    if (total > got) {
      whole = new Uint8Array(total);
      if (readAt(whole, offset) !== total) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: short read`);
    }
    const crc = ((whole[p + len] << 24) | (whole[p + len + 1] << 16) | (whole[p + len + 2] << 8) | whole[p + len + 3]) >>> 0;
    if (crc32c(whole.subarray(0, p + len)) !== crc) throw new HeadChunkCorruptionError(`head chunk ref ${ref}: checksum mismatch`);
    return whole.subarray(p, p + len);
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
}
