// Server-level self-monitoring under Prometheus' names: config reloads, build info, TSDB head.
import { Gauge } from "../client/gauge.js";
import { Desc } from "../client/desc.js";
import type { Collector, MetricFamily, Registerer } from "../client/interface.js";
import type { DBMetrics } from "../tsdb/db.js";
import type { QueryEngine } from "../web/sources.js";

export interface ServerMetrics {
  readonly reloadSuccess: Gauge;
  readonly reloadTimestamp: Gauge;
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
  return { reloadSuccess, reloadTimestamp };
}

type Kind = "counter" | "gauge";

// [metric name, DBMetrics field, type, help]
const TSDB_METRICS: readonly [string, keyof DBMetrics, Kind, string][] = [
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

/** Reads the DB's counters at each scrape; nothing is exposed until the DB is open. */
export class TSDBCollector implements Collector {
  private readonly source: () => DBMetrics | undefined;
  private readonly descs = TSDB_METRICS.map(([name, , , help]) => new Desc({ fqName: name, help }));

  constructor(source: () => DBMetrics | undefined) {
    this.source = source;
  }

  describe(): Iterable<Desc> {
    return this.descs;
  }

  collect(): Iterable<MetricFamily> {
    const m = this.source();
    if (!m) return [];
    return TSDB_METRICS.map(([name, field, type, help]) => ({ name, help, type, metrics: [{ labels: [], value: m[field] }] }));
  }
}

/** Counts queries in flight (prometheus_engine_queries) around an engine. */
export function instrumentEngine(engine: QueryEngine, registry: Registerer, maxConcurrency: number): QueryEngine {
  const inFlight = new Gauge({ name: "prometheus_engine_queries", help: "The current number of queries being executed or waiting.", registers: [registry] });
  const max = new Gauge({ name: "prometheus_engine_queries_concurrent_max", help: "The max number of concurrent queries.", registers: [registry] });
  max.set(maxConcurrency);
  const track = async <T>(run: () => Promise<T>): Promise<T> => {
    inFlight.inc();
    try {
      return await run();
    } finally {
      inFlight.dec();
    }
  };
  return {
    instantQuery: (q, query, t, opts) => track(() => engine.instantQuery(q, query, t, opts)),
    rangeQuery: (q, query, start, end, step, opts) => track(() => engine.rangeQuery(q, query, start, end, step, opts)),
  };
}
