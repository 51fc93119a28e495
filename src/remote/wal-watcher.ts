// Tails the TSDB's write-ahead log for one remote_write queue, as Prometheus' WAL watcher
// does: series records build a ref -> labels map, samples records newer than the watcher's
// start are handed to the queue. When the queue is full the watcher simply stops reading,
// so a slow or unreachable remote falls behind in the WAL (on disk) instead of in memory,
// and commits never wait for it. The WAL is only read (format from tsdb/wlog and
// tsdb/record); segments are followed as the TSDB cuts, checkpoints and deletes them.
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32c } from "@node-rs/crc32";
import { uncompressSync } from "snappy";
import type { Labels } from "../model/labels.js";
import type { Logger } from "../log/logger.js";
import { RecordType, decodeSamples, decodeSeries, newRefSamples, recordType } from "../tsdb/record/record.js";
import { lastCheckpoint } from "../tsdb/wlog/checkpoint.js";
import { readSegments } from "../tsdb/wlog/reader.js";
import { FragmentType, PAGE_SIZE, RECORD_HEADER_SIZE, SNAPPY_MASK, TYPE_MASK, listSegments, segmentName } from "../tsdb/wlog/wlog.js";
import type { SeriesRef } from "../storage/interface.js";

export interface WatcherSink {
  enqueue(refs: ArrayLike<SeriesRef>, labels: readonly Labels[], ts: Float64Array, vs: Float64Array, n: number): void;
  /** False while the queue holds as much as it should; the watcher then waits. */
  canAccept(): boolean;
}

export interface WalWatcherOptions {
  readonly walDir: string;
  readonly sink: WatcherSink;
  readonly logger?: Logger;
  /** How often the live segment is checked for new records. */
  readonly pollIntervalMs?: number;
  /** Samples at or before this time are not sent (they were before this watcher existed). */
  readonly startTimeMs?: number;
  /** Bytes read from a segment per step. */
  readonly readChunkBytes?: number;
}

export interface WalWatcherMetrics {
  recordsRead: number;
  samplesRead: number;
  /** Samples whose series record was never seen (lost to damage or truncation). */
  samplesUnknownSeries: number;
  currentSegment: number;
  corruptions: number;
}

interface SeriesEntry {
  labels: Labels;
  /** Segment the series record came from (checkpoints count as their index). */
  segment: number;
}

export class WalWatcher {
  readonly metrics: WalWatcherMetrics = { recordsRead: 0, samplesRead: 0, samplesUnknownSeries: 0, currentSegment: -1, corruptions: 0 };
  private readonly opts: WalWatcherOptions;
  private readonly startTimeMs: number;
  private readonly series = new Map<number, SeriesEntry>();
  private checkpointIndex = -1;
  private segment = -1;
  private fd = -1;
  /** File offset of buf[0]; bytes before it are parsed. */
  private bufStart = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private parts: Uint8Array[] = [];
  private compressed = false;
  private readonly samples = newRefSamples();
  private labelsOut: Labels[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(opts: WalWatcherOptions) {
    this.opts = opts;
    this.startTimeMs = opts.startTimeMs ?? Date.now();
  }

  start(): void {
    this.schedule(0);
  }

  /** Stops tailing; records not yet read stay in the WAL. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.closeSegment();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.step()
        .catch((err: unknown) => this.opts.logger?.error("WAL watcher step failed", { err }))
        .then(() => this.schedule(this.opts.pollIntervalMs ?? 50));
    }, ms);
    this.timer.unref();
  }

  /** Reads as far as the WAL and the queue allow; exposed for tests that drive it directly. */
  async step(): Promise<void> {
    this.loadCheckpointIfNew();
    for (;;) {
      if (this.stopped || !this.opts.sink.canAccept()) return;
      if (this.fd < 0 && !this.openNextSegment()) return;
      const progressed = this.readSome();
      if (progressed) continue;
      // Nothing new here. A newer segment means this one is complete: read once more, then move on.
      const segs = listSegments(this.opts.walDir);
      const newer = segs.find((s) => s > this.segment);
      if (newer === undefined) {
        if (!existsSync(segmentName(this.opts.walDir, this.segment))) this.closeSegment();
        return;
      }
      if (this.readSome()) continue;
      if (this.parts.length > 0 || this.buf.length > 0) {
        this.opts.logger?.warn("WAL segment ends inside a record; skipping its tail", { segment: this.segment });
        this.metrics.corruptions++;
      }
      this.closeSegment();
    }
  }

  /** At start the newest checkpoint gives the series; later ones also retire series that died. */
  private loadCheckpointIfNew(): void {
    const cp = lastCheckpoint(this.opts.walDir);
    if (!cp || cp.index <= this.checkpointIndex) return;
    const alive = new Set<number>();
    try {
      for (const rec of readSegments(cp.dir)) {
        if (recordType(rec.data) !== RecordType.Series) continue;
        for (const s of decodeSeries(rec.data)) {
          alive.add(s.ref);
          this.series.set(s.ref, { labels: s.labels, segment: cp.index });
        }
      }
    } catch (err) {
      // A checkpoint deleted under us by a newer one: the next step loads that.
      this.opts.logger?.warn("read WAL checkpoint failed", { dir: cp.dir, err });
      return;
    }
    for (const [ref, e] of this.series) if (e.segment <= cp.index && !alive.has(ref)) this.series.delete(ref);
    this.checkpointIndex = cp.index;
  }

  private openNextSegment(): boolean {
    const segs = listSegments(this.opts.walDir);
    // At start, begin after the checkpoint; later, continue with the next segment still present.
    const floor = this.segment >= 0 ? this.segment + 1 : this.checkpointIndex + 1;
    const next = segs.find((s) => s >= floor);
    if (next === undefined) return false;
    try {
      this.fd = openSync(segmentName(this.opts.walDir, next), "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
    this.segment = next;
    this.metrics.currentSegment = next;
    this.bufStart = 0;
    this.buf = new Uint8Array(0);
    this.parts = [];
    return true;
  }

  private closeSegment(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.buf = new Uint8Array(0);
    this.parts = [];
  }

  /** Reads new bytes and parses the records now complete; false when nothing moved. */
  private readSome(): boolean {
    const fileEnd = this.bufStart + this.buf.length;
    const size = fstatSync(this.fd).size;
    const n = Math.min(Math.max(0, size - fileEnd), this.opts.readChunkBytes ?? 1 << 20);
    if (n > 0) {
      const next = new Uint8Array(this.buf.length + n);
      next.set(this.buf);
      readSync(this.fd, next, this.buf.length, n, fileEnd);
      this.buf = next;
    }
    // Bytes left from a step that stopped for backpressure are parsed even when none are new.
    const consumed = this.buf.length > 0 ? this.parse() : 0;
    return n > 0 || consumed > 0;
  }

  /** Handles every complete record in buf; returns the bytes consumed. */
  private parse(): number {
    const buf = this.buf;
    let p = 0; // index into buf; file offset is bufStart + p
    for (;;) {
      const off = this.bufStart + p;
      const pageLeft = PAGE_SIZE - (off % PAGE_SIZE);
      if (pageLeft < RECORD_HEADER_SIZE || (p < buf.length && (buf[p] & TYPE_MASK) === FragmentType.PageTerm)) {
        // Zero padding to the end of the page, written in one piece when the page was closed.
        if (p + pageLeft > buf.length) break;
        p += pageLeft;
        continue;
      }
      if (p + RECORD_HEADER_SIZE > buf.length) break;
      const typByte = buf[p];
      const typ = typByte & TYPE_MASK;
      const len = (buf[p + 1] << 8) | buf[p + 2];
      if (p + RECORD_HEADER_SIZE + len > buf.length) break;
      const data = buf.subarray(p + RECORD_HEADER_SIZE, p + RECORD_HEADER_SIZE + len);
      const crc = ((buf[p + 3] << 24) | (buf[p + 4] << 16) | (buf[p + 5] << 8) | buf[p + 6]) >>> 0;
      if (typ > FragmentType.Last || len > pageLeft - RECORD_HEADER_SIZE || crc32c(data) !== crc) {
        this.corrupt(`bad fragment at offset ${off}`);
        return p + 1;
      }
      if (typ === FragmentType.Full || typ === FragmentType.First) {
        // Backpressure: leave the record in the WAL until the queue has room.
        if (!this.opts.sink.canAccept()) break;
        this.parts = [];
        this.compressed = (typByte & SNAPPY_MASK) !== 0;
      }
      p += RECORD_HEADER_SIZE + len;
      // Copy: buf is replaced on the next read.
      this.parts.push(typ === FragmentType.Full ? data : data.slice());
      if (typ === FragmentType.Full || typ === FragmentType.Last) {
        const rec = this.parts.length === 1 ? this.parts[0] : concat(this.parts);
        this.parts = [];
        try {
          this.handle(this.compressed ? (uncompressSync(Buffer.from(rec)) as Buffer) : rec);
        } catch (err) {
          this.metrics.corruptions++;
          this.opts.logger?.error("undecodable WAL record skipped", { segment: this.segment, offset: off, err });
        }
      }
    }
    this.bufStart += p;
    this.buf = buf.slice(p);
    return p;
  }

  private corrupt(what: string): void {
    this.metrics.corruptions++;
    this.opts.logger?.error("WAL segment is damaged; continuing with the next one", { segment: this.segment, detail: what });
    // Move past the whole file: what follows a damaged spot cannot be framed reliably.
    this.bufStart = Number.MAX_SAFE_INTEGER;
    this.buf = new Uint8Array(0);
    this.parts = [];
  }

  private handle(rec: Uint8Array): void {
    this.metrics.recordsRead++;
    const type = recordType(rec);
    if (type === RecordType.Series) {
      for (const s of decodeSeries(rec)) this.series.set(s.ref, { labels: s.labels, segment: this.segment });
      return;
    }
    if (type !== RecordType.Samples) return;
    const d = decodeSamples(rec, this.samples);
    const out = this.labelsOut;
    let k = 0;
    for (let i = 0; i < d.n; i++) {
      if (d.ts[i] <= this.startTimeMs) continue;
      const e = this.series.get(d.refs[i]);
      if (!e) {
        this.metrics.samplesUnknownSeries++;
        continue;
      }
      // Compact in place: the arrays are this watcher's scratch space.
      d.refs[k] = d.refs[i];
      d.ts[k] = d.ts[i];
      d.vs[k] = d.vs[i];
      out[k++] = e.labels;
    }
    this.metrics.samplesRead += k;
    if (k > 0) this.opts.sink.enqueue(d.refs, out, d.ts, d.vs, k);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += x.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}
