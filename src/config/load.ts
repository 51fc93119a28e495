// Loads prometheus.yml into a Config: strict fields, Prometheus' defaults and validation.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Node } from "yaml";
import { labelsFromList, type Label } from "../model/labels.js";
import { ByteSizeError, parseByteSize } from "./bytes.js";
import { ConfigError } from "./errors.js";
import { HTTPClientFields, resolvePath } from "./http-client.js";
import { DEFAULT_OTLP, readOTLPConfig, type OTLPConfig } from "./otlp.js";
import { LABEL_NAME, readRelabelConfigs } from "./relabel.js";
import { ServiceDiscoveryFields } from "./service-discovery.js";
import {
  DEFAULT_GLOBAL, DEFAULT_METADATA, DEFAULT_QUEUE,
  type AlertingConfig, type AlertmanagerConfig, type Config, type GlobalConfig, type RelabelRule,
  type RemoteReadConfig, type RemoteWriteConfig, type ScrapeConfig, type StorageConfig,
} from "./types.js";
import { YamlReader } from "./yaml-reader.js";

export interface ParseConfigOptions {
  /** Shown in errors and /api/v1/status/config; "" for built-in configs. */
  readonly file: string;
  /** Directory that relative paths are resolved against. */
  readonly baseDir: string;
}

export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    // The errno text is the whole story; chaining the cause would repeat it.
    const why = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (cause as Error).message;
    throw new ConfigError(path, undefined, `open ${path}: ${why}`);
  }
  return parseConfig(text, { file: path, baseDir: dirname(resolve(path)) });
}

export function parseConfig(text: string, opts: ParseConfigOptions): Config {
  const { root, reader: r } = YamlReader.parse(text, opts.file);
  let global: GlobalConfig = DEFAULT_GLOBAL;
  let ruleFiles: string[] = [];
  let scrapeNodes: Node | undefined;
  let alertingNode: Node | undefined;
  let remoteWrite: RemoteWriteConfig[] = [];
  let remoteRead: RemoteReadConfig[] = [];
  const storage = { tsdb: { outOfOrderTimeWindowMs: 0 }, exemplars: { maxExemplars: 100_000 } };
  let otlp: OTLPConfig = DEFAULT_OTLP;
  r.object(root, "config.plain", {
    global: (n) => (global = readGlobal(n, r, opts.baseDir)),
    rule_files: (n) => {
      ruleFiles = r.stringList(n).map((p) => {
        if (/\[[^\]]*$/.test(p)) r.fail(n, `invalid rule file path "${p}"`);
        return resolvePath(opts.baseDir, p);
      });
    },
    scrape_configs: (n) => (scrapeNodes = n),
    alerting: (n) => (alertingNode = n),
    remote_write: (n) => (remoteWrite = r.list(n, (c) => readRemoteWrite(c, r, opts.baseDir))),
    remote_read: (n) => (remoteRead = r.list(n, (c) => readRemoteRead(c, r, opts.baseDir))),
    storage: (n) => readStorage(n, r, storage),
    otlp: (n) => (otlp = readOTLPConfig(n, r)),
    tracing: (n) => readTracing(n, r),
  });
  // Scrape configs take their defaults from global, so they are read once global is known.
  const scrapeConfigs = scrapeNodes === undefined ? [] : r.list(scrapeNodes, (c) => readScrapeConfig(c, r, global, opts.baseDir));
  const jobs = new Set<string>();
  if (scrapeNodes !== undefined) {
    scrapeConfigs.forEach((sc) => {
      if (jobs.has(sc.jobName)) r.fail(scrapeNodes, `found multiple scrape configs with job name "${sc.jobName}"`);
      jobs.add(sc.jobName);
    });
  }
  const alerting = alertingNode === undefined ? { alertRelabelConfigs: [], alertmanagers: [] } : readAlerting(alertingNode, r, opts.baseDir);
  uniqueNames(r, remoteWrite, "remote write");
  uniqueNames(r, remoteRead, "remote read");
  r.finish();
  return {
    global,
    ruleFiles,
    scrapeConfigs,
    alerting,
    remoteWriteConfigs: remoteWrite,
    remoteReadConfigs: remoteRead,
    storage,
    otlp,
    source: { file: opts.file, text },
  };
}

function uniqueNames(r: YamlReader, list: readonly { name: string }[], what: string): void {
  const seen = new Set<string>();
  for (const c of list) {
    if (c.name === "") continue;
    if (seen.has(c.name)) r.fail(undefined, `found multiple ${what} configs with job name "${c.name}"`);
    seen.add(c.name);
  }
}

function readGlobal(node: Node, r: YamlReader, baseDir: string): GlobalConfig {
  let scrapeIntervalMs: number | undefined;
  let scrapeTimeoutMs: number | undefined;
  let evaluationIntervalMs = DEFAULT_GLOBAL.evaluationIntervalMs;
  let queryLogFile = "";
  const external: Label[] = [];
  r.object(node, "config.plain", {
    scrape_interval: (n) => (scrapeIntervalMs = r.duration(n)),
    scrape_timeout: (n) => (scrapeTimeoutMs = r.duration(n)),
    evaluation_interval: (n) => (evaluationIntervalMs = r.duration(n)),
    query_log_file: (n) => (queryLogFile = resolvePath(baseDir, r.string(n))),
    external_labels: (n) => {
      for (const [name, e] of r.stringMap(n)) {
        if (!LABEL_NAME.test(name)) r.fail(e.node, `"${name}" is not a valid label name`);
        if (e.value === "") r.fail(e.node, `empty label value for label name "${name}"`);
        external.push({ name, value: e.value });
      }
    },
  });
  const interval = scrapeIntervalMs === undefined || scrapeIntervalMs === 0 ? DEFAULT_GLOBAL.scrapeIntervalMs : scrapeIntervalMs;
  let timeout = scrapeTimeoutMs ?? 0;
  if (timeout > interval) r.fail(node, "global scrape timeout greater than scrape interval");
  if (timeout === 0) timeout = Math.min(DEFAULT_GLOBAL.scrapeTimeoutMs, interval);
  return {
    scrapeIntervalMs: interval,
    scrapeTimeoutMs: timeout,
    evaluationIntervalMs: evaluationIntervalMs === 0 ? DEFAULT_GLOBAL.evaluationIntervalMs : evaluationIntervalMs,
    externalLabels: labelsFromList(external),
    queryLogFile,
  };
}

function readScrapeConfig(node: Node, r: YamlReader, global: GlobalConfig, baseDir: string): ScrapeConfig {
  const client = new HTTPClientFields(baseDir);
  const sd = new ServiceDiscoveryFields(baseDir);
  let jobName = "";
  let honorLabels = false;
  let honorTimestamps = true;
  const params: Record<string, string[]> = {};
  let interval = 0;
  let timeout = 0;
  let metricsPath = "/metrics";
  let scheme = "http";
  let bodySizeLimitBytes = 0;
  const limits = { sample: 0, target: 0, label: 0, labelName: 0, labelValue: 0 };
  let relabel: RelabelRule[] = [];
  let metricRelabel: RelabelRule[] = [];
  r.object(node, "config.ScrapeConfig", {
    ...client.readers(),
    ...sd.readers(),
    job_name: (n) => (jobName = r.string(n)),
    honor_labels: (n) => (honorLabels = r.bool(n)),
    honor_timestamps: (n) => (honorTimestamps = r.bool(n)),
    params: (n) => {
      for (const [name, v] of r.entries(n, "url.Values")) params[name] = r.stringList(v);
    },
    scrape_interval: (n) => (interval = r.duration(n)),
    scrape_timeout: (n) => (timeout = r.duration(n)),
    metrics_path: (n) => (metricsPath = r.string(n)),
    scheme: (n) => (scheme = r.string(n)),
    body_size_limit: (n) => {
      try {
        bodySizeLimitBytes = parseByteSize(r.string(n));
      } catch (err) {
        if (err instanceof ByteSizeError) r.fail(n, err.message);
        throw err;
      }
    },
    sample_limit: (n) => (limits.sample = r.int(n)),
    target_limit: (n) => (limits.target = r.int(n)),
    label_limit: (n) => (limits.label = r.int(n)),
    label_name_length_limit: (n) => (limits.labelName = r.int(n)),
    label_value_length_limit: (n) => (limits.labelValue = r.int(n)),
    relabel_configs: (n) => (relabel = readRelabelConfigs(n, r)),
    metric_relabel_configs: (n) => (metricRelabel = readRelabelConfigs(n, r)),
  });
  if (jobName === "") r.fail(node, "job_name is empty");
  if (interval === 0) interval = global.scrapeIntervalMs;
  if (timeout === 0) timeout = global.scrapeTimeoutMs > interval ? interval : global.scrapeTimeoutMs;
  if (timeout > interval) r.fail(node, `scrape timeout greater than scrape interval for scrape config with job name "${jobName}"`);
  return {
    jobName,
    honorLabels,
    honorTimestamps,
    params,
    scrapeIntervalMs: interval,
    scrapeTimeoutMs: timeout,
    metricsPath,
    scheme,
    bodySizeLimitBytes,
    sampleLimit: limits.sample,
    targetLimit: limits.target,
    labelLimit: limits.label,
    labelNameLengthLimit: limits.labelName,
    labelValueLengthLimit: limits.labelValue,
    httpClientConfig: client.build(r),
    relabelConfigs: relabel,
    metricRelabelConfigs: metricRelabel,
    ...sd.build(),
  };
}

function readAlerting(node: Node, r: YamlReader, baseDir: string): AlertingConfig {
  let alertRelabelConfigs: RelabelRule[] = [];
  let alertmanagers: AlertmanagerConfig[] = [];
  r.object(node, "config.AlertingConfig", {
    alert_relabel_configs: (n) => (alertRelabelConfigs = readRelabelConfigs(n, r)),
    alertmanagers: (n) => (alertmanagers = r.list(n, (c) => readAlertmanager(c, r, baseDir))),
  });
  return { alertRelabelConfigs, alertmanagers };
}

function readAlertmanager(node: Node, r: YamlReader, baseDir: string): AlertmanagerConfig {
  const client = new HTTPClientFields(baseDir);
  const sd = new ServiceDiscoveryFields(baseDir);
  let timeoutMs = 10_000;
  let apiVersion = "v2";
  let pathPrefix = "/";
  let scheme = "http";
  let relabel: RelabelRule[] = [];
  r.object(node, "config.AlertmanagerConfig", {
    ...client.readers(),
    ...sd.readers(),
    timeout: (n) => (timeoutMs = r.duration(n)),
    api_version: (n) => (apiVersion = r.string(n)),
    path_prefix: (n) => (pathPrefix = r.string(n)),
    scheme: (n) => (scheme = r.string(n)),
    relabel_configs: (n) => (relabel = readRelabelConfigs(n, r)),
  });
  if (apiVersion !== "v1" && apiVersion !== "v2") r.fail(node, `expected Alertmanager api version to be one of [v1 v2] but got ${apiVersion}`);
  if (scheme !== "http" && scheme !== "https") r.fail(node, `invalid scheme "${scheme}" for alertmanager config`);
  return {
    timeoutMs,
    apiVersion,
    pathPrefix,
    scheme,
    httpClientConfig: client.build(r),
    relabelConfigs: relabel,
    ...sd.build(),
  };
}

// Headers that the remote clients set themselves and a config may not override.
const RESERVED_HEADERS = new Set(["authorization", "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate", "retry-after", "x-prometheus-remote-write-version", "x-prometheus-remote-read-version"]);

function readHeaders(n: Node, r: YamlReader, out: Record<string, string>): void {
  for (const [name, e] of r.stringMap(n)) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) r.fail(e.node, `${name} is a reserved header. It must not be changed`);
    out[name] = e.value;
  }
}

function readURL(n: Node, r: YamlReader): string {
  const url = r.string(n);
  try {
    new URL(url);
  } catch (cause) {
    r.fail(n, `parse "${url}": invalid URL`, cause);
  }
  return url;
}

function readRemoteWrite(node: Node, r: YamlReader, baseDir: string): RemoteWriteConfig {
  const client = new HTTPClientFields(baseDir);
  let url = "";
  let name = "";
  let remoteTimeoutMs = 30_000;
  const headers: Record<string, string> = {};
  let relabel: RelabelRule[] = [];
  let sendExemplars = false;
  let sendNativeHistograms = false;
  let protobufMessage: RemoteWriteConfig["protobufMessage"] = "prometheus.WriteRequest";
  const queue = { ...DEFAULT_QUEUE };
  const metadata = { ...DEFAULT_METADATA };
  r.object(node, "config.RemoteWriteConfig", {
    ...client.readers(),
    url: (n) => (url = readURL(n, r)),
    name: (n) => (name = r.string(n)),
    remote_timeout: (n) => (remoteTimeoutMs = r.duration(n)),
    headers: (n) => readHeaders(n, r, headers),
    write_relabel_configs: (n) => (relabel = readRelabelConfigs(n, r)),
    send_exemplars: (n) => (sendExemplars = r.bool(n)),
    send_native_histograms: (n) => (sendNativeHistograms = r.bool(n)),
    protobuf_message: (n) => {
      const m = r.string(n);
      if (m !== "prometheus.WriteRequest" && m !== "io.prometheus.write.v2.Request") {
        r.fail(n, `invalid protobuf_message value: unknown remote write protobuf message "${m}", supported: prometheus.WriteRequest, io.prometheus.write.v2.Request`);
      }
      protobufMessage = m;
    },
    queue_config: (n) =>
      r.object(n, "config.QueueConfig", {
        capacity: (v) => (queue.capacity = r.int(v)),
        max_shards: (v) => (queue.maxShards = r.int(v)),
        min_shards: (v) => (queue.minShards = r.int(v)),
        max_samples_per_send: (v) => (queue.maxSamplesPerSend = r.int(v)),
        batch_send_deadline: (v) => (queue.batchSendDeadlineMs = r.duration(v)),
        min_backoff: (v) => (queue.minBackoffMs = r.duration(v)),
        max_backoff: (v) => (queue.maxBackoffMs = r.duration(v)),
        retry_on_http_429: (v) => (queue.retryOnHttp429 = r.bool(v)),
      }),
    metadata_config: (n) =>
      r.object(n, "config.MetadataConfig", {
        send: (v) => (metadata.send = r.bool(v)),
        send_interval: (v) => (metadata.sendIntervalMs = r.duration(v)),
        max_samples_per_send: (v) => (metadata.maxSamplesPerSend = r.int(v)),
      }),
    sigv4: (n) => void r.entries(n, "sigv4.SigV4Config"),
    azuread: (n) => void r.entries(n, "azuread.AzureADConfig"),
  });
  if (url === "") r.fail(node, "url for remote_write is empty");
  return {
    url, name, remoteTimeoutMs, headers, writeRelabelConfigs: relabel, sendExemplars, sendNativeHistograms, protobufMessage,
    queueConfig: queue, metadataConfig: metadata, httpClientConfig: client.build(r),
  };
}

function readRemoteRead(node: Node, r: YamlReader, baseDir: string): RemoteReadConfig {
  const client = new HTTPClientFields(baseDir);
  let url = "";
  let name = "";
  let remoteTimeoutMs = 60_000;
  const headers: Record<string, string> = {};
  let readRecent = false;
  const requiredMatchers: Record<string, string> = {};
  let filterExternalLabels = true;
  r.object(node, "config.RemoteReadConfig", {
    ...client.readers(),
    url: (n) => (url = readURL(n, r)),
    name: (n) => (name = r.string(n)),
    remote_timeout: (n) => (remoteTimeoutMs = r.duration(n)),
    headers: (n) => readHeaders(n, r, headers),
    read_recent: (n) => (readRecent = r.bool(n)),
    required_matchers: (n) => {
      for (const [k, e] of r.stringMap(n)) requiredMatchers[k] = e.value;
    },
    filter_external_labels: (n) => (filterExternalLabels = r.bool(n)),
  });
  if (url === "") r.fail(node, "url for remote_read is empty");
  return { url, name, remoteTimeoutMs, headers, readRecent, requiredMatchers, filterExternalLabels, httpClientConfig: client.build(r) };
}

function readStorage(node: Node, r: YamlReader, out: { tsdb: { outOfOrderTimeWindowMs: number }; exemplars: { maxExemplars: number } }): StorageConfig {
  r.object(node, "config.StorageConfig", {
    tsdb: (n) =>
      r.object(n, "config.TSDBConfig", {
        out_of_order_time_window: (v) => (out.tsdb.outOfOrderTimeWindowMs = r.duration(v)),
      }),
    exemplars: (n) =>
      r.object(n, "config.ExemplarsConfig", {
        max_exemplars: (v) => (out.exemplars.maxExemplars = r.int(v)),
      }),
  });
  return out;
}

/** Tracing is accepted and validated for compatibility; promwasm exports no traces. */
function readTracing(node: Node, r: YamlReader): void {
  let clientType = "grpc";
  r.object(node, "config.TracingConfig", {
    client_type: (n) => {
      clientType = r.string(n);
      if (clientType !== "grpc" && clientType !== "http") r.fail(n, `expected tracing client type to be to be one of [grpc http], but got ${clientType}`);
    },
    endpoint: (n) => void r.string(n),
    sampling_fraction: (n) => void r.float(n),
    insecure: (n) => void r.bool(n),
    tls_config: (n) => void r.entries(n, "config.TLSConfig"),
    headers: (n) => void r.stringMap(n),
    compression: (n) => void r.string(n),
    timeout: (n) => void r.duration(n),
  });
}
