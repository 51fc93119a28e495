// Command-line flags with Prometheus' names and defaults, parsed the way kingpin does:
// --name=value, --name value, --[no-]bool, --help, --version; unknown flags are errors.

type Kind = "string" | "bool" | "duration" | "size" | "int" | "strings";

interface FlagSpec {
  readonly name: string;
  readonly kind: Kind;
  readonly default: string;
  readonly help: string;
}

export const FLAG_SPECS: readonly FlagSpec[] = [
  { name: "config.file", kind: "string", default: "prometheus.yml", help: "Prometheus configuration file path." },
  { name: "web.listen-address", kind: "string", default: "0.0.0.0:9090", help: "Address to listen on for UI, API, and telemetry." },
  { name: "web.config.file", kind: "string", default: "", help: "[EXPERIMENTAL] Path to configuration file that can enable TLS or authentication." },
  { name: "web.read-timeout", kind: "duration", default: "5m", help: "Maximum duration before timing out read of the request, and closing idle connections." },
  { name: "web.max-connections", kind: "int", default: "512", help: "Maximum number of simultaneous connections." },
  { name: "web.external-url", kind: "string", default: "", help: "The URL under which Prometheus is externally reachable (for example, if Prometheus is served via a reverse proxy)." },
  { name: "web.route-prefix", kind: "string", default: "", help: "Prefix for the internal routes of web endpoints. Defaults to path of --web.external-url." },
  { name: "web.enable-lifecycle", kind: "bool", default: "false", help: "Enable shutdown and reload via HTTP request." },
  { name: "web.enable-admin-api", kind: "bool", default: "false", help: "Enable API endpoints for admin control actions." },
  { name: "web.enable-remote-write-receiver", kind: "bool", default: "false", help: "Enable API endpoint accepting remote write requests." },
  { name: "web.enable-otlp-receiver", kind: "bool", default: "false", help: "Enable API endpoint accepting OTLP write requests." },
  { name: "web.page-title", kind: "string", default: "Prometheus Time Series Collection and Processing Server", help: "Document title of Prometheus instance." },
  { name: "web.cors.origin", kind: "string", default: ".*", help: "Regex for CORS origin. It is fully anchored." },
  { name: "storage.tsdb.path", kind: "string", default: "data/", help: "Base path for metrics storage." },
  { name: "storage.tsdb.retention.time", kind: "duration", default: "0s", help: "How long to retain samples in storage. Defaults to 15d when no size retention is set." },
  { name: "storage.tsdb.retention", kind: "duration", default: "0s", help: "[DEPRECATED] How long to retain samples in storage. Use --storage.tsdb.retention.time instead." },
  { name: "storage.tsdb.retention.size", kind: "size", default: "0B", help: "Maximum number of bytes that can be stored for blocks (B, KB, MB, GB, TB, PB, EB)." },
  { name: "storage.tsdb.min-block-duration", kind: "duration", default: "2h", help: "Minimum duration of a data block before being persisted." },
  { name: "storage.tsdb.max-block-duration", kind: "duration", default: "0s", help: "Maximum duration compacted blocks may span. Defaults to 10% of the retention period." },
  { name: "storage.tsdb.wal-compression", kind: "bool", default: "true", help: "Compress the tsdb WAL." },
  { name: "storage.remote.flush-deadline", kind: "duration", default: "1m", help: "How long to wait flushing sample on shutdown or config reload." },
  { name: "storage.remote.read-sample-limit", kind: "int", default: "50000000", help: "Maximum overall number of samples to return via the remote read interface, in a single query. 0 means no limit." },
  { name: "storage.remote.read-concurrent-limit", kind: "int", default: "10", help: "Maximum number of concurrent remote read calls. 0 means no limit." },
  { name: "storage.remote.read-max-bytes-in-frame", kind: "int", default: "1048576", help: "Maximum number of bytes in a single frame for streaming remote read response types before marshalling." },
  { name: "rules.alert.for-outage-tolerance", kind: "duration", default: "1h", help: "Max time to tolerate prometheus outage for restoring \"for\" state of alert." },
  { name: "rules.alert.for-grace-period", kind: "duration", default: "10m", help: "Minimum duration between alert and restored \"for\" state." },
  { name: "rules.alert.resend-delay", kind: "duration", default: "1m", help: "Minimum amount of time to wait before resending an alert to Alertmanager." },
  { name: "alertmanager.notification-queue-capacity", kind: "int", default: "10000", help: "The capacity of the queue for pending Alertmanager notifications." },
  { name: "query.lookback-delta", kind: "duration", default: "5m", help: "The maximum lookback duration for retrieving metrics during expression evaluations and federation." },
  { name: "query.timeout", kind: "duration", default: "2m", help: "Maximum time a query may take before being aborted." },
  { name: "query.max-concurrency", kind: "int", default: "20", help: "Maximum number of queries executed concurrently." },
  { name: "query.max-samples", kind: "int", default: "50000000", help: "Maximum number of samples a single query can load into memory." },
  { name: "enable-feature", kind: "strings", default: "", help: "Comma separated feature names to enable. Valid options: promql-experimental-functions, promql-delayed-name-removal, promql-duration-expr, promql-extended-range-selectors, promql-binop-fill-modifiers. Unknown names are logged and ignored." },
  { name: "log.level", kind: "string", default: "info", help: "Only log messages with the given severity or above. One of: [debug, info, warn, error]" },
  { name: "log.format", kind: "string", default: "logfmt", help: "Output format of log messages. One of: [logfmt, json]" },
];

const SPEC_BY_NAME = new Map(FLAG_SPECS.map((s) => [s.name, s]));

export class FlagError extends Error {}

export interface ParsedFlags {
  /** Every flag's value as text (defaults included), as /api/v1/status/flags shows them. */
  readonly values: Readonly<Record<string, string>>;
  /** Flags given on the command line. */
  readonly explicit: ReadonlySet<string>;
  readonly help: boolean;
  readonly version: boolean;
}

export function parseFlags(argv: readonly string[]): ParsedFlags {
  const values: Record<string, string> = {};
  for (const s of FLAG_SPECS) values[s.name] = s.default;
  const explicit = new Set<string>();
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h" || arg === "--help-long") {
      help = true;
      continue;
    }
    if (arg === "--version") {
      version = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new FlagError(`unexpected ${arg}, try --help`);
    const eq = arg.indexOf("=");
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    let spec = SPEC_BY_NAME.get(name);
    if (!spec && name.startsWith("no-") && SPEC_BY_NAME.get(name.slice(3))?.kind === "bool" && value === undefined) {
      name = name.slice(3);
      spec = SPEC_BY_NAME.get(name);
      value = "false";
    }
    if (!spec) throw new FlagError(`unknown long flag '--${name}', try --help`);
    if (value === undefined) {
      if (spec.kind === "bool") value = "true";
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new FlagError(`expected argument for flag '--${name}'`);
    }
    if (spec.kind === "bool" && !/^(true|false)$/.test(value)) throw new FlagError(`strconv.ParseBool: parsing "${value}": invalid syntax for flag '--${name}'`);
    if (spec.kind === "strings" && explicit.has(name)) value = `${values[name]},${value}`;
    values[name] = value;
    explicit.add(name);
  }
  return { values, explicit, help, version };
}

export function usage(program: string): string {
  let out = `usage: ${program} [<flags>]\n\nThe Prometheus monitoring server\n\nFlags:\n  -h, --help  Show context-sensitive help.\n      --version  Show application version.\n`;
  for (const s of FLAG_SPECS) {
    const arg = s.kind === "bool" ? `--[no-]${s.name}` : `--${s.name}=${s.kind === "strings" ? "<name>" : `"${s.default}"`}`;
    out += `      ${arg}\n          ${s.help}\n`;
  }
  return out;
}
