// promwasm/tsdb: the embeddable time series database. A thin, stable facade over the DB
// (src/tsdb/db.ts), the read-only opener (db-read-only.ts) and the in-memory storage
// (src/storage/memory.ts); internals stay private so they can change under it.
import { labelsFromRecord, labelsKey, type Labels } from "../model/labels.js";
import type { Logger } from "../log/logger.js";
import { MemoryStorage } from "../storage/memory.js";
import { MergeQuerier } from "../storage/merge.js";
import { UnknownSeriesRefError } from "../storage/errors.js";
import type { Querier, SeriesRef } from "../storage/interface.js";
import { DB } from "../tsdb/db.js";
import { ReadOnlyDB } from "../tsdb/db-read-only.js";
import { seriesAppender, StoreReads, toMatchers, type Selector, type SeriesAppender, type SeriesStore } from "./series.js";

export { Matcher, type MatchType } from "../model/matcher.js";
export type { Label, Labels } from "../model/labels.js";
export type { SampleBatch } from "../model/sample.js";
export type { Querier, Queryable, SelectHints, Series, SeriesRef } from "../storage/interface.js";
export type { LabelSet, Sample, SelectedSeries, Selector, SeriesAppender, SeriesStore } from "./series.js";
export {
  DuplicateSampleError, OutOfBoundsError, OutOfOrderSampleError, StorageError, TooOldSampleError, UnknownSeriesRefError,
} from "../storage/errors.js";
export { ClosedError, LockedError } from "../tsdb/errors.js";
export type { Logger } from "../log/logger.js";

/** A write or maintenance call on a TSDB opened with `readOnly: true`. */
export class ReadOnlyError extends Error {
  constructor(what: string) {
    super(`${what}: the TSDB is open read-only`);
    this.name = "ReadOnlyError";
  }
}

export interface OpenOptions {
  /** Open without writing anything to the dir (no lock, no WAL, no compaction): for a live Prometheus' dir or a copy. */
  readonly readOnly?: boolean;
  /** Blocks older than this (measured from the newest data) are deleted; default 15d. 0 keeps all. */
  readonly retentionTimeMs?: number;
  /** Blocks are deleted oldest first while the dir is larger; default 0 (no limit). */
  readonly retentionSizeBytes?: number;
  /** Length of the head's block range; default 2h, as Prometheus. */
  readonly minBlockDurationMs?: number;
  /** Upper bound for compacted blocks; default 10% of the retention, at most 31d. */
  readonly maxBlockDurationMs?: number;
  /** Accept samples up to this far behind the newest one; default 0 (in order only). */
  readonly outOfOrderTimeWindowMs?: number;
  /** Snappy-compress WAL records; default false. */
  readonly walCompression?: boolean;
  /**
   * Compact and apply retention in the background (every compactionIntervalMs, and as soon as
   * the head spans 1.5 block ranges); default true. With false, call compact() yourself.
   */
  readonly autoCompact?: boolean;
  /** default 60s */
  readonly compactionIntervalMs?: number;
  readonly logger?: Logger;
}

export interface BlockInfo {
  readonly ulid: string;
  /** Inclusive start, exclusive end, ms. */
  readonly minTime: number;
  readonly maxTime: number;
  readonly numSeries: number;
  readonly numSamples: number;
  /** 1 for blocks cut from the head, higher for compacted ones. */
  readonly level: number;
}

/** A data directory opened with openTSDB(); a Queryable for the promwasm/promql Engine. */
export class TSDB extends StoreReads implements SeriesStore {
  readonly dir: string;
  readonly readOnly: boolean;
  private readonly db: DB | undefined;
  private readonly ro: ReadOnlyDB | undefined;
  private closed = false;

  private constructor(dir: string, db: DB | undefined, ro: ReadOnlyDB | undefined) {
    super();
    this.dir = dir;
    this.db = db;
    this.ro = ro;
    this.readOnly = ro !== undefined;
  }

  /** Use openTSDB(). */
  static async open(dir: string, opts: OpenOptions = {}): Promise<TSDB> {
    if (opts.readOnly) return new TSDB(dir, undefined, await ReadOnlyDB.open(dir, { logger: opts.logger, chunkRangeMs: opts.minBlockDurationMs }));
    const db = await DB.open(dir, {
      retentionTimeMs: opts.retentionTimeMs,
      retentionSizeBytes: opts.retentionSizeBytes,
      minBlockDurationMs: opts.minBlockDurationMs,
      maxBlockDurationMs: opts.maxBlockDurationMs,
      outOfOrderTimeWindowMs: opts.outOfOrderTimeWindowMs,
      walCompression: opts.walCompression,
      compactionIntervalMs: opts.compactionIntervalMs,
      logger: opts.logger,
    });
    if (opts.autoCompact ?? true) db.start();
    return new TSDB(dir, db, undefined);
  }

  private writable(what: string): DB {
    if (this.closed) throw new Error(`${what}: the TSDB is closed`);
    if (!this.db) throw new ReadOnlyError(what);
    return this.db;
  }

  appender(): SeriesAppender {
    return seriesAppender(this.writable("appender").appender());
  }

  /** The storage querier the PromQL engine uses; close it when done. */
  async querier(mint: number, maxt: number): Promise<Querier> {
    if (this.closed) throw new Error("querier: the TSDB is closed");
    if (this.db) return this.db.querier(mint, maxt);
    return new MergeQuerier({ primaries: this.ro!.queriers(mint, maxt) });
  }

  /** The blocks on disk, oldest first (the head is not a block). */
  blocks(): BlockInfo[] {
    const metas = this.db ? this.db.blocks() : this.ro!.blocks.map((b) => b.meta);
    return metas.map((m) => ({ ulid: m.ulid, minTime: m.minTime, maxTime: m.maxTime, numSeries: m.stats.numSeries, numSamples: m.stats.numSamples, level: m.compaction.level }));
  }

  /** Writes the head's oldest ranges as blocks, merges blocks, then deletes what retention allows. */
  compact(): Promise<void> {
    return this.writable("compact").compact();
  }

  /** Deletes the selected series' samples in [mint, maxt] (tombstones; space returns on compaction or cleanTombstones()). */
  deleteSeries(selector: Selector, mint: number, maxt: number): Promise<void> {
    return this.writable("deleteSeries").deleteSeries(toMatchers(selector), mint, maxt);
  }

  /** Rewrites blocks that carry tombstones without the deleted samples. */
  cleanTombstones(): Promise<void> {
    return this.writable("cleanTombstones").cleanTombstones();
  }

  /** Hard-links every block into dir (a new Prometheus-format data dir); withHead also writes the head as a block. */
  snapshot(dir: string, withHead = true): Promise<void> {
    return this.writable("snapshot").snapshot(dir, withHead);
  }

  /** Stops background work, writes nothing more and releases the dir's lock; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await (this.db ?? this.ro)!.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens (creating if needed) a data directory in Prometheus' on-disk format: blocks, WAL and
 * head chunks. With readOnly it reads a Prometheus or promwasm dir without touching it.
 */
export function openTSDB(dir: string, opts: OpenOptions = {}): Promise<TSDB> {
  return TSDB.open(dir, opts);
}

/**
 * A store kept entirely in memory, with no WAL, files or retention: for tests, short-lived
 * evaluations and data loaded from elsewhere. Samples may arrive in any order; a later sample
 * at the same time replaces the earlier one.
 */
export class MemoryStore extends StoreReads implements SeriesStore {
  private readonly storage = new MemoryStorage();
  /** Series refs are 1-based indexes into this list. */
  private readonly refs: Labels[] = [];
  private readonly refByKey = new Map<string, SeriesRef>();

  private refFor(labels: Labels): SeriesRef {
    const key = labelsKey(labels);
    let ref = this.refByKey.get(key);
    if (ref === undefined) {
      ref = this.refs.push(labels);
      this.refByKey.set(key, ref);
    }
    return ref;
  }

  appender(): SeriesAppender {
    const pending: [Labels, number, number][] = [];
    return {
      append: (series, t, v) => {
        const labels = typeof series === "number" ? this.refs[series - 1] : labelsFromRecord(series);
        if (labels === undefined) throw new UnknownSeriesRefError(series as number);
        pending.push([labels, t, v]);
        return this.refFor(labels);
      },
      commit: async () => {
        for (const [labels, t, v] of pending.splice(0)) this.storage.add(labels, t, v);
      },
      rollback: async () => {
        pending.length = 0;
      },
    };
  }

  querier(mint: number, maxt: number): Promise<Querier> {
    return this.storage.querier(mint, maxt);
  }

  /** Nothing to release; present so both stores close alike. */
  async close(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {}
}
