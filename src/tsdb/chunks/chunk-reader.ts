// Reads chunks by ref from a block's chunks/ segment files with positional,
// synchronous reads (Node has no mmap). Refs of one call are grouped so that neighbouring
// chunks (a series' chunks are written back to back) come from one read.
import { crc32c } from "@node-rs/crc32";
import { readSync } from "node:fs";
import { open, readdir, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Chunk } from "../chunkenc/chunk.js";
import { ChecksumError, CorruptionError } from "../encoding/errors.js";
import { CHUNK_CRC_SIZE, SEGMENT_HEADER_SIZE, SEGMENT_MAGIC, SEGMENT_VERSION, unpackChunkRef } from "./segment.js";

/** Bytes read past a chunk's start when its length is not known yet. */
const READ_AHEAD = 1024;
/** Chunks closer than this are fetched in one read. */
const MERGE_GAP = 16 * 1024;

interface Segment {
  readonly path: string;
  readonly fh: FileHandle;
  readonly size: number;
}

export class ChunkReader {
  readonly dir: string;
  private readonly segments: Segment[];
  private closed = false;

  private constructor(dir: string, segments: Segment[]) {
    this.dir = dir;
    this.segments = segments;
  }

  /** Opens every numbered segment in dir and checks its header. */
  static async open(options: { dir: string }): Promise<ChunkReader> {
    const dir = options.dir;
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
    } catch (cause) {
      throw new Error(`open chunks dir ${dir}`, { cause });
    }
    const segments: Segment[] = [];
    try {
      for (const name of names) {
        const path = join(dir, name);
        const fh = await open(path, "r");
        const size = (await fh.stat()).size;
        segments.push({ path, fh, size });
        const head = Buffer.alloc(SEGMENT_HEADER_SIZE);
        const { bytesRead } = await fh.read(head, 0, SEGMENT_HEADER_SIZE, 0);
        if (bytesRead < SEGMENT_HEADER_SIZE) {
          throw new CorruptionError(`chunks segment ${path}: file of ${size} bytes is shorter than its header`, { offset: 0 });
        }
        const magic = head.readUInt32BE(0);
        if (magic !== SEGMENT_MAGIC) {
          throw new CorruptionError(`chunks segment ${path}: invalid magic number 0x${magic.toString(16)}`, { offset: 0 });
        }
        if (head[4] !== SEGMENT_VERSION) {
          throw new CorruptionError(`chunks segment ${path}: unsupported version ${head[4]}`, { offset: 4 });
        }
      }
    } catch (err) {
      await Promise.all(segments.map((s) => s.fh.close()));
      throw err;
    }
    return new ChunkReader(dir, segments);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Total bytes of all segment files. */
  size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  async chunk(ref: number): Promise<Chunk> {
    return (await this.chunks([ref]))[0];
  }

  /** The chunks for refs, in the same order. */
  async chunks(refs: readonly number[]): Promise<Chunk[]> {
    if (this.closed) throw new Error(`read chunks from ${this.dir}: reader is closed`);
    const out = new Array<Chunk>(refs.length);
    const order = refs.map((_, i) => i).sort((a, b) => refs[a] - refs[b]);
    let i = 0;
    while (i < order.length) {
      const first = unpackChunkRef(refs[order[i]]);
      const seg = this.segment(first.segmentIndex, refs[order[i]]);
      let j = i + 1;
      let last = first.offset;
      while (j < order.length) {
        const next = unpackChunkRef(refs[order[j]]);
        if (next.segmentIndex !== first.segmentIndex || next.offset - last > MERGE_GAP) break;
        last = next.offset;
        j++;
      }
      const span = this.readAt(seg, first.offset, last - first.offset + READ_AHEAD);
      for (let k = i; k < j; k++) {
        const { offset } = unpackChunkRef(refs[order[k]]);
        out[order[k]] = this.parseChunk(seg, span, first.offset, offset);
      }
      i = j;
    }
    return out;
  }

  private segment(index: number, ref: number): Segment {
    const seg = this.segments[index];
    if (!seg) {
      throw new CorruptionError(`chunks dir ${this.dir}: chunk ref ${ref} names segment ${index}, but there are ${this.segments.length}`);
    }
    return seg;
  }

  private readAt(seg: Segment, offset: number, length: number): Uint8Array {
    const len = Math.max(0, Math.min(length, seg.size - offset));
    // Synchronous reads, as Prometheus reads mmapped segments: the bytes are usually in the
    // page cache, where a round trip through the thread pool costs more than the copy.
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(seg.fh.fd, buf, got, len - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  }

  /** Parses the chunk at offset (file position) out of span, which starts at spanStart. */
  private parseChunk(seg: Segment, span: Uint8Array, spanStart: number, offset: number): Chunk {
    if (offset < SEGMENT_HEADER_SIZE || offset >= seg.size) {
      throw new CorruptionError(`chunks segment ${seg.path}: chunk offset ${offset} outside the file of ${seg.size} bytes`, { offset });
    }
    let buf = span.subarray(offset - spanStart);
    let len = 0;
    let mul = 1;
    let p = 0;
    for (;;) {
      if (p >= buf.length || p >= 5) {
        throw new CorruptionError(`chunks segment ${seg.path}: bad chunk length varint`, { offset: offset + p });
      }
      const b = buf[p++];
      len += (b & 0x7f) * mul;
      mul *= 0x80;
      if (b < 0x80) break;
    }
    const total = p + 1 + len + CHUNK_CRC_SIZE;
    if (offset + total > seg.size) {
      throw new CorruptionError(`chunks segment ${seg.path}: chunk of ${len} bytes at offset ${offset} runs past the end of the file (${seg.size} bytes)`, {
        offset,
      });
    }
    if (total > buf.length) buf = this.readAt(seg, offset, total);
    const encoding = buf[p];
    const data = buf.subarray(p + 1, p + 1 + len);
    const crcAt = p + 1 + len;
    const expected = ((buf[crcAt] << 24) | (buf[crcAt + 1] << 16) | (buf[crcAt + 2] << 8) | buf[crcAt + 3]) >>> 0;
    const actual = crc32c(buf.subarray(p, crcAt));
    if (expected !== actual) {
      throw new ChecksumError(`chunks segment ${seg.path}: chunk at offset ${offset}`, { offset: offset + crcAt, expected, actual });
    }
    // Copy so that one small chunk does not pin the whole read span.
    return { encoding, bytes: data.slice() };
  }

  /** Closes all segment files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.segments.map((s) => s.fh.close()));
  }
}
