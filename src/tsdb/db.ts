// The TSDB lifecycle: open a data directory (lock, clean leftovers, open blocks, replay
// the WAL into the head), serve appends and queries over head + blocks, and run
// compaction, retention and tombstone cleanup. A damaged block dir or WAL tail is
// logged and skipped or repaired, never fatal, and nothing unknown is deleted.
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { nopLogger, type Logger } from "../log/logger.js";
import type { Matcher } from "../model/matcher.js";
import type { Appender, ChunkSeries, Querier, Storage } from "../storage/interface.js";
import { openBlock, type Block } from "./block.js";
import type { BlockMeta } from "./block-meta.js";
import { blockSeriesChunks, headSeriesChunks, mergeChunkSeries } from "./chunk-read.js";
import { TMP_FOR_CREATION_SUFFIX } from "./block-writer.js";
import { compactBlocks, compactHead, exponentialBlockRanges, planCompaction, rangeStart } from "./compact.js";
import { ClosedError, LockedError } from "./errors.js";
import { Head, type HeadMemoryKind } from "./head.js";
import { HeadAppender } from "./head-append.js";
import { DisjointBlocksQuerier, disjointInTime } from "./blocks-querier.js";
import { HeadQuerier, headPostingsForMatchers } from "./head-read.js";
import { checkpointWAL, replayWAL, type WALReplayStatus } from "./head-wal.js";
import { MergeQuerier } from "../storage/merge.js";
import { RecordEncoder } from "./record/record.js";
import { blocksBeyondRetention } from "./retention.js";
import { headStats, type TSDBStats } from "./head-stats.js";
import { isUlid } from "./ulid.js";
import { lastCheckpoint } from "./wlog/checkpoint.js";
import { WL } from "./wlog/wlog.js";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const TMP_FOR_DELETION_SUFFIX = ".tmp-for-deletion";

export interface DBOptions {
  readonly minBlockDurationMs?: number;
  /** Default: 10% of the time retention, at most 31d (as Prometheus). */
  readonly maxBlockDurationMs?: number;
  readonly retentionTimeMs?: number;
  readonly retentionSizeBytes?: number;
  readonly walCompression?: boolean;
  readonly walSegmentSizeBytes?: number;
  readonly outOfOrderTimeWindowMs?: number;
  readonly samplesPerChunk?: number;
  /** How often start()'s loop checks for compaction work. */
  readonly compactionIntervalMs?: number;
  readonly logger?: Logger;
  readonly noLockfile?: boolean;
  /** Filled in while open() replays the WAL, for /api/v1/status/walreplay before the DB exists. */
  readonly replayStatus?: WALReplayStatus;
}

/** Counters for self-monitoring (prometheus_tsdb_* names in the comments). */
export interface DBMetrics {
  headSeries: number; // prometheus_tsdb_head_series
  headChunks: number; // prometheus_tsdb_head_chunks
  headSeriesCreated: number; // prometheus_tsdb_head_series_created_total
  headSeriesRemoved: number; // prometheus_tsdb_head_series_removed_total
  headSamplesAppended: number; // prometheus_tsdb_head_samples_appended_total
  headTruncations: number; // prometheus_tsdb_head_truncations_total
  headMinTime: number; // prometheus_tsdb_head_min_time
  headMaxTime: number; // prometheus_tsdb_head_max_time
  outOfOrderSamples: number; // prometheus_tsdb_out_of_order_samples_total
  duplicateSamples: number;
  outOfBoundsSamples: number; // prometheus_tsdb_out_of_bound_samples_total
  tooOldSamples: number; // prometheus_tsdb_too_old_samples_total
  walCorruptions: number; // prometheus_tsdb_wal_corruptions_total
  walBytesWritten: number;
  checkpoints: number; // prometheus_tsdb_checkpoint_creations_total
  compactions: number; // prometheus_tsdb_compactions_total
  compactionsFailed: number; // prometheus_tsdb_compactions_failed_total
  blocksLoaded: number; // prometheus_tsdb_blocks_loaded
  timeRetentions: number; // prometheus_tsdb_time_retentions_total
  sizeRetentions: number; // prometheus_tsdb_size_retentions_total
  storageBlocksBytes: number; // prometheus_tsdb_storage_blocks_bytes
  lowestTimestamp: number; // prometheus_tsdb_lowest_timestamp
  headBytes: Record<HeadMemoryKind, number>; // promwasm_tsdb_head_bytes{kind}
}

export class DB implements Storage {
  readonly dir: string;
  readonly head: Head;
  private readonly wal: WL;
  private readonly logger: Logger;
  private readonly opts: Required<Omit<DBOptions, "logger" | "maxBlockDurationMs" | "replayStatus">> & { maxBlockDurationMs: number };
  private blockList: Block[] = [];
  private readonly replayStatus: WALReplayStatus;
  private closed = false;
  private busy: Promise<void> = Promise.resolve();
  private activeQueriers = 0;
  private pendingClose: Block[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly enc = new RecordEncoder();
  private readonly m = { checkpoints: 0, compactions: 0, compactionsFailed: 0, timeRetentions: 0, sizeRetentions: 0 };

  private constructor(dir: string, opts: DB["opts"], logger: Logger, head: Head, wal: WL, blocks: Block[], replay: WALReplayStatus) {
    this.dir = dir;
    this.opts = opts;
    this.logger = logger;
    this.head = head;
    this.wal = wal;
    this.blockList = blocks;
    this.replayStatus = replay;
  }

  static async open(dir: string, options: DBOptions = {}): Promise<DB> {
    const logger = (options.logger ?? nopLogger).with({ component: "tsdb" });
    const retentionTimeMs = options.retentionTimeMs ?? 15 * DAY;
    const minBlockDurationMs = options.minBlockDurationMs ?? 2 * HOUR;
    let maxBlockDurationMs = options.maxBlockDurationMs ?? Math.min(31 * DAY, retentionTimeMs > 0 ? retentionTimeMs / 10 : 31 * DAY);
    if (maxBlockDurationMs < minBlockDurationMs) maxBlockDurationMs = minBlockDurationMs;
    const opts: DB["opts"] = {
      minBlockDurationMs,
      maxBlockDurationMs,
      retentionTimeMs,
      retentionSizeBytes: options.retentionSizeBytes ?? 0,
      walCompression: options.walCompression ?? false,
      walSegmentSizeBytes: options.walSegmentSizeBytes ?? 128 * 1024 * 1024,
      outOfOrderTimeWindowMs: options.outOfOrderTimeWindowMs ?? 0,
      samplesPerChunk: options.samplesPerChunk ?? 120,
      compactionIntervalMs: options.compactionIntervalMs ?? 60_000,
      noLockfile: options.noLockfile ?? false,
    };
    mkdirSync(dir, { recursive: true });
    if (!opts.noLockfile) {
      try {
        acquireLock(dir);
      } catch (cause) {
        throw new Error(`open db ${dir}`, { cause });
      }
    }
    const opened: { blocks: Block[]; head?: Head } = { blocks: [] };
    try {
      removeLeftovers(dir, logger);
      const blocks = (opened.blocks = await openBlocks(dir, logger));
      const head = (opened.head = new Head({
        dir,
        chunkRangeMs: minBlockDurationMs,
        samplesPerChunk: opts.samplesPerChunk,
        outOfOrderTimeWindowMs: opts.outOfOrderTimeWindowMs,
        logger,
      }));
      if (blocks.length) head.minValidTime = Math.max(...blocks.map((b) => b.maxTime));
      const walDir = join(dir, "wal");
      const status: WALReplayStatus = options.replayStatus ?? { min: 0, max: 0, current: 0 };
      const started = Date.now();
      const stats = await replayWAL(head, walDir, logger, status);
      logger.info("WAL replay completed", {
        records: stats.records,
        series: head.numSeries,
        samples: stats.samples,
        corruptions: stats.corruptions,
        duration: `${Date.now() - started}ms`,
      });
      // New segments must sort after the newest checkpoint, or a replay would skip them.
      const cp = lastCheckpoint(walDir);
      const wal = new WL({ dir: walDir, compress: opts.walCompression, segmentSizeBytes: opts.walSegmentSizeBytes, logger, firstSegment: cp ? cp.index + 1 : 0 });
      head.wal = wal;
      // Series created during replay are in the WAL already, except those given a local ref.
      if (head.unloggedSeries.length) wal.log(new RecordEncoder().series(head.unloggedSeries.map((id) => ({ ref: head.refOf(id), labels: head.labelsOf(id) }))));
      head.unloggedSeries = [];
      return new DB(dir, opts, logger, head, wal, blocks, status);
    } catch (cause) {
      opened.head?.close();
      for (const b of opened.blocks) await b.close();
      if (!opts.noLockfile) releaseLock(dir);
      throw new Error(`open db ${dir}`, { cause });
    }
  }

  private check(): void {
    if (this.closed) throw new ClosedError("db");
  }

  appender(): Appender {
    this.check();
    return new HeadAppender(this.head);
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    this.check();
    const blocks = this.blockList.filter((b) => b.minTime <= maxt && b.maxTime > mint).sort((a, b) => a.minTime - b.minTime);
    const bqs = blocks.map((b) => b.querier(mint, maxt));
    const qs: Querier[] = bqs.length > 1 && disjointInTime(blocks) ? [new DisjointBlocksQuerier(bqs)] : bqs;
    if (this.head.numSeries > 0 && this.head.minTime <= maxt && this.head.maxTime >= mint) qs.push(new HeadQuerier(this.head, mint, maxt));
    this.activeQueriers++;
    return new MergeQuerier({
      primaries: qs,
      onClose: () => {
        this.activeQueriers--;
        void this.closePending();
      },
    });
  }

  /** Raw chunks overlapping [mint, maxt] of matching series, from blocks and head (see chunk-read.ts). */
  async seriesChunks(matchers: readonly Matcher[], mint: number, maxt: number): Promise<ChunkSeries[]> {
    this.check();
    // Counted like a querier, so that compaction does not close a block while it is read.
    this.activeQueriers++;
    try {
      const parts: ChunkSeries[][] = [];
      for (const b of this.blockList) if (b.minTime <= maxt && b.maxTime > mint) parts.push(await blockSeriesChunks(b, matchers, mint, maxt));
      parts.push(headSeriesChunks(this.head, matchers, mint, maxt));
      return mergeChunkSeries(parts);
    } finally {
      this.activeQueriers--;
      void this.closePending();
    }
  }

  startTime(): number | undefined {
    let t = this.head.numSeries > 0 ? this.head.minTime : Infinity;
    if (this.blockList.length) t = Math.min(t, this.blockList[0].minTime);
    return Number.isFinite(t) ? t : undefined;
  }

  blocks(): readonly BlockMeta[] {
    return this.blockList.map((b) => b.meta);
  }

  walReplayStatus(): WALReplayStatus {
    return { ...this.replayStatus };
  }

  /** Runs compaction and retention every compactionIntervalMs until signal aborts. */
  start(signal?: AbortSignal): void {
    this.check();
    if (this.timer) return;
    const tick = (): void => {
      this.compact().catch((err: unknown) => this.logger.error("compaction failed", { err }));
    };
    this.timer = setInterval(tick, this.opts.compactionIntervalMs);
    this.timer.unref();
    // As Prometheus: the commit that makes the head compactable starts a compaction, so
    // short block ranges do not wait for the timer.
    let queued = false;
    this.head.onCommit = () => {
      if (queued || !this.headCompactable()) return;
      queued = true;
      setImmediate(() => {
        queued = false;
        tick();
      });
    };
    signal?.addEventListener("abort", () => this.stopLoop(), { once: true });
  }

  private stopLoop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.head.onCommit = undefined;
  }

  /** The head spans more than 1.5 block ranges: its oldest range can become a block. */
  private headCompactable(): boolean {
    return this.head.numSeries > 0 && this.head.maxTime - this.head.minTime > (this.opts.minBlockDurationMs * 3) / 2;
  }

  /** Serialises maintenance work (compaction, deletion, snapshots). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn);
    this.busy = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Compacts the head while it spans 1.5x the block range, then blocks, then applies retention. */
  compact(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      const range = this.opts.minBlockDurationMs;
      while (this.headCompactable()) {
        const mint = this.head.minTime;
        const maxt = rangeStart(mint, range) + range;
        await this.compactHeadRange(mint, maxt);
      }
      const ranges = exponentialBlockRanges(range, this.opts.maxBlockDurationMs);
      for (;;) {
        const plan = planCompaction(this.blockList.map((b) => b.meta), ranges);
        if (!plan) break;
        const ids = new Set(plan.map((m) => m.ulid));
        await this.replaceBlocks(this.blockList.filter((b) => ids.has(b.ulid)));
      }
      await this.applyRetention();
    });
  }

  private async compactHeadRange(mint: number, maxt: number): Promise<void> {
    // New samples below maxt would miss the block being written.
    this.head.minValidTime = Math.max(this.head.minValidTime, maxt);
    let meta: BlockMeta | undefined;
    try {
      meta = await compactHead(this.head, this.dir, mint, maxt);
      this.m.compactions++;
    } catch (cause) {
      this.m.compactionsFailed++;
      throw new Error(`compact head [${mint}, ${maxt})`, { cause });
    }
    if (meta) {
      this.blockList.push(await openBlock(join(this.dir, meta.ulid)));
      this.sortBlocks();
      this.logger.info("write block", { mint, maxt, ulid: meta.ulid, series: meta.stats.numSeries });
    }
    const removed = this.head.truncateMemory(maxt);
    await checkpointWAL(this.head, this.wal, maxt, this.logger);
    this.m.checkpoints++;
    this.logger.info("head GC completed", { removedSeries: removed });
  }

  private async replaceBlocks(sources: Block[]): Promise<void> {
    let meta: BlockMeta | undefined;
    try {
      meta = await compactBlocks(sources, this.dir);
      this.m.compactions++;
    } catch (cause) {
      this.m.compactionsFailed++;
      throw new Error(`compact blocks`, { cause });
    }
    if (meta) this.blockList.push(await openBlock(join(this.dir, meta.ulid)));
    this.logger.info("compact blocks", { count: sources.length, ulid: meta?.ulid, sources: sources.map((b) => b.ulid).join(",") });
    await this.removeBlocks(sources);
  }

  private sortBlocks(): void {
    this.blockList.sort((a, b) => a.minTime - b.minTime);
  }

  /** Takes blocks out of the list and off disk; their readers close once no querier uses them. */
  private async removeBlocks(blocks: Block[]): Promise<void> {
    const ids = new Set(blocks.map((b) => b.ulid));
    this.blockList = this.blockList.filter((b) => !ids.has(b.ulid));
    this.sortBlocks();
    for (const b of blocks) {
      const tmp = b.dir + TMP_FOR_DELETION_SUFFIX;
      renameSync(b.dir, tmp);
      rmSync(tmp, { recursive: true, force: true });
    }
    this.pendingClose.push(...blocks);
    await this.closePending();
  }

  private async closePending(): Promise<void> {
    if (this.activeQueriers > 0 || this.pendingClose.length === 0) return;
    const list = this.pendingClose;
    this.pendingClose = [];
    for (const b of list) await b.close();
  }

  private async applyRetention(): Promise<void> {
    const d = blocksBeyondRetention(
      this.blockList.map((b) => ({ ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime, sizeBytes: b.size() })),
      { retentionTimeMs: this.opts.retentionTimeMs, retentionSizeBytes: this.opts.retentionSizeBytes, otherBytes: dirSize(join(this.dir, "wal")) + this.head.chunkFiles.size() },
    );
    if (d.beyondTime.length + d.beyondSize.length === 0) return;
    const del = new Set([...d.beyondTime, ...d.beyondSize]);
    this.m.timeRetentions += d.beyondTime.length ? 1 : 0;
    this.m.sizeRetentions += d.beyondSize.length ? 1 : 0;
    this.logger.info("deleting blocks beyond retention", { time: d.beyondTime.join(","), size: d.beyondSize.join(",") });
    await this.removeBlocks(this.blockList.filter((b) => del.has(b.ulid)));
  }

  /** Marks samples of matching series in [mint, maxt] deleted (tombstones in blocks and head). */
  deleteSeries(matchers: readonly Matcher[], start: number, end: number): Promise<void> {
    // Open ends become the widest times the on-disk varints carry exactly.
    const mint = Math.max(start, Number.MIN_SAFE_INTEGER);
    const maxt = Math.min(end, Number.MAX_SAFE_INTEGER);
    return this.exclusive(async () => {
      this.check();
      for (const b of this.blockList) if (b.minTime <= maxt && b.maxTime > mint) await b.delete(mint, maxt, matchers);
      const ids = headPostingsForMatchers(this.head, matchers);
      const stones: { ref: number; mint: number; maxt: number }[] = [];
      for (const id of ids) {
        const s = this.head.series;
        if (s.mint[id] > maxt || (s.maxt[id] < mint && !this.head.ooo.has(id))) continue;
        stones.push({ ref: this.head.refOf(id), mint, maxt });
        const list = this.head.tombstones.get(id) ?? [];
        list.push({ mint, maxt });
        this.head.tombstones.set(id, list);
      }
      if (stones.length) this.wal.log(this.enc.tombstones(stones));
    });
  }

  /** Rewrites blocks that carry tombstones without the deleted samples. */
  cleanTombstones(): Promise<void> {
    return this.exclusive(async () => {
      this.check();
      for (const b of [...this.blockList]) {
        if (b.tombstones.count() === 0) continue;
        await this.replaceBlocks([b]);
      }
    });
  }

  /** Copies (hard-links) all blocks into dir; with withHead, also writes the head as a block there. */
  snapshot(dir: string, withHead: boolean): Promise<void> {
    return this.exclusive(async () => {
      this.check();
      mkdirSync(dir, { recursive: true });
      for (const b of this.blockList) linkTree(b.dir, join(dir, b.ulid));
      if (withHead && this.head.numSeries > 0) await compactHead(this.head, dir, this.head.minTime, this.head.maxTime + 1);
    });
  }

  stats(limit = 10): TSDBStats {
    return headStats(this.head, limit);
  }

  metrics(): DBMetrics {
    const c = this.head.counters;
    let blockBytes = 0;
    for (const b of this.blockList) blockBytes += b.size();
    return {
      headSeries: this.head.numSeries,
      headChunks: this.head.chunks.count() + this.countOpenChunks(),
      headSeriesCreated: c.seriesCreated,
      headSeriesRemoved: c.seriesRemoved,
      headSamplesAppended: c.samplesAppended,
      headTruncations: c.truncations,
      headMinTime: this.head.minTime,
      headMaxTime: this.head.maxTime,
      headBytes: this.head.memoryBreakdown(),
      outOfOrderSamples: c.outOfOrderSamples,
      duplicateSamples: c.duplicateSamples,
      outOfBoundsSamples: c.outOfBoundsSamples,
      tooOldSamples: c.tooOldSamples,
      walCorruptions: c.walCorruptions,
      walBytesWritten: this.wal.bytesWritten,
      checkpoints: this.m.checkpoints,
      compactions: this.m.compactions,
      compactionsFailed: this.m.compactionsFailed,
      blocksLoaded: this.blockList.length,
      timeRetentions: this.m.timeRetentions,
      sizeRetentions: this.m.sizeRetentions,
      storageBlocksBytes: blockBytes,
      lowestTimestamp: this.startTime() ?? 0,
    };
  }

  private countOpenChunks(): number {
    let n = 0;
    for (const ref of this.head.registry.allIds()) if (this.head.open.count(ref) > 0) n++;
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopLoop();
    await this.busy;
    this.closed = true;
    this.wal.close();
    this.head.close();
    for (const b of [...this.blockList, ...this.pendingClose]) await b.close();
    this.blockList = [];
    if (!this.opts.noLockfile) releaseLock(this.dir);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function openDB(dir: string, opts: DBOptions = {}): Promise<DB> {
  return DB.open(dir, opts);
}

/** A lock file holding our PID; a lock left by a dead process is taken over. */
function acquireLock(dir: string): void {
  const path = join(dir, "lock");
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new LockedError(`lock DB directory ${dir}: held by process ${pid}`);
    }
  }
  writeFileSync(path, String(process.pid));
}

function releaseLock(dir: string): void {
  rmSync(join(dir, "lock"), { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes what an interrupted write or delete left behind, and nothing else. */
function removeLeftovers(dir: string, logger: Logger): void {
  for (const n of readdirSync(dir)) {
    if (n.endsWith(TMP_FOR_CREATION_SUFFIX) || n.endsWith(TMP_FOR_DELETION_SUFFIX)) {
      logger.info("removing leftover temporary block dir", { dir: n });
      rmSync(join(dir, n), { recursive: true, force: true });
    }
  }
  const walDir = join(dir, "wal");
  if (existsSync(walDir)) {
    for (const n of readdirSync(walDir)) if (/^checkpoint\.\d+\.tmp$/.test(n)) rmSync(join(walDir, n), { recursive: true, force: true });
  }
}

/** Opens every ULID-named dir as a block; skips (and logs) those that fail. */
async function openBlocks(dir: string, logger: Logger): Promise<Block[]> {
  const blocks: Block[] = [];
  for (const n of readdirSync(dir)) {
    if (!isUlid(n)) continue;
    const path = join(dir, n);
    if (!statSync(path).isDirectory()) continue;
    try {
      blocks.push(await openBlock(path));
    } catch (err) {
      logger.error("skipping block that cannot be opened", { block: n, err });
    }
  }
  // Blocks already merged into another block are leftovers of an interrupted compaction.
  const parents = new Set<string>();
  for (const b of blocks) for (const p of b.meta.compaction.parents ?? []) parents.add(p.ulid);
  const kept: Block[] = [];
  for (const b of blocks) {
    if (!parents.has(b.ulid)) {
      kept.push(b);
      continue;
    }
    logger.info("removing block already compacted into another", { block: b.ulid });
    await b.close();
    rmSync(b.dir, { recursive: true, force: true });
  }
  return kept.sort((a, b) => a.minTime - b.minTime);
}

function dirSize(dir: string): number {
  let n = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return n;
}

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) linkTree(src, dst);
    else linkSync(src, dst);
  }
}
