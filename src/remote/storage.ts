// RemoteStorage: the remote_write queues and remote_read clients of the current config,
// offered as a fanout secondary (appender() feeds the queues, querier() merges the read
// endpoints). applyConfig keeps queues whose config and external labels are unchanged,
// so a reload does not drop what they hold, and flushes the ones it removes.
import { createHash } from "node:crypto";
import type { RemoteReadConfig, RemoteWriteConfig } from "../config/types.js";
import type { Labels } from "../model/labels.js";
import type { Logger } from "../log/logger.js";
import type { Appendable, Appender, Querier, Queryable } from "../storage/interface.js";
import { MergeQuerier } from "../storage/merge.js";
import type { SeriesMetadata } from "./codec-v2.js";
import { RemoteError } from "./errors.js";
import { RemoteHttpClient } from "./http-client.js";
import { RemoteReadClient } from "./read-client.js";
import { RemoteWriteAppender } from "./write-appender.js";
import { WriteQueue, type WriteQueueMetrics } from "./write-queue.js";

export interface RemoteStorageOptions {
  readonly logger?: Logger;
  /** See RemoteReadClientOptions.localStartTime. */
  readonly localStartTime?: () => number | undefined;
  /** --storage.remote.flush-deadline: how long removed/closed queues keep sending. */
  readonly flushDeadlineMs?: number;
  /**
   * The TSDB's WAL directory (<storage.tsdb.path>/wal). When set, remote_write queues tail
   * the WAL as Prometheus does and appender() queues nothing; when unset, samples are
   * queued from commits through appender() (for use without a local TSDB).
   */
  readonly walDir?: string;
  /** Metadata that remote write 2.0 queues send with a series (from the scrape targets). */
  readonly metadata?: (labels: Labels) => SeriesMetadata | undefined;
}

const NO_QUEUES: readonly WriteQueue[] = [];
const noSinks = (): readonly WriteQueue[] => NO_QUEUES;

interface QueueSlot {
  readonly key: string;
  readonly queue: WriteQueue;
}

/** The short hash Prometheus uses to name unnamed remote configs. */
function configHash(c: unknown): string {
  return createHash("sha256").update(JSON.stringify(c)).digest("hex").slice(0, 6);
}

export class RemoteStorage implements Appendable {
  private readonly opts: RemoteStorageOptions;
  private readonly logger: Logger | undefined;
  private slots: QueueSlot[] = [];
  /** The slots' queues, kept as a field so appenders read it without allocating. */
  private queues: WriteQueue[] = [];
  private readers: RemoteReadClient[] = [];
  private closed = false;

  constructor(opts: RemoteStorageOptions = {}) {
    this.opts = opts;
    this.logger = opts.logger?.with({ component: "remote" });
  }

  /** Replaces the remote configs; throws (changing nothing) when one is invalid. */
  async applyConfig(remoteWrite: readonly RemoteWriteConfig[], remoteRead: readonly RemoteReadConfig[], externalLabels: Labels): Promise<void> {
    if (this.closed) throw new RemoteError("remote storage is closed");
    const wanted = remoteWrite.map((c) => ({ c, key: JSON.stringify([c, externalLabels]), name: c.name || configHash(c) }));
    const names = new Set<string>();
    for (const w of wanted) {
      if (names.has(w.key)) throw new RemoteError(`duplicate remote write configs are not allowed, found duplicate for URL: ${w.c.url}`);
      names.add(w.key);
    }
    // Build every new client first so that a bad config leaves the running ones alone.
    const fresh = new Map<string, RemoteHttpClient>();
    const reused = new Map<string, QueueSlot>(this.slots.map((s) => [s.key, s]));
    const readers: RemoteReadClient[] = [];
    try {
      for (const w of wanted) {
        if (reused.has(w.key)) continue;
        fresh.set(w.key, new RemoteHttpClient({ url: w.c.url, timeoutMs: w.c.remoteTimeoutMs, headers: w.c.headers, httpClientConfig: w.c.httpClientConfig }));
      }
      for (const c of remoteRead) {
        readers.push(
          new RemoteReadClient({
            name: c.name || configHash(c),
            client: new RemoteHttpClient({ url: c.url, timeoutMs: c.remoteTimeoutMs, headers: c.headers, httpClientConfig: c.httpClientConfig }),
            externalLabels,
            requiredMatchers: c.requiredMatchers,
            readRecent: c.readRecent,
            filterExternalLabels: c.filterExternalLabels,
            localStartTime: this.opts.localStartTime,
          }),
        );
      }
    } catch (err) {
      for (const c of fresh.values()) c.close();
      for (const r of readers) r.close();
      throw err;
    }
    const next: QueueSlot[] = [];
    for (const w of wanted) {
      const old = reused.get(w.key);
      if (old) {
        next.push(old);
        reused.delete(w.key);
        continue;
      }
      const queue = new WriteQueue({
        name: w.name,
        client: fresh.get(w.key)!,
        queueConfig: w.c.queueConfig,
        externalLabels,
        relabelConfigs: w.c.writeRelabelConfigs,
        logger: this.logger,
        flushDeadlineMs: this.opts.flushDeadlineMs,
        walDir: this.opts.walDir,
        protobufMessage: w.c.protobufMessage,
        metadata: this.opts.metadata,
      });
      next.push({ key: w.key, queue });
    }
    const oldReaders = this.readers;
    this.slots = next;
    this.queues = next.map((s) => s.queue);
    this.readers = readers;
    for (const r of oldReaders) r.close();
    await Promise.all([...reused.values()].map((s) => s.queue.stop()));
  }

  appender(): Appender {
    return new RemoteWriteAppender(this.opts.walDir !== undefined ? noSinks : () => this.queues);
  }

  /** This object: appends are queued on every remote_write queue. */
  get appendable(): Appendable {
    return this;
  }

  /** One Queryable per remote_read config. */
  get queryables(): readonly Queryable[] {
    return this.readers;
  }

  /** A querier over all remote_read endpoints (for a fanout secondary). */
  async querier(mint: number, maxt: number): Promise<Querier> {
    const queriers = await Promise.all(this.readers.map((r) => r.querier(mint, maxt)));
    return new MergeQuerier({ primaries: [], secondaries: queriers, logger: this.logger });
  }

  /** Per-queue counters, by remote_name. */
  writeMetrics(): { name: string; url: string; metrics: Readonly<WriteQueueMetrics> }[] {
    return this.slots.map((s) => ({ name: s.queue.name, url: s.queue.url, metrics: s.queue.metrics }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    this.queues = [];
    for (const r of this.readers) r.close();
    this.readers = [];
    await Promise.all(slots.map((s) => s.queue.stop()));
  }
}
