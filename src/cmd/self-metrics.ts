// Server-level self-monitoring under Prometheus' names: config reloads, build info, TSDB head,
// query engine timings, scrape loops and pools, rule groups, notifications, remote write.
import { Counter } from "../client/counter.js";
import { Gauge } from "../client/gauge.js";
import { SummaryVec } from "../client/summary.js";
import { Desc } from "../client/desc.js";
import type { Collector, Metric, MetricFamily, Registerer } from "../client/interface.js";
import { labelsFromRecord } from "../model/labels.js";
import type { ScrapeHooks } from "../scrape/loop.js";
import type { DBMetrics } from "../tsdb/db.js";
import { formatGoDurationMs } from "../tsdb/encoding/go-format.js";
import type { QueryResult } from "../promql/value.js";
import type { QueryEngine } from "../web/sources.js";

export interface ServerMetrics {
  readonly reloadSuccess: Gauge;
  readonly reloadTimestamp: Gauge;
  /** prometheus_ready: 1 once startup (TSDB open, WAL replayed) completed. */
  readonly ready: Gauge;
}

export function registerServerMetrics(registry: Registerer, build: { version: string; revision: string; branch: string; goVersion: string }): ServerMetrics {
  const reloadSuccess = new Gauge({ name: "prometheus_config_last_reload_successful", help: "Whether the last configuration reload attempt was successful.", registers: [registry] });
  const reloadTimestamp = new Gauge({ name: "prometheus_config_last_reload_success_timestamp_seconds", help: "Timestamp of the last successful configuration reload.", registers: [registry] });
  const info = new Gauge({
    name: "prometheus_build_info",
    help: "A metric with a constant '1' value labeled by version, revision, branch, and goversion from which prometheus was built.",
    constLabels: { version: build.version, revision: build.revision, branch: build.branch, goversion: build.goVersion },
    registers: [registry],
  });
  info.set(1);
  const ready = new Gauge({ name: "prometheus_ready", help: "Whether Prometheus startup was fully completed and the server is ready for normal operation.", registers: [registry] });
  return { reloadSuccess, reloadTimestamp, ready };
}

type Kind = "counter" | "gauge";

// [metric name, DBMetrics field, type, help]
const TSDB_METRICS: readonly [string, Exclude<keyof DBMetrics, "headBytes">, Kind, string][] = [
  ["prometheus_tsdb_head_series", "headSeries", "gauge", "Total number of series in the head block."],
  ["prometheus_tsdb_head_chunks", "headChunks", "gauge", "Total number of chunks in the head block."],
  ["prometheus_tsdb_head_series_created_total", "headSeriesCreated", "counter", "Total number of series created in the head"],
  ["prometheus_tsdb_head_series_removed_total", "headSeriesRemoved", "counter", "Total number of series removed in the head"],
  ["prometheus_tsdb_head_samples_appended_total", "headSamplesAppended", "counter", "Total number of appended samples."],
  ["prometheus_tsdb_head_truncations_total", "headTruncations", "counter", "Total number of head truncations attempted."],
  ["prometheus_tsdb_head_min_time", "headMinTime", "gauge", "Minimum time bound of the head block."],
  ["prometheus_tsdb_head_max_time", "headMaxTime", "gauge", "Maximum timestamp of the head block."],
  ["prometheus_tsdb_out_of_order_samples_total", "outOfOrderSamples", "counter", "Total number of out of order samples ingestion failed attempts due to out of order being disabled."],
  ["prometheus_tsdb_out_of_bound_samples_total", "outOfBoundsSamples", "counter", "Total number of out of bound samples ingestion failed attempts with out of order support disabled."],
  ["prometheus_tsdb_too_old_samples_total", "tooOldSamples", "counter", "Total number of out of order samples ingestion failed attempts with out of support enabled, but sample outside of time window."],
  ["prometheus_tsdb_wal_corruptions_total", "walCorruptions", "counter", "Total number of WAL corruptions."],
  ["prometheus_tsdb_checkpoint_creations_total", "checkpoints", "counter", "Total number of checkpoint creations attempted."],
  ["prometheus_tsdb_compactions_total", "compactions", "counter", "Total number of compactions that were executed for the partition."],
  ["prometheus_tsdb_compactions_failed_total", "compactionsFailed", "counter", "Total number of compactions that failed for the partition."],
  ["prometheus_tsdb_blocks_loaded", "blocksLoaded", "gauge", "Number of currently loaded data blocks"],
  ["prometheus_tsdb_time_retentions_total", "timeRetentions", "counter", "The number of times that blocks were deleted because the maximum time limit was exceeded."],
  ["prometheus_tsdb_size_retentions_total", "sizeRetentions", "counter", "The number of times that blocks were deleted because the maximum number of bytes was exceeded."],
  ["prometheus_tsdb_storage_blocks_bytes", "storageBlocksBytes", "gauge", "The number of bytes that are currently used for local storage by all blocks."],
  ["prometheus_tsdb_lowest_timestamp", "lowestTimestamp", "gauge", "Lowest timestamp value stored in the database. The unit is decided by the library consumer."],
];

const HEAD_BYTES = "promwasm_tsdb_head_bytes";
const HEAD_BYTES_HELP = "Bytes of memory the head holds, by kind (series columns, labels, postings, open chunks in WASM memory, cut chunk refs).";

/** Reads the DB's counters at each scrape; nothing is exposed until the DB is open. */
export class TSDBCollector implements Collector {
  private readonly source: () => DBMetrics | undefined;
  private readonly descs = [
    ...TSDB_METRICS.map(([name, , , help]) => new Desc({ fqName: name, help })),
    new Desc({ fqName: HEAD_BYTES, help: HEAD_BYTES_HELP, variableLabels: ["kind"] }),
  ];

  constructor(source: () => DBMetrics | undefined) {
    this.source = source;
  }

  describe(): Iterable<Desc> {
    return this.descs;
  }

  collect(): Iterable<MetricFamily> {
    const m = this.source();
    if (!m) return [];
    const families: MetricFamily[] = TSDB_METRICS.map(([name, field, type, help]) => ({ name, help, type, metrics: [{ labels: [], value: m[field] as number }] }));
    families.push({
      name: HEAD_BYTES,
      help: HEAD_BYTES_HELP,
      type: "gauge",
      metrics: Object.entries(m.headBytes).map(([kind, value]) => ({ labels: labelsFromRecord({ kind }), value })),
    });
    return families;
  }
}

/**
 * Counts queries in flight (prometheus_engine_queries) around an engine and observes each
 * query's timings by slice (prometheus_engine_query_duration_seconds).
 */
export function instrumentEngine(engine: QueryEngine, registry: Registerer, maxConcurrency: number): QueryEngine {
  const inFlight = new Gauge({ name: "prometheus_engine_queries", help: "The current number of queries being executed or waiting.", registers: [registry] });
  const max = new Gauge({ name: "prometheus_engine_queries_concurrent_max", help: "The max number of concurrent queries.", registers: [registry] });
  max.set(maxConcurrency);
  const durations = new SummaryVec({
    name: "prometheus_engine_query_duration_seconds",
    help: "Query timings",
    labelNames: ["slice"],
    objectives: { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 },
    registers: [registry],
  });
  const slices = {
    queue: durations.labels("queue_time"),
    prepare: durations.labels("prepare_time"),
    inner: durations.labels("inner_eval"),
    sort: durations.labels("result_sort"),
  };
  const track = async (run: () => Promise<QueryResult>): Promise<QueryResult> => {
    inFlight.inc();
    try {
      const res = await run();
      const t = res.stats.timings;
      slices.queue.observe(t.execQueueTime);
      slices.prepare.observe(t.queryPreparationTime);
      slices.inner.observe(t.innerEvalTime);
      slices.sort.observe(t.resultSortTime);
      return res;
    } finally {
      inFlight.dec();
    }
  };
  return {
    instantQuery: (q, query, t, opts) => track(() => engine.instantQuery(q, query, t, opts)),
    rangeQuery: (q, query, start, end, step, opts) => track(() => engine.rangeQuery(q, query, start, end, step, opts)),
  };
}

/** A collector whose families are computed at each scrape from a subsystem's counters. */
export class CallbackCollector implements Collector {
  private readonly fn: () => MetricFamily[];

  constructor(fn: () => MetricFamily[]) {
    this.fn = fn;
  }

  /** Unchecked: the families depend on what is configured (queues, Alertmanagers, groups). */
  describe(): Iterable<Desc> {
    return [];
  }

  collect(): Iterable<MetricFamily> {
    return this.fn().filter((f) => f.metrics.length > 0);
  }
}

function family(name: string, type: "counter" | "gauge", help: string, metrics: Metric[]): MetricFamily {
  return { name, type, help, metrics };
}

function metric(labels: Record<string, string>, value: number): Metric {
  return { labels: labelsFromRecord(labels), value };
}

export interface NotifierStats {
  readonly dropped: number;
  readonly queueLength: number;
  readonly queueCapacity: number;
  readonly perAlertmanager: ReadonlyMap<string, { sent: number; errors: number }>;
  alertmanagers(): { active: string[] };
}

export function notifierFamilies(n: NotifierStats): MetricFamily[] {
  const per = [...n.perAlertmanager];
  // As Prometheus: a discovered Alertmanager's counters exist (at 0) before the first send.
  for (const am of n.alertmanagers().active) if (!n.perAlertmanager.has(am)) per.push([am, { sent: 0, errors: 0 }]);
  return [
    family("prometheus_notifications_dropped_total", "counter", "Total number of alerts dropped due to errors when sending to Alertmanager.", [metric({}, n.dropped)]),
    family("prometheus_notifications_queue_length", "gauge", "The number of alert notifications in the queue.", [metric({}, n.queueLength)]),
    family("prometheus_notifications_queue_capacity", "gauge", "The capacity of the alert notifications queue.", [metric({}, n.queueCapacity)]),
    family("prometheus_notifications_alertmanagers_discovered", "gauge", "The number of alertmanagers discovered and active.", [metric({}, n.alertmanagers().active.length)]),
    family("prometheus_notifications_sent_total", "counter", "Total number of alerts sent.", per.map(([am, c]) => metric({ alertmanager: am }, c.sent))),
    family("prometheus_notifications_errors_total", "counter", "Total number of errors sending alert notifications.", per.map(([am, c]) => metric({ alertmanager: am }, c.errors))),
  ];
}

export interface RemoteQueueStats {
  readonly name: string;
  readonly url: string;
  readonly metrics: Readonly<{
    samplesIn: number; samplesSent: number; samplesFailed: number; samplesRetried: number; samplesDropped: number;
    bytesSent: number; shards: number; shardsDesired: number; highestSentTimestampMs: number; samplesPending: number;
  }>;
}

export function remoteFamilies(queues: readonly RemoteQueueStats[]): MetricFamily[] {
  const per = (name: string, type: "counter" | "gauge", help: string, pick: (m: RemoteQueueStats["metrics"]) => number): MetricFamily =>
    family(name, type, help, queues.map((q) => metric({ remote_name: q.name, url: q.url }, pick(q.metrics))));
  return [
    per("prometheus_remote_storage_samples_total", "counter", "Total number of samples sent to remote storage.", (m) => m.samplesSent),
    per("prometheus_remote_storage_samples_failed_total", "counter", "Total number of samples which failed on send to remote storage, non-recoverable errors.", (m) => m.samplesFailed),
    per("prometheus_remote_storage_samples_retried_total", "counter", "Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.", (m) => m.samplesRetried),
    per("prometheus_remote_storage_samples_dropped_total", "counter", "Total number of samples which were dropped after being read from the WAL before being sent via remote write, either via relabelling or unintentionally because of an unknown reference ID.", (m) => m.samplesDropped),
    per("prometheus_remote_storage_bytes_total", "counter", "The total number of bytes of data (not metadata) sent by the queue after compression.", (m) => m.bytesSent),
    per("prometheus_remote_storage_shards", "gauge", "The number of shards used for parallel sending to the remote storage.", (m) => m.shards),
    per("prometheus_remote_storage_shards_desired", "gauge", "The number of shards that the queues shard calculation wants to run based on the rate of samples in vs. samples out.", (m) => m.shardsDesired),
    per("prometheus_remote_storage_samples_pending", "gauge", "The number of samples pending in the queues shards to be sent to the remote storage.", (m) => m.samplesPending),
    per("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", "gauge", "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.", (m) => m.highestSentTimestampMs / 1000),
    family("prometheus_remote_storage_samples_in_total", "counter", "Samples in to remote storage, compare to samples out for queue managers.", queues.length ? [metric({}, queues.reduce((a, q) => a + q.metrics.samplesIn, 0))] : []),
  ];
}

export interface RuleGroupStats {
  readonly name: string;
  readonly file: string;
  readonly interval: number;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  readonly rules: readonly unknown[];
}

export function ruleFamilies(groups: readonly RuleGroupStats[]): MetricFamily[] {
  const per = (name: string, help: string, pick: (g: RuleGroupStats) => number): MetricFamily =>
    family(name, "gauge", help, groups.map((g) => metric({ rule_group: `${g.file};${g.name}` }, pick(g))));
  return [
    per("prometheus_rule_group_interval_seconds", "The interval of a rule group.", (g) => g.interval),
    per("prometheus_rule_group_last_duration_seconds", "The duration of the last rule group evaluation.", (g) => g.evaluationTime),
    per("prometheus_rule_group_last_evaluation_timestamp_seconds", "The timestamp of the last rule group evaluation in seconds.", (g) => {
      const t = Date.parse(g.lastEvaluation);
      return t > 0 ? t / 1000 : 0;
    }),
    per("prometheus_rule_group_rules", "The number of rules.", (g) => g.rules.length),
  ];
}

export interface RuleGroupCounters {
  readonly name: string;
  readonly file: string;
  readonly metrics: Readonly<{ evaluations: number; evaluationFailures: number; iterations: number; iterationsMissed: number }>;
}

export function ruleCounterFamilies(groups: readonly RuleGroupCounters[]): MetricFamily[] {
  const per = (name: string, help: string, pick: (m: RuleGroupCounters["metrics"]) => number): MetricFamily =>
    family(name, "counter", help, groups.map((g) => metric({ rule_group: `${g.file};${g.name}` }, pick(g.metrics))));
  return [
    per("prometheus_rule_evaluations_total", "The total number of rule evaluations.", (m) => m.evaluations),
    per("prometheus_rule_evaluation_failures_total", "The total number of rule evaluation failures.", (m) => m.evaluationFailures),
    per("prometheus_rule_group_iterations_total", "The total number of scheduled rule group evaluations, whether executed or missed.", (m) => m.iterations),
    per("prometheus_rule_group_iterations_missed_total", "The total number of rule group evaluations missed due to slow rule group evaluation.", (m) => m.iterationsMissed),
  ];
}

/** The scrape loops' self-monitoring: interval lengths by configured interval, rejected scrapes and samples. */
export function scrapeHooks(registry: Registerer): ScrapeHooks {
  const intervals = new SummaryVec({
    name: "prometheus_target_interval_length_seconds",
    help: "Actual intervals between scrapes.",
    labelNames: ["interval"],
    objectives: { 0.01: 0.001, 0.05: 0.005, 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 },
    registers: [registry],
  });
  const counter = (name: string, help: string): Counter => new Counter({ name, help, registers: [registry] });
  const sampleLimit = counter("prometheus_target_scrapes_exceeded_sample_limit_total", "Total number of scrapes that hit the sample limit and were rejected.");
  const outOfOrder = counter("prometheus_target_scrapes_sample_out_of_order_total", "Total number of samples rejected due to not being out of the expected order.");
  const duplicates = counter("prometheus_target_scrapes_sample_duplicate_timestamp_total", "Total number of samples rejected due to duplicate timestamps but different values.");
  const outOfBounds = counter("prometheus_target_scrapes_sample_out_of_bounds_total", "Total number of samples rejected due to timestamp falling outside of the time bounds.");
  return {
    // The label is the configured interval as Go prints a duration ("15s", "1m0s").
    intervalLength: (configuredMs, actualMs) => intervals.labels(formatGoDurationMs(configuredMs)).observe(actualMs / 1000),
    sampleLimitExceeded: () => sampleLimit.inc(),
    samplesRejected: (ooo, dup, oob) => {
      outOfOrder.inc(ooo);
      duplicates.inc(dup);
      outOfBounds.inc(oob);
    },
  };
}

export interface ScrapeManagerStats {
  readonly poolsCreated: number;
  discoveredTargets(): ReadonlyMap<string, number>;
  cacheBytes(): number;
}

/** prometheus_target_scrape_pools_total and prometheus_sd_discovered_targets, read at each scrape. */
export function scrapeManagerFamilies(m: ScrapeManagerStats | undefined): MetricFamily[] {
  return [
    family("prometheus_target_scrape_pools_total", "counter", "Total number of scrape pool creation attempts.", [metric({}, m?.poolsCreated ?? 0)]),
    family("promwasm_scrape_cache_bytes", "gauge", "Bytes of memory the scrape caches of all targets hold.", [metric({}, m?.cacheBytes() ?? 0)]),
    family(
      "prometheus_sd_discovered_targets",
      "gauge",
      "Current number of discovered targets.",
      [...(m?.discoveredTargets() ?? [])].map(([job, n]) => metric({ config: job, name: "scrape" }, n)),
    ),
  ];
}
