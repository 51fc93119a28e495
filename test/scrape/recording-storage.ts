// An Appendable that records committed samples, for scrape tests.
import { labelsKey, labelsToString, type Labels } from "../../src/model/labels.js";
import { OutOfOrderSampleError, UnknownSeriesRefError } from "../../src/storage/errors.js";
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
  private nextRef = 1;
  private readonly byRef = new Map<number, Labels>();
  private readonly lastTs = new Map<string, number>();
  /** Refs to forget, as a storage that dropped the series would. */
  readonly forgotten = new Set<number>();

  appender(): Appender {
    const pending: RecordedSample[] = [];
    return {
      append: (ref, given, t, v) => {
        // As the Appender contract says: by ref alone while the series is known.
        let labels = given;
        if (labels.length === 0) {
          const known = this.forgotten.has(ref) ? undefined : this.byRef.get(ref);
          if (known === undefined) throw new UnknownSeriesRefError(ref);
          labels = known;
        }
        const key = labelsKey(labels);
        const last = this.lastTs.get(key);
        if (last !== undefined && t < last) throw new OutOfOrderSampleError();
        let r = this.refs.get(key);
        if (r === undefined || this.forgotten.has(r)) {
          this.refs.set(key, (r = this.nextRef++));
          this.byRef.set(r, labels);
        }
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

  /** The ref this storage gave the series. */
  refOf(series: string): number | undefined {
    for (const [r, l] of this.byRef) if (!this.forgotten.has(r) && labelsToString(l) === series) return r;
    return undefined;
  }

  /** Committed samples at one timestamp, by series string. */
  at(t: number): Map<string, number> {
    return new Map(this.committed.filter((s) => s.t === t).map((s) => [s.series, s.v]));
  }

  seriesNames(): Set<string> {
    return new Set(this.committed.map((s) => s.series));
  }
}
