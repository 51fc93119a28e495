// Writes chunks into numbered segment files under a block's chunks/ dir and
// returns their refs. Segments are cut before a chunk would cross the size limit.
import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import type { Chunk } from "../chunkenc/chunk.js";
import { Encbuf } from "../encoding/encbuf.js";
import { FileWriter } from "../encoding/file-writer.js";
import {
  DEFAULT_SEGMENT_SIZE_BYTES,
  SEGMENT_HEADER_SIZE,
  SEGMENT_MAGIC,
  SEGMENT_VERSION,
  packChunkRef,
  segmentFileName,
} from "./segment.js";

export interface ChunkWriterOptions {
  /** The chunks/ directory; created if missing. */
  dir: string;
  segmentSizeBytes?: number;
}

export class ChunkWriter {
  readonly dir: string;
  private readonly segmentSizeBytes: number;
  private current: FileWriter | undefined;
  private segmentIndex = -1;
  private readonly enc = new Encbuf({ initialSize: 1024 });
  private closed = false;

  private constructor(options: ChunkWriterOptions) {
    this.dir = options.dir;
    this.segmentSizeBytes = options.segmentSizeBytes ?? DEFAULT_SEGMENT_SIZE_BYTES;
  }

  static async create(options: ChunkWriterOptions): Promise<ChunkWriter> {
    await mkdir(options.dir, { recursive: true });
    return new ChunkWriter(options);
  }

  /** Appends a chunk and returns its ref (segment index << 32 | offset). */
  async write(chunk: Chunk): Promise<number> {
    if (this.closed) throw new Error(`write chunk to ${this.dir}: writer is closed`);
    const enc = this.enc;
    enc.reset();
    enc.putUvarint(chunk.bytes.length);
    enc.putByte(chunk.encoding);
    const crcFrom = enc.length - 1;
    enc.putBytes(chunk.bytes);
    enc.putCrc32c(crcFrom);
    if (!this.current || (this.current.pos > SEGMENT_HEADER_SIZE && this.current.pos + enc.length > this.segmentSizeBytes)) {
      await this.cut();
    }
    const cur = this.current!;
    const ref = packChunkRef(this.segmentIndex, cur.pos);
    await cur.write(enc.get());
    return ref;
  }

  private async cut(): Promise<void> {
    if (this.current) await this.current.close();
    this.segmentIndex++;
    const path = join(this.dir, segmentFileName(this.segmentIndex + 1));
    try {
      this.current = await FileWriter.create(path);
      const h = new Encbuf({ initialSize: SEGMENT_HEADER_SIZE });
      h.putBE32(SEGMENT_MAGIC);
      h.putByte(SEGMENT_VERSION);
      h.putBytes(new Uint8Array(3));
      await this.current.write(h.get());
    } catch (cause) {
      throw new Error(`cut chunk segment ${path}`, { cause });
    }
  }

  /** Flushes and fsyncs the last segment and the directory. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.current) await this.current.close();
    this.current = undefined;
    const dh = await open(this.dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
