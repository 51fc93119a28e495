// The head's WAL side: replay on start (newest checkpoint, then the segments after it)
// and checkpointing when the head drops old data. A damaged segment is cut at its last
// good record, logged and counted; replay then goes on with the next segment.
import { readFileSync } from "node:fs";
import type { Logger } from "../log/logger.js";
import { labelsKey, type Labels } from "../model/labels.js";
import { WALCorruptionError } from "./errors.js";
import type { Head } from "./head.js";
import { RecordType, decodeSamples, decodeSeries, decodeTombstones, newRefSamples, recordType, type RefSeries } from "./record/record.js";
import { createCheckpoint, lastCheckpoint } from "./wlog/checkpoint.js";
import { readSegmentRecords, repairSegment } from "./wlog/reader.js";
import { listSegments, segmentName, type WL } from "./wlog/wlog.js";

/** Progress of WAL replay, as /api/v1/status/walreplay reports it. */
export interface WALReplayStatus {
  min: number;
  max: number;
  current: number;
}

export interface ReplayStats {
  readonly records: number;
  readonly series: number;
  readonly samples: number;
  readonly unknownSeriesSamples: number;
  readonly corruptions: number;
}

/**
 * Series refs index typed arrays, so a WAL ref above this (possible in a long-lived
 * Prometheus' WAL) is not used as is: such series get a local ref once replay is over.
 */
export const MAX_DIRECT_REF = 1 << 24;

interface ForeignSeries {
  readonly labels: Labels;
  readonly ts: number[];
  readonly vs: number[];
  readonly stones: { mint: number; maxt: number }[];
}

class Replayer {
  records = 0;
  series = 0;
  samples = 0;
  unknown = 0;
  /** WAL refs that name a series already created under another ref (kept by the head for checkpoints). */
  private readonly multiRef: Map<number, number>;
  /** Series with refs too large to index, buffered until finish() gives them local refs. */
  private readonly foreign = new Map<number, ForeignSeries>();
  private readonly foreignByLabels = new Map<string, number>();
  private readonly buf = newRefSamples();

  constructor(private readonly head: Head) {
    this.multiRef = head.walRefAliases;
  }

  apply(rec: Uint8Array): void {
    this.records++;
    const head = this.head;
    switch (recordType(rec)) {
      case RecordType.Series:
        for (const s of decodeSeries(rec)) {
          this.series++;
          if (s.ref > MAX_DIRECT_REF) {
            const existing = head.lookup(s.labels);
            if (existing !== 0) this.multiRef.set(s.ref, existing);
            else if (!this.foreign.has(s.ref)) {
              this.foreign.set(s.ref, { labels: s.labels, ts: [], vs: [], stones: [] });
              this.foreignByLabels.set(labelsKey(s.labels), s.ref);
            }
            continue;
          }
          const ref = head.createWithRef(s.ref, s.labels);
          if (ref !== s.ref) this.multiRef.set(s.ref, ref);
          // A local ref given to a large-ref series on an earlier start: its older samples go first.
          const key = labelsKey(s.labels);
          const big = this.foreignByLabels.get(key);
          if (big !== undefined) {
            this.foreignByLabels.delete(key);
            this.adopt(big, ref);
          }
        }
        break;
      case RecordType.Samples: {
        const b = decodeSamples(rec, this.buf);
        const minValid = head.minValidTime;
        for (let i = 0; i < b.n; i++) {
          const t = b.ts[i];
          if (t < minValid) continue;
          let ref = b.refs[i];
          ref = this.multiRef.get(ref) ?? ref;
          if (ref > MAX_DIRECT_REF) {
            const f = this.foreign.get(ref);
            if (f) {
              f.ts.push(t);
              f.vs.push(b.vs[i]);
              this.samples++;
            } else this.unknown++;
            continue;
          }
          if (!head.isAlive(ref)) {
            this.unknown++;
            continue;
          }
          head.appendCommitted(ref, t, b.vs[i]);
          this.samples++;
        }
        break;
      }
      case RecordType.Tombstones:
        for (const t of decodeTombstones(rec)) {
          const ref = this.multiRef.get(t.ref) ?? t.ref;
          if (ref > MAX_DIRECT_REF) {
            this.foreign.get(ref)?.stones.push({ mint: t.mint, maxt: t.maxt });
            continue;
          }
          if (!head.isAlive(ref)) continue;
          const list = head.tombstones.get(ref) ?? [];
          list.push({ mint: t.mint, maxt: t.maxt });
          head.tombstones.set(ref, list);
        }
        break;
      default:
        break; // exemplars, metadata, mmap markers, histograms: not replayed
    }
  }

  /** Moves a buffered large-ref series onto a local ref; later records for it follow the mapping. */
  private adopt(big: number, ref: number): void {
    const f = this.foreign.get(big)!;
    this.foreign.delete(big);
    this.multiRef.set(big, ref);
    for (let i = 0; i < f.ts.length; i++) this.head.appendCommitted(ref, f.ts[i], f.vs[i]);
    if (f.stones.length) this.head.tombstones.set(ref, [...(this.head.tombstones.get(ref) ?? []), ...f.stones]);
  }

  /** Creates the still-buffered large-ref series under new local refs (logged again by the caller). */
  finish(): void {
    for (const [big, f] of [...this.foreign]) {
      let ref = this.head.getOrCreate(f.labels);
      if (ref < 0) ref = -ref;
      this.adopt(big, ref);
    }
  }
}

/**
 * Replays walDir into the head. Never throws for damaged data: it is repaired and counted.
 * Yields to the event loop between segments so that status can be served meanwhile.
 */
export async function replayWAL(head: Head, walDir: string, logger: Logger, status: WALReplayStatus): Promise<ReplayStats> {
  const r = new Replayer(head);
  let corruptions = 0;
  const cp = lastCheckpoint(walDir);
  if (cp) {
    try {
      for (const segment of listSegments(cp.dir)) {
        for (const rec of readSegmentRecords(readFileSync(segmentName(cp.dir, segment)), segment)) r.apply(rec.data);
      }
    } catch (cause) {
      corruptions++;
      logger.error("WAL checkpoint is damaged; replaying what was read before the damage", { dir: cp.dir, err: cause });
    }
  }
  const segments = listSegments(walDir).filter((s) => !cp || s > cp.index);
  if (segments.length) {
    status.min = segments[0];
    status.max = segments[segments.length - 1];
  }
  for (const segment of segments) {
    status.current = segment;
    await new Promise((resolve) => setImmediate(resolve));
    try {
      for (const rec of readSegmentRecords(readFileSync(segmentName(walDir, segment)), segment)) {
        try {
          r.apply(rec.data);
        } catch (cause) {
          // A record that frames correctly but does not decode is damage like any other.
          throw new WALCorruptionError(segment, rec.offset, "undecodable record", { cause });
        }
      }
    } catch (err) {
      if (!(err instanceof WALCorruptionError)) throw new Error(`replay WAL segment ${segment}`, { cause: err });
      corruptions++;
      repairSegment(walDir, err, logger);
    }
  }
  r.finish();
  head.counters.walCorruptions += corruptions;
  head.counters.unknownSeriesSamples += r.unknown;
  if (r.unknown > 0) logger.warn("WAL replay dropped samples of unknown series", { samples: r.unknown });
  return { records: r.records, series: r.series, samples: r.samples, unknownSeriesSamples: r.unknown, corruptions };
}

/**
 * After the head dropped data before mint: starts a new segment, condenses all earlier
 * segments into a checkpoint keeping live series and samples >= mint, then deletes them.
 */
export async function checkpointWAL(head: Head, wal: WL, mint: number, logger: Logger): Promise<void> {
  const current = wal.nextSegment();
  const to = current - 1;
  const segs = listSegments(wal.dir).filter((s) => s <= to);
  if (segs.length === 0) return;
  const series: RefSeries[] = [];
  for (const ref of head.allPostings.view()) series.push({ ref, labels: head.labelsOf(ref) });
  const aliases = head.walRefAliases;
  const stats = await createCheckpoint({
    walDir: wal.dir,
    to,
    series,
    mapRef: (ref) => {
      const current = aliases.get(ref) ?? ref;
      return head.isAlive(current) ? current : 0;
    },
    mint,
    compress: wal.compress,
    logger,
  });
  wal.truncate(to + 1);
  // Every record that used an alias now lives in the checkpoint under the current ref.
  if (head.walRefAliases === aliases) head.walRefAliases = new Map();
  logger.info("WAL checkpoint complete", { first: segs[0], last: to, series: stats.seriesKept, samples: stats.samplesKept });
}
