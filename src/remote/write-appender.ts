// The Appender the fanout hands samples to: it buffers them and, on commit, queues them
// on every remote_write queue. Samples that are rolled back are never sent.
import type { Labels } from "../model/labels.js";
import type { Appender, SeriesRef } from "../storage/interface.js";

export interface CommittedSamplesSink {
  enqueue(refs: ArrayLike<SeriesRef>, labels: readonly Labels[], ts: Float64Array, vs: Float64Array, n: number): void;
}

export class RemoteWriteAppender implements Appender {
  private readonly sinks: () => readonly CommittedSamplesSink[];
  private refs = new Float64Array(64);
  private labels: Labels[] = [];
  private ts = new Float64Array(64);
  private vs = new Float64Array(64);
  private n = 0;

  /** sinks is read at commit time, so a config reload between append and commit is honoured. */
  constructor(sinks: () => readonly CommittedSamplesSink[]) {
    this.sinks = sinks;
  }

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    // Without remote_write configs there is nothing to buffer for.
    if (this.sinks().length === 0) return ref;
    if (this.n === this.ts.length) this.grow();
    this.refs[this.n] = ref;
    this.labels[this.n] = labels;
    this.ts[this.n] = t;
    this.vs[this.n++] = v;
    return ref;
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const refs = new Float64Array(cap);
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap);
    refs.set(this.refs);
    ts.set(this.ts);
    vs.set(this.vs);
    this.refs = refs;
    this.ts = ts;
    this.vs = vs;
  }

  async commit(): Promise<void> {
    const n = this.n;
    this.n = 0;
    if (n === 0) return;
    for (const sink of this.sinks()) sink.enqueue(this.refs, this.labels, this.ts, this.vs, n);
    this.labels = [];
  }

  async rollback(): Promise<void> {
    this.n = 0;
    this.labels = [];
  }
}
