// An Appendable that records committed samples, for scrape tests.
import { labelsKey, labelsToString, type Labels } from "../../src/model/labels.js";
import { OutOfOrderSampleError } from "../../src/storage/errors.js";
import type { Appendable, Appender } from "../../src/storage/interface.js";

export interface RecordedSample {
  readonly labels: Labels;
  readonly series: string;
  readonly t: number;
  readonly v: number;
}

export class RecordingStorage implements Appendable {
  readonly committed: RecordedSample[] = [];
  rollbacks = 0;
  private readonly refs = new Map<string, number>();
  private readonly lastTs = new Map<string, number>();

  appender(): Appender {
    const pending: RecordedSample[] = [];
    return {
      append: (ref, labels, t, v) => {
        const key = labelsKey(labels);
        const last = this.lastTs.get(key);
        if (last !== undefined && t < last) throw new OutOfOrderSampleError();
        let r = this.refs.get(key);
        if (r === undefined) this.refs.set(key, (r = this.refs.size + 1));
        if (ref !== 0 && ref !== r) throw new Error(`ref ${ref} passed for series with ref ${r}`);
        pending.push({ labels, series: labelsToString(labels), t, v });
        return r;
      },
      commit: async () => {
        for (const s of pending) {
          this.committed.push(s);
          this.lastTs.set(labelsKey(s.labels), s.t);
        }
      },
      rollback: async () => {
        this.rollbacks++;
        pending.length = 0;
      },
    };
  }

  /** Committed samples at one timestamp, by series string. */
  at(t: number): Map<string, number> {
    return new Map(this.committed.filter((s) => s.t === t).map((s) => [s.series, s.v]));
  }

  seriesNames(): Set<string> {
    return new Set(this.committed.map((s) => s.series));
  }
}
