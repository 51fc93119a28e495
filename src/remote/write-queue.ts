// A remote_write queue manager: samples committed locally are mapped to their sent
// labels (external labels, write_relabel_configs), spread over shards by series, and
// sent as snappy-compressed WriteRequests with retries. The shard count follows the
// ingestion rate as Prometheus' does (EWMA rates, re-evaluated every 10s, changed only
// when more than 30% off). Samples arrive one of two ways: tailed from the TSDB's WAL
// (walDir set; as Prometheus does, the watcher stops reading while the shards are full,
// so a backlog stays on disk), or queued in memory from commits (no walDir), where more
// than maxPendingSamples waiting means new ones are dropped and counted. Either way a
// commit never waits for the remote. Batches go out as remote write 1.0 WriteRequests, or
// as 2.0 Requests (protobuf_message) with each series' metadata; a receiver that answers a
// 2.0 request with 415, or with a 2xx but none of the 2.0 Written headers (a 1.0 receiver
// that read it as an empty 1.0 request), gets that batch and the rest as 1.0, as the spec
// allows.
import type { QueueConfig } from "../config/types.js";
import type { Labels } from "../model/labels.js";
import type { Logger } from "../log/logger.js";
import type { RelabelConfig } from "../relabel/config.js";
import type { SeriesRef } from "../storage/interface.js";
import { writeTimeSeries } from "./codec.js";
import { V1_MESSAGE, V2_MESSAGE, WriteRequestV2Encoder, type ProtobufMessage, type SeriesMetadata } from "./codec-v2.js";
import { NonRecoverableError, RecoverableError } from "./errors.js";
import type { RemoteHttpClient } from "./http-client.js";
import { ProtoWriter } from "./proto-wire.js";
import { encodeSnappy } from "./snappy.js";
import { WalWatcher } from "./wal-watcher.js";
import { WriteShard, type ShardSender } from "./write-shard.js";
import { WriteSeriesCache, type WriteSeriesEntry } from "./write-series.js";

export interface WriteQueueOptions {
  /** Names the queue in logs and metrics (remote_name). */
  readonly name: string;
  readonly client: Pick<RemoteHttpClient, "post" | "close" | "url">;
  readonly queueConfig: QueueConfig;
  readonly externalLabels: Labels;
  readonly relabelConfigs: readonly RelabelConfig[];
  readonly logger?: Logger;
  /** How long stop() keeps sending what is pending (--storage.remote.flush-deadline). */
  readonly flushDeadlineMs?: number;
  /** In-memory bound on samples waiting to be sent; default capacity * max_shards. */
  readonly maxPendingSamples?: number;
  /** How often the shard count is re-evaluated. */
  readonly shardUpdateIntervalMs?: number;
  /** When set, samples come from tailing this WAL directory instead of enqueue() calls by commits. */
  readonly walDir?: string;
  /** With walDir: samples at or before this time are not sent (default: when the queue starts). */
  readonly walStartTimeMs?: number;
  /** protobuf_message; 1.0's WriteRequest by default. */
  readonly protobufMessage?: ProtobufMessage;
  /** The metadata 2.0 requests send with a series, when known. */
  readonly metadata?: (labels: Labels) => SeriesMetadata | undefined;
}

/** Counters named after Prometheus' prometheus_remote_storage_* metrics. */
export interface WriteQueueMetrics {
  samplesIn: number; // samples_in_total (all queued, before relabeling)
  samplesSent: number; // samples_total
  samplesFailed: number; // samples_failed_total (non-recoverable errors)
  samplesRetried: number; // samples_retried_total
  samplesDropped: number; // samples_dropped_total (relabeled away)
  samplesDroppedQueueFull: number; // no Prometheus equivalent: dropped because the in-memory queue was full
  bytesSent: number; // bytes_total
  shards: number; // shards
  shardsDesired: number; // shards_desired
  highestSentTimestampMs: number; // queue_highest_sent_timestamp_seconds * 1000
  highestTimestampInMs: number; // highest_timestamp_in_seconds * 1000
  samplesPending: number; // samples_pending
  sendErrors: number;
}

const EWMA_WEIGHT = 0.2;
const HEADERS = {
  "Content-Encoding": "snappy",
  "Content-Type": "application/x-protobuf",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
};
const HEADERS_V2 = {
  "Content-Encoding": "snappy",
  "Content-Type": `application/x-protobuf;proto=${V2_MESSAGE}`,
  "X-Prometheus-Remote-Write-Version": "2.0.0",
};

/** The receiver does not take 2.0 requests: send 1.0 instead. */
class UnsupportedMessageError extends Error {}

export class WriteQueue implements ShardSender {
  readonly name: string;
  readonly metrics: WriteQueueMetrics;
  private readonly opts: WriteQueueOptions;
  private readonly cfg: QueueConfig;
  private readonly logger: Logger | undefined;
  private readonly series: WriteSeriesCache;
  private shards: WriteShard[] = [];
  /** Resolves when the previous generation of shards has sent everything. */
  private gate: Promise<void> = Promise.resolve();
  private readonly writer = new ProtoWriter(64 * 1024);
  private readonly v2 = new WriteRequestV2Encoder();
  private message: ProtobufMessage;
  private readonly batchLabels: Labels[] = [];
  private readonly batchMetadata: (SeriesMetadata | undefined)[] = [];
  private readonly maxPending: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private hardStopped = false;
  private readonly sleepers = new Set<() => void>();
  private watcher: WalWatcher | undefined;
  // Rate tracking for resharding.
  private lastTickMs = Date.now();
  private inSinceTick = 0;
  private outSinceTick = 0;
  private outDurationSinceTickMs = 0;
  private inRate = 0;
  private outRate = 0;
  private outDurationRate = 0;
  private ratesInit = false;
  private lastSendFailureMs = 0;
  /** Samples in batches being sent (or retried): still pending, though no longer in a shard. */
  private inFlight = 0;
  private sweepAtMs = Date.now() + 10 * 60_000;

  constructor(opts: WriteQueueOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.cfg = opts.queueConfig;
    this.logger = opts.logger?.with({ component: "remote", remote_name: opts.name, url: opts.client.url.href });
    this.series = new WriteSeriesCache({ externalLabels: opts.externalLabels, relabelConfigs: opts.relabelConfigs });
    this.maxPending = opts.maxPendingSamples ?? this.cfg.capacity * this.cfg.maxShards;
    this.message = opts.protobufMessage ?? V1_MESSAGE;
    const minShards = Math.max(1, this.cfg.minShards);
    this.metrics = {
      samplesIn: 0, samplesSent: 0, samplesFailed: 0, samplesRetried: 0, samplesDropped: 0, samplesDroppedQueueFull: 0,
      bytesSent: 0, shards: minShards, shardsDesired: minShards, highestSentTimestampMs: 0, highestTimestampInMs: 0,
      samplesPending: 0, sendErrors: 0,
    };
    this.startShards(minShards);
    const interval = opts.shardUpdateIntervalMs ?? 10_000;
    this.timer = setInterval(() => this.tick(interval), interval);
    this.timer.unref();
    if (opts.walDir !== undefined) {
      this.watcher = new WalWatcher({ walDir: opts.walDir, sink: this, logger: this.logger, startTimeMs: opts.walStartTimeMs });
      this.watcher.start();
    }
  }

  /** The WAL watcher feeding this queue, when it tails the WAL. */
  get walWatcher(): WalWatcher | undefined {
    return this.watcher;
  }

  /** Whether the shards have room (capacity per shard, as Prometheus' shard queues); the WAL watcher waits otherwise. */
  canAccept(): boolean {
    let pending = 0;
    for (const s of this.shards) pending += s.pending;
    return pending < this.cfg.capacity * this.shards.length;
  }

  get url(): string {
    return this.opts.client.url.href;
  }

  /** Queues committed samples (arrays indexed [0, n)); never blocks. */
  enqueue(refs: ArrayLike<SeriesRef>, labels: readonly Labels[], ts: Float64Array, vs: Float64Array, n: number): void {
    if (this.stopped) return;
    const shards = this.shards;
    const m = this.metrics;
    let pending = 0;
    for (const s of shards) pending += s.pending;
    for (let i = 0; i < n; i++) {
      const e = this.series.get(refs[i], labels[i]);
      m.samplesIn++;
      this.inSinceTick++;
      if (ts[i] > m.highestTimestampInMs) m.highestTimestampInMs = ts[i];
      if (!e.labels) {
        m.samplesDropped++;
        continue;
      }
      // The WAL watcher bounds the queue itself (canAccept), so only commit-fed queues drop.
      if (pending >= this.maxPending && this.watcher === undefined) {
        m.samplesDroppedQueueFull++;
        continue;
      }
      shards[e.hash % shards.length].push(e, ts[i], vs[i]);
      pending++;
    }
    m.samplesPending = pending + this.inFlight;
  }

  /** Sends one batch (see send); its samples count as pending until it is done. */
  async sendBatch(entries: readonly WriteSeriesEntry[], ts: Float64Array, vs: Float64Array, n: number): Promise<void> {
    this.inFlight += n;
    try {
      await this.send(entries, ts, vs, n);
    } finally {
      this.inFlight -= n;
      this.metrics.samplesPending = Math.max(0, this.metrics.samplesPending - n);
    }
  }

  /** Sends one batch, retrying recoverable failures with backoff until it succeeds or the queue hard-stops. */
  private async send(entries: readonly WriteSeriesEntry[], ts: Float64Array, vs: Float64Array, n: number): Promise<void> {
    let highest = 0;
    for (let i = 0; i < n; i++) if (ts[i] > highest) highest = ts[i];
    let v2 = this.message === V2_MESSAGE;
    let body = this.encode(v2, entries, ts, vs, n);
    let backoffMs = this.cfg.minBackoffMs;
    for (;;) {
      const began = Date.now();
      try {
        try {
          await this.post(body, v2);
        } catch (err) {
          if (!(err instanceof UnsupportedMessageError) || !v2) throw err;
          // Sticky: every later batch goes as 1.0 too, until the queue is rebuilt by a reload.
          this.logger?.warn("Remote write receiver does not accept remote write 2.0, falling back to 1.0", { err });
          this.message = V1_MESSAGE;
          v2 = false;
          body = this.encode(false, entries, ts, vs, n);
          await this.post(body, false);
        }
        this.outSinceTick += n;
        this.outDurationSinceTickMs += Date.now() - began;
        this.metrics.samplesSent += n;
        this.metrics.bytesSent += body.length;
        if (highest > this.metrics.highestSentTimestampMs) this.metrics.highestSentTimestampMs = highest;
        return;
      } catch (err) {
        this.metrics.sendErrors++;
        this.lastSendFailureMs = Date.now();
        if (err instanceof RecoverableError && !this.hardStopped) {
          this.metrics.samplesRetried += n;
          this.logger?.warn("Failed to send batch, retrying", { err });
          await this.sleep(err.retryAfterMs ?? backoffMs);
          backoffMs = Math.min(backoffMs * 2, this.cfg.maxBackoffMs);
          if (!this.hardStopped) continue;
        }
        this.metrics.samplesFailed += n;
        this.logger?.error("non-recoverable error", { count: n, err });
        return;
      }
    }
  }

  /** A snappy-compressed request for samples [0, n), in the 1.0 or 2.0 message. */
  private encode(v2: boolean, entries: readonly WriteSeriesEntry[], ts: Float64Array, vs: Float64Array, n: number): Uint8Array {
    if (v2) {
      const labels = this.batchLabels;
      const md = this.batchMetadata;
      labels.length = md.length = n;
      for (let i = 0; i < n; i++) {
        // Entries in a batch were kept by relabeling, so they have labels.
        labels[i] = entries[i].labels ?? [];
        md[i] = this.opts.metadata?.(labels[i]);
      }
      return encodeSnappy(this.v2.encode(labels, md, ts, vs, n));
    }
    const w = this.writer;
    w.reset();
    for (let i = 0; i < n; i++) writeTimeSeries(w, 1, entries[i].labelBytes, ts, vs, i, i + 1);
    return encodeSnappy(w.finish());
  }

  private async post(body: Uint8Array, v2: boolean): Promise<void> {
    let res;
    try {
      res = await this.opts.client.post(body, v2 ? HEADERS_V2 : HEADERS);
    } catch (cause) {
      throw new RecoverableError(`send to ${this.opts.client.url.href}: ${(cause as Error).message}`, { cause });
    }
    if (v2 && res.status === 415) throw new UnsupportedMessageError(`server returned HTTP status 415: ${res.body.subarray(0, 1024).toString("utf8").split("\n")[0]}`);
    if (res.status >= 200 && res.status < 300) {
      if (v2 && res.headers["x-prometheus-remote-write-samples-written"] === undefined && res.headers["x-prometheus-remote-write-histograms-written"] === undefined && res.headers["x-prometheus-remote-write-exemplars-written"] === undefined) {
        throw new UnsupportedMessageError(`server answered HTTP status ${res.status} to a remote write 2.0 request without any X-Prometheus-Remote-Write-*-Written header`);
      }
      return;
    }
    const text = res.body.subarray(0, 1024).toString("utf8").split("\n")[0];
    const msg = `server returned HTTP status ${res.status}: ${text}`;
    if (res.status >= 500 || (res.status === 429 && this.cfg.retryOnHttp429)) {
      throw new RecoverableError(msg, { retryAfterMs: retryAfter(res.headers["retry-after"]) });
    }
    throw new NonRecoverableError(msg);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private startShards(n: number): void {
    const opts = { maxSamplesPerSend: this.cfg.maxSamplesPerSend, batchSendDeadlineMs: this.cfg.batchSendDeadlineMs, sender: this };
    const gate = this.gate;
    this.shards = Array.from({ length: n }, () => new WriteShard(opts, gate));
    this.metrics.shards = n;
  }

  /** Replaces the shards; the new ones start sending once the old ones have flushed, so per-series order holds. */
  private reshard(n: number): void {
    const old = this.shards;
    for (const s of old) s.drain();
    this.gate = Promise.all(old.map((s) => s.done)).then(() => undefined);
    this.startShards(n);
  }

  private tick(intervalMs: number): void {
    const now = Date.now();
    this.series.nowMs = now;
    const secs = Math.max(0.001, (now - this.lastTickMs) / 1000);
    this.lastTickMs = now;
    const inR = this.inSinceTick / secs;
    const outR = this.outSinceTick / secs;
    const durR = this.outDurationSinceTickMs / 1000 / secs;
    this.inSinceTick = this.outSinceTick = this.outDurationSinceTickMs = 0;
    if (!this.ratesInit) {
      this.inRate = inR;
      this.outRate = outR;
      this.outDurationRate = durR;
      this.ratesInit = true;
    } else {
      this.inRate += EWMA_WEIGHT * (inR - this.inRate);
      this.outRate += EWMA_WEIGHT * (outR - this.outRate);
      this.outDurationRate += EWMA_WEIGHT * (durR - this.outDurationRate);
    }
    let pending = 0;
    for (const s of this.shards) pending += s.pending;
    this.metrics.samplesPending = pending + this.inFlight;
    if (now >= this.sweepAtMs) {
      this.series.sweep(now - 10 * 60_000);
      this.sweepAtMs = now + 10 * 60_000;
    }
    const desired = this.desiredShards(pending, intervalMs);
    this.metrics.shardsDesired = desired;
    if (this.stopped || desired === this.shards.length) return;
    // Resharding while sends fail only moves the backlog around.
    if (now - this.lastSendFailureMs < 2 * intervalMs) return;
    this.logger?.info("Remote storage resharding", { from: this.shards.length, to: desired });
    this.reshard(desired);
  }

  private desiredShards(pending: number, intervalMs: number): number {
    const current = this.shards.length;
    if (this.outRate <= 0) return current;
    const timePerSampleSec = this.outDurationRate / this.outRate;
    const integralGain = 0.1 / (intervalMs / 1000);
    let desired = timePerSampleSec * (this.inRate + integralGain * pending);
    if (desired > current * 0.7 && desired < current * 1.3) return current;
    desired = Math.ceil(desired);
    return Math.min(this.cfg.maxShards, Math.max(Math.max(1, this.cfg.minShards), desired));
  }

  /** Sends what is pending for up to the flush deadline, then drops the rest. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.watcher?.stop();
    for (const s of this.shards) s.drain();
    const all = Promise.all(this.shards.map((s) => s.done));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), this.opts.flushDeadlineMs ?? 60_000)));
    const result = await Promise.race([all, deadline]);
    clearTimeout(timer);
    if (result === "timeout") {
      this.hardStopped = true;
      let left = 0;
      for (const s of this.shards) left += s.abort();
      for (const wake of [...this.sleepers]) wake();
      this.metrics.samplesFailed += left;
      this.logger?.warn("Failed to flush all samples on shutdown", { count: left });
      await all;
    }
    this.metrics.samplesPending = 0;
    this.opts.client.close();
  }
}

function retryAfter(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
