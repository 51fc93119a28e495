// Buffered, append-only file writer that tracks its position, for formats that
// refer to earlier offsets (index sections, chunk refs). fsync on close. Also the
// one place that turns short writes into complete ones or errors.
import { writeSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/**
 * Writes len bytes of buf from off to fd (at pos when given, else at the file position),
 * going on after short writes: write(2) may write less than asked on a nearly full disk.
 */
export function writeFullySync(fd: number, buf: Uint8Array, off: number, len: number, pos?: number): void {
  let done = 0;
  while (done < len) {
    const n = writeSync(fd, buf, off + done, len - done, pos === undefined ? null : pos + done);
    if (n <= 0) throw new Error(`short write: ${done} of ${len} bytes written`);
    done += n;
  }
}

const FLUSH_AT = 1 << 20;

export class FileWriter {
  readonly path: string;
  private fh: FileHandle | undefined;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private written = 0;

  private constructor(path: string, fh: FileHandle) {
    this.path = path;
    this.fh = fh;
  }

  /** Creates (or truncates) the file. */
  static async create(path: string): Promise<FileWriter> {
    return new FileWriter(path, await open(path, "w"));
  }

  /** Bytes written so far, including buffered ones. */
  get pos(): number {
    return this.written + this.buffered;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.fh) throw new Error(`write ${this.path}: writer is closed`);
    // Copy: callers reuse their encode buffers.
    this.chunks.push(bytes.slice());
    this.buffered += bytes.length;
    if (this.buffered >= FLUSH_AT) await this.flush();
  }

  /** Zero bytes up to the next multiple of align. */
  async pad(align: number): Promise<void> {
    const rem = this.pos % align;
    if (rem !== 0) await this.write(new Uint8Array(align - rem));
  }

  async flush(): Promise<void> {
    if (!this.fh || this.buffered === 0) return;
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    for (let done = 0; done < all.length; ) {
      const { bytesWritten } = await this.fh.write(all, done, all.length - done, this.written + done);
      if (bytesWritten <= 0) throw new Error(`write ${this.path}: short write`);
      done += bytesWritten;
    }
    this.written += all.length;
  }

  /** Flushes, fsyncs and closes. Idempotent. */
  async close(): Promise<void> {
    if (!this.fh) return;
    try {
      await this.flush();
      await this.fh.sync();
    } finally {
      const fh = this.fh;
      this.fh = undefined;
      await fh.close();
    }
  }

  /** Closes without syncing, for error paths; the file is left for the caller to remove. */
  async abort(): Promise<void> {
    if (!this.fh) return;
    const fh = this.fh;
    this.fh = undefined;
    this.chunks = [];
    this.buffered = 0;
    await fh.close();
  }
}
