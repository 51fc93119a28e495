// The head's write path. An appender validates each sample against what is committed
// (and what it already holds for the series), buffers it in typed arrays, and on
// commit writes the series and samples records to the WAL before making the samples
// visible. Errors use Prometheus' semantics: same timestamp with another value is a
// duplicate, the same value again is ignored, older is out of order (or accepted when
// an out-of-order window is set), and too far behind the head is out of bounds.
import type { Labels } from "../model/labels.js";
import type { Appender, SeriesRef } from "../storage/interface.js";
import { DuplicateSampleError, InvalidSampleError, OutOfBoundsError, OutOfOrderSampleError, TooOldSampleError, UnknownSeriesRefError } from "../storage/errors.js";
import { ClosedError } from "./errors.js";
import { sameValue, type Head } from "./head.js";
import { RecordEncoder, type RefSeries } from "./record/record.js";
import type { WL } from "./wlog/wlog.js";

const encoder = new RecordEncoder();
let walRefScratch = new Float64Array(256);

/** Rejects label sets Prometheus' head rejects: empty, or with a name given twice. */
function checkLabels(labels: Labels): void {
  if (labels.length === 0) throw new InvalidSampleError("empty labelset");
  for (let i = 1; i < labels.length; i++) {
    if (labels[i].name === labels[i - 1].name) throw new InvalidSampleError(`label name "${labels[i].name}" is not unique`);
  }
}

export class HeadAppender implements Appender {
  private readonly head: Head;
  private readonly id: number;
  /** Head ids (not refs) of the buffered samples. */
  private ids: Float64Array;
  private ts: Float64Array;
  private vs: Float64Array;
  private n = 0;
  private done = false;
  /** Lowest in-order time accepted, fixed when the appender starts (as Prometheus does). */
  private readonly minValidTime: number;
  private readonly oooMinValidTime: number;

  constructor(head: Head) {
    this.head = head;
    this.id = head.newAppenderId();
    // Reuse the buffers of a finished appender: scrapes of similar size follow each other.
    const pooled = head.appendBuffers.pop();
    this.ids = pooled?.ids ?? new Float64Array(256);
    this.ts = pooled?.ts ?? new Float64Array(256);
    this.vs = pooled?.vs ?? new Float64Array(256);
    this.minValidTime = head.appendableMinValidTime();
    const w = head.opts.outOfOrderTimeWindowMs;
    this.oooMinValidTime = w > 0 ? Math.max(head.minValidTime, head.maxTime - w) : this.minValidTime;
  }

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    if (this.done) throw new ClosedError("appender (already committed or rolled back)");
    const head = this.head;
    const oooWindow = head.opts.outOfOrderTimeWindowMs;
    if (t < this.minValidTime) {
      if (oooWindow === 0) {
        head.counters.outOfBoundsSamples++;
        throw new OutOfBoundsError();
      }
      if (t < this.oooMinValidTime) {
        head.counters.tooOldSamples++;
        throw new TooOldSampleError();
      }
    }
    let r = head.resolve(ref);
    if (r === 0) {
      if (ref !== 0 && labels.length === 0) throw new UnknownSeriesRefError(ref);
      checkLabels(labels);
      r = head.getOrCreate(labels);
      if (r < 0) r = -r;
    }
    const s = head.series;
    let lastT = s.maxt[r];
    let lastV = s.lastValue[r];
    const mine = s.pendingOwner[r] === this.id;
    if (mine && s.pendingMaxt[r] >= lastT) {
      lastT = s.pendingMaxt[r];
      lastV = s.pendingValue[r];
    }
    if (t <= lastT) {
      if (t === lastT) {
        if (sameValue(v, lastV)) return head.refOf(r);
        head.counters.duplicateSamples++;
        throw new DuplicateSampleError();
      }
      if (oooWindow === 0 || t < head.maxTime - oooWindow) {
        if (oooWindow > 0) {
          head.counters.tooOldSamples++;
          throw new TooOldSampleError();
        }
        head.counters.outOfOrderSamples++;
        throw new OutOfOrderSampleError();
      }
      // Accepted out of order: it does not move the series' pending newest time.
    } else {
      s.pendingOwner[r] = this.id;
      s.pendingMaxt[r] = t;
      s.pendingValue[r] = v;
    }
    if (this.n === this.ids.length) this.growBuffers();
    this.ids[this.n] = r;
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
    return head.refOf(r);
  }

  private growBuffers(): void {
    const size = this.ids.length * 2;
    const grow = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.ids = grow(this.ids);
    this.ts = grow(this.ts);
    this.vs = grow(this.vs);
  }

  /**
   * Logs the series created by any appender and not yet in the WAL, before samples refer
   * to them. They stay queued when the write fails, for the next commit to log.
   */
  private logSeries(wal: WL): void {
    const head = this.head;
    if (head.unloggedSeries.length === 0) return;
    const series: RefSeries[] = [];
    for (const id of head.unloggedSeries) if (head.registry.isAlive(id)) series.push({ ref: head.refOf(id), labels: head.labelsOf(id) });
    if (series.length) wal.log(encoder.series(series));
    head.unloggedSeries = [];
  }

  async commit(): Promise<void> {
    this.commitSync();
  }

  /** commit() without the promise, for callers on a hot loop (benchmarks, replay tools). */
  commitSync(): void {
    if (this.done) throw new ClosedError("appender (already committed or rolled back)");
    this.done = true;
    const head = this.head;
    const wal = head.wal;
    if (wal) {
      try {
        this.logSeries(wal);
        if (this.n > 0) wal.log(encoder.samples(this.walRefs(), this.ts, this.vs, this.n));
      } catch (cause) {
        this.release();
        throw new Error(`commit ${this.n} samples`, { cause });
      }
    } else head.unloggedSeries = [];
    const appended = head.appendCommitted(this.ids, this.ts, this.vs, this.n);
    this.release();
    if (appended > 0) head.onCommit?.();
  }

  /** The buffered samples' refs, as the WAL records them. */
  private walRefs(): Float64Array {
    if (walRefScratch.length < this.n) walRefScratch = new Float64Array(this.ids.length);
    const registry = this.head.registry;
    for (let i = 0; i < this.n; i++) walRefScratch[i] = registry.refOf(this.ids[i]);
    return walRefScratch;
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    // Series exist in memory whatever happens to the samples, so they are logged anyway;
    // when that fails they stay queued for the next commit, which fails in turn if the
    // WAL still cannot be written.
    const wal = this.head.wal;
    try {
      if (wal) this.logSeries(wal);
      else this.head.unloggedSeries = [];
    } catch (err) {
      this.head.logger.warn("Series of a rolled back append not logged yet", { err });
    }
    this.release();
  }

  private release(): void {
    const s = this.head.series;
    for (let i = 0; i < this.n; i++) {
      const r = this.ids[i];
      if (s.pendingOwner[r] === this.id) {
        s.pendingOwner[r] = 0;
        s.pendingMaxt[r] = -Infinity;
      }
    }
    this.n = 0;
    if (this.head.appendBuffers.length < 8) this.head.appendBuffers.push({ ids: this.ids, ts: this.ts, vs: this.vs });
  }
}
