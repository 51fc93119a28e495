// The head's WAL side: replay on start (newest checkpoint, then the segments after it)
// and checkpointing when the head drops old data. A damaged segment is cut at its last
// good record, logged and counted; replay then goes on with the next segment.
import { readFileSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Logger } from "../log/logger.js";
import { labelsKey, type Labels } from "../model/labels.js";
import { ENCODING_XOR, type StoredChunk } from "./chunks/head-chunks.js";
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

/** A series whose WAL ref cannot be used as is, buffered until replay ends. */
interface DeferredSeries {
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
  /** WAL refs that name a series known under another ref (kept by the head for checkpoints). */
  private readonly aliases: Map<number, number>;
  /**
   * Series whose ref's id is taken by other labels (a foreign WAL's refs can exceed the
   * id space and wrap): they get a ref above every ref seen once replay is over.
   */
  private readonly deferred = new Map<number, DeferredSeries>();
  private readonly deferredByLabels = new Map<string, number>();
  private maxRefSeen = 0;
  private readonly buf = newRefSamples();
  /** Newest time of the stored chunks linked to a series (by id): the WAL's samples up to it are in them. */
  private readonly coveredUntil = new Map<number, number>();

  constructor(
    private readonly head: Head,
    /** Chunks chunks_head/ files hold, by the WAL series ref written with them. */
    private readonly stored: Map<number, StoredChunk[]>,
  ) {
    this.aliases = head.walRefAliases;
  }

  /** Links the stored chunks written under walRef to the series. */
  private attach(walRef: number, id: number): void {
    const list = this.stored.get(walRef);
    if (!list) return;
    this.stored.delete(walRef);
    const until = this.head.attachStoredChunks(id, list);
    if (until !== -Infinity) this.coveredUntil.set(id, until);
  }

  /** The head id for a WAL ref, or 0. */
  private idOf(walRef: number): number {
    return this.head.resolve(this.aliases.get(walRef) ?? walRef);
  }

  apply(rec: Uint8Array): void {
    this.records++;
    const head = this.head;
    switch (recordType(rec)) {
      case RecordType.Series:
        for (const s of decodeSeries(rec)) {
          this.series++;
          if (s.ref > this.maxRefSeen) this.maxRefSeen = s.ref;
          const id = head.createWithRef(s.ref, s.labels);
          if (id === 0) {
            if (!this.deferred.has(s.ref) && !this.deferredByLabels.has(labelsKey(s.labels))) {
              this.deferred.set(s.ref, { labels: s.labels, ts: [], vs: [], stones: [] });
              this.deferredByLabels.set(labelsKey(s.labels), s.ref);
            } else if (!this.deferred.has(s.ref)) this.aliases.set(s.ref, this.deferredByLabels.get(labelsKey(s.labels))!);
            continue;
          }
          if (head.refOf(id) !== s.ref) this.aliases.set(s.ref, head.refOf(id));
          this.attach(s.ref, id);
          // The same labels deferred earlier (a ref given on an earlier start): older samples first.
          const key = labelsKey(s.labels);
          const waiting = this.deferredByLabels.get(key);
          if (waiting !== undefined) {
            this.deferredByLabels.delete(key);
            this.adopt(waiting, id);
          }
        }
        break;
      case RecordType.Samples: {
        const b = decodeSamples(rec, this.buf);
        const minValid = head.minValidTime;
        // Kept samples are packed to the front, with head ids in place of refs, for one append.
        let k = 0;
        for (let i = 0; i < b.n; i++) {
          const t = b.ts[i];
          if (t < minValid) continue;
          const walRef = this.aliases.get(b.refs[i]) ?? b.refs[i];
          const d = this.deferred.get(walRef);
          if (d) {
            d.ts.push(t);
            d.vs.push(b.vs[i]);
            this.samples++;
            continue;
          }
          const id = head.resolve(walRef);
          if (id === 0) {
            this.unknown++;
            continue;
          }
          if (this.coveredUntil.size > 0) {
            const covered = this.coveredUntil.get(id);
            if (covered !== undefined && t <= covered) continue;
          }
          b.refs[k] = id;
          b.ts[k] = t;
          b.vs[k] = b.vs[i];
          k++;
        }
        if (k > 0) head.appendCommitted(b.refs, b.ts, b.vs, k);
        this.samples += k;
        break;
      }
      case RecordType.Tombstones:
        for (const t of decodeTombstones(rec)) {
          const walRef = this.aliases.get(t.ref) ?? t.ref;
          const d = this.deferred.get(walRef);
          if (d) {
            d.stones.push({ mint: t.mint, maxt: t.maxt });
            continue;
          }
          const id = this.idOf(walRef);
          if (id === 0) continue;
          const list = head.tombstones.get(id) ?? [];
          list.push({ mint: t.mint, maxt: t.maxt });
          head.tombstones.set(id, list);
        }
        break;
      default:
        break; // exemplars, metadata, mmap markers, histograms: not replayed
    }
  }

  /** Moves a deferred series onto a head series; later records for its ref follow the alias. */
  private adopt(walRef: number, id: number): void {
    const d = this.deferred.get(walRef)!;
    this.deferred.delete(walRef);
    this.aliases.set(walRef, this.head.refOf(id));
    this.head.appendCommitted(new Float64Array(d.ts.length).fill(id), d.ts, d.vs, d.ts.length);
    if (d.stones.length) this.head.tombstones.set(id, [...(this.head.tombstones.get(id) ?? []), ...d.stones]);
  }

  /** Creates the still-deferred series under refs no WAL record uses (logged again by the caller). */
  finish(): void {
    for (const [walRef, d] of [...this.deferred]) {
      const found = this.head.lookup(d.labels);
      this.adopt(walRef, found !== 0 ? found : this.head.createFresh(d.labels, this.maxRefSeen));
    }
  }
}

export interface ReplayOptions {
  /**
   * Leave damaged segments as they are (read-only opening, e.g. `tsdb dump`): replay skips
   * the rest of a segment after its damage instead of cutting the file there.
   */
  readonly readOnly?: boolean;
}

/** The longest stretch replay runs without giving the event loop a turn. */
const YIELD_AFTER_MS = 50;

/**
 * Gives the event loop a turn about every YIELD_AFTER_MS, so that the server answers
 * /-/ready (503) and /api/v1/status/walreplay while a long replay runs. The clock is read
 * once per record: a record holds a whole commit, so this costs nothing per sample.
 */
class Yielder {
  private last = performance.now();

  due(): boolean {
    return performance.now() - this.last >= YIELD_AFTER_MS;
  }

  async yield(): Promise<void> {
    await nextTurn();
    this.last = performance.now();
  }
}

/**
 * Replays walDir into the head. Never throws for damaged data: it is repaired (unless
 * readOnly) and counted. Yields to the event loop regularly so that status is served meanwhile.
 */
export async function replayWAL(head: Head, walDir: string, logger: Logger, status: WALReplayStatus, opts: ReplayOptions = {}): Promise<ReplayStats> {
  const r = new Replayer(head, storedChunks(head, logger));
  const y = new Yielder();
  let corruptions = 0;
  const cp = lastCheckpoint(walDir);
  if (cp) {
    try {
      for (const segment of listSegments(cp.dir)) {
        for (const rec of readSegmentRecords(readFileSync(segmentName(cp.dir, segment)), segment)) {
          r.apply(rec.data);
          if (y.due()) await y.yield();
        }
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
    await y.yield();
    try {
      for (const rec of readSegmentRecords(readFileSync(segmentName(walDir, segment)), segment)) {
        try {
          r.apply(rec.data);
        } catch (cause) {
          // A record that frames correctly but does not decode is damage like any other.
          throw new WALCorruptionError(segment, rec.offset, "undecodable record", { cause });
        }
        if (y.due()) await y.yield();
      }
    } catch (err) {
      if (!(err instanceof WALCorruptionError)) throw new Error(`replay WAL segment ${segment}`, { cause: err });
      corruptions++;
      // Either way the records after the damage are left out and replay goes on with the next segment.
      if (opts.readOnly) logger.warn("WAL segment is damaged; replayed it up to the damage", { segment, err });
      else repairSegment(walDir, err, logger);
    }
  }
  r.finish();
  head.counters.walCorruptions += corruptions;
  head.counters.unknownSeriesSamples += r.unknown;
  if (r.unknown > 0) logger.warn("WAL replay dropped samples of unknown series", { samples: r.unknown });
  return { records: r.records, series: r.series, samples: r.samples, unknownSeriesSamples: r.unknown, corruptions };
}

/**
 * The XOR chunks the chunks_head/ files of an earlier run hold, by series ref, oldest
 * first. Loading them (as Prometheus does) keeps their samples even where the WAL that
 * also holds them is damaged; replay then adds only the samples after them.
 */
function storedChunks(head: Head, logger: Logger): Map<number, StoredChunk[]> {
  const { chunks, damage } = head.chunkFiles.loadExisting();
  const out = new Map<number, StoredChunk[]>();
  // With out-of-order ingestion the WAL mixes both kinds of samples, so a sample older than
  // a stored chunk's end may be one the chunk does not hold: replay the WAL whole instead.
  if (head.opts.outOfOrderTimeWindowMs > 0) return out;
  if (damage !== undefined) logger.warn("Head chunk files are damaged; loaded the chunks before the damage, the WAL covers the rest", { damage });
  for (const c of chunks) {
    if (c.encoding !== ENCODING_XOR) continue;
    const list = out.get(c.seriesRef);
    if (list) list.push(c);
    else out.set(c.seriesRef, [c]);
  }
  for (const list of out.values()) list.sort((a, b) => a.mint - b.mint);
  return out;
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
  for (const id of head.registry.allIds()) series.push({ ref: head.refOf(id), labels: head.labelsOf(id) });
  const aliases = head.walRefAliases;
  const stats = await createCheckpoint({
    walDir: wal.dir,
    to,
    series,
    mapRef: (ref) => {
      const current = aliases.get(ref) ?? ref;
      return head.resolve(current) !== 0 ? current : 0;
    },
    mint,
    compress: wal.compress,
    logger,
  });
  wal.truncate(to + 1);
  // Every record that used an alias now lives in the checkpoint under the current ref,
  // and no record names the series removed before it: their ids may be reused.
  if (head.walRefAliases === aliases) head.walRefAliases = new Map();
  head.releaseRetiredIds();
  logger.info("WAL checkpoint complete", { first: segs[0], last: to, series: stats.seriesKept, samples: stats.samplesKept });
}
