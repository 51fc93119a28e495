// One shard of a remote write queue: a FIFO of pending samples (typed arrays plus a
// series entry per slot) and a loop that sends a batch when max_samples_per_send are
// pending or batch_send_deadline has passed since the oldest one arrived. One request is
// in flight per shard, which keeps each series' samples in order (a series always maps
// to the same shard).
import type { WriteSeriesEntry } from "./write-series.js";

export interface ShardSender {
  /** Sends samples [0, n) of the given arrays; resolves when done (sent, or given up on). */
  sendBatch(entries: readonly WriteSeriesEntry[], ts: Float64Array, vs: Float64Array, n: number): Promise<void>;
}

export interface ShardOptions {
  readonly maxSamplesPerSend: number;
  readonly batchSendDeadlineMs: number;
  readonly sender: ShardSender;
}

export class WriteShard {
  private readonly opts: ShardOptions;
  private entries: WriteSeriesEntry[] = [];
  private ts: Float64Array;
  private vs: Float64Array;
  private head = 0;
  private tail = 0;
  private oldestAtMs = 0;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Send everything now, then stop when empty. */
  private draining = false;
  /** Stop without sending what is left. */
  private aborted = false;
  private readonly batchEntries: WriteSeriesEntry[] = [];
  private readonly batchTs: Float64Array;
  private readonly batchVs: Float64Array;
  readonly done: Promise<void>;

  constructor(opts: ShardOptions, gate: Promise<void>) {
    this.opts = opts;
    this.ts = new Float64Array(Math.max(16, opts.maxSamplesPerSend));
    this.vs = new Float64Array(this.ts.length);
    this.batchTs = new Float64Array(opts.maxSamplesPerSend);
    this.batchVs = new Float64Array(opts.maxSamplesPerSend);
    this.done = gate.then(() => this.run());
  }

  get pending(): number {
    return this.tail - this.head;
  }

  push(e: WriteSeriesEntry, t: number, v: number): void {
    if (this.tail === this.ts.length) this.makeRoom();
    const wasEmpty = this.head === this.tail;
    if (wasEmpty) this.oldestAtMs = Date.now();
    this.entries[this.tail] = e;
    this.ts[this.tail] = t;
    this.vs[this.tail++] = v;
    // Wake the loop to start the batch deadline timer, or to send a full batch now.
    if (wasEmpty || this.tail - this.head === this.opts.maxSamplesPerSend) this.signal();
  }

  /** Sends what is pending without waiting for the deadline, then ends the loop. */
  drain(): void {
    this.draining = true;
    this.signal();
  }

  /** Ends the loop and returns how many pending samples were abandoned. */
  abort(): number {
    this.aborted = true;
    const left = this.pending;
    this.head = this.tail = 0;
    this.entries.length = 0;
    this.signal();
    return left;
  }

  private makeRoom(): void {
    const n = this.tail - this.head;
    if (this.head > 0 && n <= this.ts.length >>> 1) {
      this.ts.copyWithin(0, this.head, this.tail);
      this.vs.copyWithin(0, this.head, this.tail);
      this.entries.copyWithin(0, this.head, this.tail);
    } else {
      const ts = new Float64Array(this.ts.length * 2);
      const vs = new Float64Array(this.ts.length * 2);
      ts.set(this.ts.subarray(this.head, this.tail));
      vs.set(this.vs.subarray(this.head, this.tail));
      this.ts = ts;
      this.vs = vs;
      if (this.head > 0) this.entries.copyWithin(0, this.head, this.tail);
    }
    this.entries.length = n;
    this.head = 0;
    this.tail = n;
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    w?.();
  }

  private wait(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      if (ms !== undefined) this.timer = setTimeout(() => this.signal(), Math.max(0, ms));
    });
  }

  private async run(): Promise<void> {
    const max = this.opts.maxSamplesPerSend;
    for (;;) {
      if (this.aborted) return;
      const n = this.pending;
      if (n === 0 && this.draining) return;
      const due = n > 0 && (this.draining || Date.now() - this.oldestAtMs >= this.opts.batchSendDeadlineMs);
      if (n >= max || due) {
        const k = Math.min(n, max);
        // Copy the batch out so that pushes during the send can reuse the FIFO.
        for (let i = 0; i < k; i++) this.batchEntries[i] = this.entries[this.head + i];
        this.batchTs.set(this.ts.subarray(this.head, this.head + k));
        this.batchVs.set(this.vs.subarray(this.head, this.head + k));
        this.head += k;
        if (this.head === this.tail) {
          this.head = this.tail = 0;
          this.entries.length = 0;
        } else {
          this.oldestAtMs = Date.now();
        }
        await this.opts.sender.sendBatch(this.batchEntries, this.batchTs, this.batchVs, k);
        continue;
      }
      await this.wait(n > 0 ? this.opts.batchSendDeadlineMs - (Date.now() - this.oldestAtMs) : undefined);
    }
  }
}
