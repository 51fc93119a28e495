// Every flag of Prometheus 3.14's server (hidden ones included, as /api/v1/status/flags lists
// them), plus the 2.x flags 3.x dropped. Each says what promwasm does with it: `effect`
// "none" marks a flag that is accepted so existing command lines keep working but changes
// nothing here; setting one explicitly logs that plainly. A long table, kept apart from the parser.

export type FlagKind = "string" | "bool" | "duration" | "size" | "int" | "float" | "strings";

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly default: string;
  readonly help: string;
  /** Left out of --help, as Prometheus hides it. */
  readonly hidden?: boolean;
  /** Accepted, but promwasm does nothing with it; the text says why. */
  readonly noEffect?: string;
  /** A 2.x flag that Prometheus 3 removed: accepted with this warning. */
  readonly removed?: string;
  /** The only values accepted. */
  readonly oneOf?: readonly string[];
}

const NODE_RUNTIME = "it tunes Go's runtime; promwasm runs on Node.js";
const NO_AGENT = "agent mode is not implemented; promwasm runs as a full server";
const NO_CONSOLES = "console templates are not implemented";
const TSDB_FIXED = "promwasm's TSDB uses Prometheus' defaults for this";

export const FLAG_SPECS: readonly FlagSpec[] = [
  { name: "config.file", kind: "string", default: "prometheus.yml", help: "Prometheus configuration file path." },
  { name: "config.auto-reload", kind: "bool", default: "false", help: "Enable automatic configuration file reloading. See also --config.auto-reload-interval." },
  { name: "config.auto-reload-interval", kind: "duration", default: "30s", help: "Specifies the interval for checking and automatically reloading the Prometheus configuration file upon detecting changes. Only used when --config.auto-reload is set." },
  { name: "web.listen-address", kind: "string", default: "0.0.0.0:9090", help: "Address to listen on for UI, API, and telemetry." },
  { name: "auto-gomaxprocs", kind: "bool", default: "true", help: "Automatically set GOMAXPROCS to match Linux container CPU quota", noEffect: NODE_RUNTIME },
  { name: "auto-gomemlimit", kind: "bool", default: "true", help: "Automatically set GOMEMLIMIT to match Linux container or system memory limit", noEffect: NODE_RUNTIME },
  { name: "auto-gomemlimit.ratio", kind: "float", default: "0.9", help: "The ratio of reserved GOMEMLIMIT memory to the detected maximum container or system memory", noEffect: NODE_RUNTIME },
  { name: "auto-gomemlimit.refresh-interval", kind: "duration", default: "0s", help: "Interval at which to re-detect the container or system memory limit and update GOMEMLIMIT accordingly.", noEffect: NODE_RUNTIME },
  { name: "web.config.file", kind: "string", default: "", help: "[EXPERIMENTAL] Path to configuration file that can enable TLS or authentication." },
  { name: "web.read-timeout", kind: "duration", default: "5m", help: "Maximum duration before timing out read of the request, and closing idle connections." },
  { name: "web.max-connections", kind: "int", default: "512", help: "Maximum number of simultaneous connections across all listeners." },
  { name: "web.max-notifications-subscribers", kind: "int", default: "16", help: "Limits the maximum number of subscribers that can concurrently receive live notifications.", noEffect: "the live notifications endpoint is not implemented" },
  { name: "web.external-url", kind: "string", default: "", help: "The URL under which Prometheus is externally reachable (for example, if Prometheus is served via a reverse proxy)." },
  { name: "web.route-prefix", kind: "string", default: "", help: "Prefix for the internal routes of web endpoints. Defaults to path of --web.external-url." },
  { name: "web.user-assets", kind: "string", default: "", help: "Path to static asset directory, available at /user.", noEffect: "serving /user assets is not implemented" },
  { name: "web.enable-lifecycle", kind: "bool", default: "false", help: "Enable shutdown and reload via HTTP request." },
  { name: "web.enable-admin-api", kind: "bool", default: "false", help: "Enable API endpoints for admin control actions." },
  { name: "web.enable-remote-write-receiver", kind: "bool", default: "false", help: "Enable API endpoint accepting remote write requests." },
  { name: "web.remote-write-receiver.accepted-protobuf-messages", kind: "strings", default: "prometheus.WriteRequest,io.prometheus.write.v2.Request", help: "List of the remote write protobuf messages to accept when receiving the remote writes. Supported values: prometheus.WriteRequest, io.prometheus.write.v2.Request" },
  { name: "web.enable-otlp-receiver", kind: "bool", default: "false", help: "Enable API endpoint accepting OTLP write requests." },
  { name: "web.console.templates", kind: "string", default: "consoles", help: "Path to the console template directory, available at /consoles.", noEffect: NO_CONSOLES },
  { name: "web.console.libraries", kind: "string", default: "console_libraries", help: "Path to the console library directory.", noEffect: NO_CONSOLES },
  { name: "web.page-title", kind: "string", default: "Prometheus Time Series Collection and Processing Server", help: "Document title of Prometheus instance." },
  { name: "web.cors.origin", kind: "string", default: ".*", help: "Regex for CORS origin. It is fully anchored." },
  { name: "storage.tsdb.path", kind: "string", default: "data/", help: "Base path for metrics storage." },
  { name: "storage.tsdb.min-block-duration", kind: "duration", default: "2h", help: "Minimum duration of a data block before being persisted. For use in testing.", hidden: true },
  { name: "storage.tsdb.max-block-duration", kind: "duration", default: "0s", help: "Maximum duration compacted blocks may span. For use in testing. (Defaults to 10% of the retention period.)", hidden: true },
  { name: "storage.tsdb.max-block-chunk-segment-size", kind: "size", default: "0B", help: "The maximum size for a single chunk segment in a block.", hidden: true, noEffect: TSDB_FIXED },
  { name: "storage.tsdb.wal-segment-size", kind: "size", default: "0B", help: "Size at which to split the tsdb WAL segment files.", hidden: true, noEffect: TSDB_FIXED },
  { name: "storage.tsdb.retention.time", kind: "duration", default: "0s", help: "How long to retain samples in storage. If neither this flag nor \"storage.tsdb.retention.size\" is set, the retention time defaults to 15d." },
  { name: "storage.tsdb.retention.size", kind: "size", default: "0B", help: "Maximum number of bytes that can be stored for blocks (B, KB, MB, GB, TB, PB, EB)." },
  { name: "storage.tsdb.no-lockfile", kind: "bool", default: "false", help: "Do not create lockfile in data directory.", noEffect: "promwasm creates no lockfile" },
  { name: "storage.tsdb.allow-overlapping-compaction", kind: "bool", default: "true", help: "Allow compaction of overlapping blocks.", hidden: true, noEffect: TSDB_FIXED },
  { name: "storage.tsdb.wal-compression", kind: "bool", default: "true", help: "Compress the tsdb WAL.", hidden: true },
  { name: "storage.tsdb.wal-compression-type", kind: "string", default: "snappy", help: "Compression algorithm for the tsdb WAL, used when --storage.tsdb.wal-compression is true.", hidden: true, oneOf: ["snappy", "zstd"], noEffect: "the WAL is compressed with snappy" },
  { name: "storage.tsdb.head-chunks-write-queue-size", kind: "int", default: "0", help: "Size of the queue through which head chunks are written to the disk to be m-mapped, 0 disables the queue completely. Experimental.", noEffect: TSDB_FIXED },
  { name: "storage.tsdb.samples-per-chunk", kind: "int", default: "120", help: "Target number of samples per chunk.", hidden: true, noEffect: TSDB_FIXED },
  { name: "storage.tsdb.delayed-compaction.max-percent", kind: "int", default: "10", help: "Sets the upper limit for the random compaction delay, specified as a percentage of the head chunk range.", hidden: true, noEffect: "delayed compaction is not implemented" },
  { name: "storage.tsdb.delay-compact-file.path", kind: "string", default: "", help: "Path to a JSON file with uploaded TSDB blocks e.g. Thanos shipper meta file.", noEffect: "delayed compaction is not implemented" },
  { name: "storage.tsdb.block-reload-interval", kind: "duration", default: "1m", help: "Interval at which to check for new or removed blocks in storage.", hidden: true, noEffect: TSDB_FIXED },
  { name: "storage.agent.path", kind: "string", default: "data-agent/", help: "Base path for metrics storage. Use with agent mode only.", noEffect: NO_AGENT },
  { name: "storage.agent.wal-segment-size", kind: "size", default: "0B", help: "Size at which to split WAL segment files. Use with agent mode only.", hidden: true, noEffect: NO_AGENT },
  { name: "storage.agent.wal-compression", kind: "bool", default: "true", help: "Compress the agent WAL. Use with agent mode only.", noEffect: NO_AGENT },
  { name: "storage.agent.wal-compression-type", kind: "string", default: "snappy", help: "Compression algorithm for the agent WAL. Use with agent mode only.", hidden: true, oneOf: ["snappy", "zstd"], noEffect: NO_AGENT },
  { name: "storage.agent.wal-truncate-frequency", kind: "duration", default: "0s", help: "The frequency at which to truncate the WAL and remove old data. Use with agent mode only.", hidden: true, noEffect: NO_AGENT },
  { name: "storage.agent.retention.min-time", kind: "duration", default: "5m", help: "Minimum age samples may be before being considered for deletion when the WAL is truncated. Use with agent mode only.", noEffect: NO_AGENT },
  { name: "storage.agent.retention.max-time", kind: "duration", default: "4h", help: "Maximum age samples may be before being forcibly deleted when the WAL is truncated. Use with agent mode only.", noEffect: NO_AGENT },
  { name: "storage.agent.checkpoint-from-in-memory-series", kind: "bool", default: "false", help: "Use only in-memory series data when building a checkpoint. Use with agent mode only.", noEffect: NO_AGENT },
  { name: "storage.agent.checkpoint-batch-size", kind: "int", default: "1000", help: "Size of a single WAL log entry chunk to be flushed. Use with agent mode only.", noEffect: NO_AGENT },
  { name: "storage.agent.no-lockfile", kind: "bool", default: "false", help: "Do not create lockfile in data directory. Use with agent mode only.", noEffect: NO_AGENT },
  { name: "storage.remote.flush-deadline", kind: "duration", default: "1m", help: "How long to wait flushing sample on shutdown or config reload." },
  { name: "storage.remote.read-sample-limit", kind: "int", default: "50000000", help: "Maximum overall number of samples to return via the remote read interface, in a single query. 0 means no limit." },
  { name: "storage.remote.read-concurrent-limit", kind: "int", default: "10", help: "Maximum number of concurrent remote read calls. 0 means no limit." },
  { name: "storage.remote.read-max-bytes-in-frame", kind: "int", default: "1048576", help: "Maximum number of bytes in a single frame for streaming remote read response types before marshalling." },
  { name: "web.search.max-limit", kind: "int", default: "10000", help: "Hard upper bound on the \"limit\" query parameter accepted by the experimental search API.", noEffect: "the search API is not implemented" },
  { name: "rules.alert.for-outage-tolerance", kind: "duration", default: "1h", help: "Max time to tolerate prometheus outage for restoring \"for\" state of alert." },
  { name: "rules.alert.for-grace-period", kind: "duration", default: "10m", help: "Minimum duration between alert and restored \"for\" state." },
  { name: "rules.alert.resend-delay", kind: "duration", default: "1m", help: "Minimum amount of time to wait before resending an alert to Alertmanager." },
  { name: "rules.max-concurrent-evals", kind: "int", default: "4", help: "Global concurrency limit for independent rules that can run concurrently.", noEffect: "rules of a group are evaluated in order" },
  { name: "scrape.adjust-timestamps", kind: "bool", default: "true", help: "Adjust scrape timestamps by up to `scrape.timestamp-tolerance` to align them to the intended schedule.", hidden: true, noEffect: "scrape timestamps are not adjusted" },
  { name: "scrape.timestamp-tolerance", kind: "duration", default: "2ms", help: "Timestamp tolerance.", hidden: true, noEffect: "scrape timestamps are not adjusted" },
  { name: "alertmanager.notification-queue-capacity", kind: "int", default: "10000", help: "The capacity of the queue for pending Alertmanager notifications." },
  { name: "alertmanager.notification-batch-size", kind: "int", default: "256", help: "The maximum number of notifications per batch to send to the Alertmanager.", noEffect: "the batch size is fixed" },
  { name: "alertmanager.drain-notification-queue-on-shutdown", kind: "bool", default: "true", help: "Send any outstanding Alertmanager notifications when shutting down.", noEffect: "the queue is not drained on shutdown" },
  { name: "query.lookback-delta", kind: "duration", default: "5m", help: "The maximum lookback duration for retrieving metrics during expression evaluations and federation." },
  { name: "query.timeout", kind: "duration", default: "2m", help: "Maximum time a query may take before being aborted." },
  { name: "query.max-concurrency", kind: "int", default: "20", help: "Maximum number of queries executed concurrently." },
  { name: "query.max-samples", kind: "int", default: "50000000", help: "Maximum number of samples a single query can load into memory." },
  { name: "scrape.discovery-reload-interval", kind: "duration", default: "5s", help: "Interval used by scrape manager to throttle target groups updates.", hidden: true, noEffect: "updates are throttled to every 5s" },
  { name: "enable-feature", kind: "strings", default: "", help: "Comma separated feature names to enable. Valid options: promql-experimental-functions, promql-delayed-name-removal, promql-duration-expr, promql-extended-range-selectors, promql-binop-fill-modifiers. Unknown names are logged and ignored." },
  { name: "agent", kind: "bool", default: "false", help: "Run Prometheus in 'Agent mode'.", noEffect: NO_AGENT },
  { name: "log.level", kind: "string", default: "info", help: "Only log messages with the given severity or above. One of: [debug, info, warn, error]" },
  { name: "log.format", kind: "string", default: "logfmt", help: "Output format of log messages. One of: [logfmt, json]" },
  // Prometheus 2.x flags that 3.0 removed.
  { name: "storage.tsdb.retention", kind: "duration", default: "0s", help: "[DEPRECATED] How long to retain samples in storage. Use --storage.tsdb.retention.time instead.", hidden: true, removed: "use --storage.tsdb.retention.time instead; honoured when that is not set" },
  { name: "storage.tsdb.allow-overlapping-blocks", kind: "bool", default: "true", help: "[DEPRECATED] This flag has no effect. Overlapping blocks are enabled by default now.", hidden: true, removed: "overlapping blocks are always allowed; it has no effect" },
  { name: "alertmanager.timeout", kind: "string", default: "", help: "[DEPRECATED] This flag has no effect.", hidden: true, removed: "it has no effect" },
];
