// Typed server settings from parsed flags: durations, sizes, prefix and retention resolved.
import { hostname } from "node:os";
import { parseByteSize } from "../config/bytes.js";
import type { LogFormat, LogLevel } from "../log/logger.js";
import { formatDuration, parseDuration } from "../model/duration.js";
import { Matcher } from "../model/matcher.js";
import { V1_MESSAGE, V2_MESSAGE, type ProtobufMessage } from "../remote/codec-v2.js";
import { FlagError, type ParsedFlags } from "./flags.js";

export interface ServerSettings {
  readonly configFile: string;
  /** True when --config.file was given: a missing file is then an error, not a reason to use the built-in config. */
  readonly configFileExplicit: boolean;
  /** --config.auto-reload: reload when the config or rule files change, checked every autoReloadIntervalMs. */
  readonly autoReload: boolean;
  readonly autoReloadIntervalMs: number;
  readonly listenAddress: string;
  readonly webConfigFile: string;
  readonly externalUrl: URL;
  /** "" for the root, else "/prefix" without a trailing slash. */
  readonly routePrefix: string;
  readonly enableLifecycle: boolean;
  readonly enableAdminApi: boolean;
  readonly enableRemoteWriteReceiver: boolean;
  readonly enableOtlpReceiver: boolean;
  /** --web.remote-write-receiver.accepted-protobuf-messages. */
  readonly remoteWriteAcceptedMessages: readonly ProtobufMessage[];
  readonly corsOrigin: string;
  readonly maxConnections: number;
  readonly readTimeoutMs: number;
  readonly tsdbPath: string;
  readonly retentionTimeMs: number;
  readonly retentionSizeBytes: number;
  readonly minBlockDurationMs: number;
  readonly maxBlockDurationMs: number | undefined;
  readonly walCompression: boolean;
  readonly lookbackDeltaMs: number;
  readonly queryTimeoutMs: number;
  readonly queryMaxConcurrency: number;
  readonly queryMaxSamples: number;
  readonly remoteFlushDeadlineMs: number;
  readonly remoteReadSampleLimit: number;
  readonly remoteReadConcurrentLimit: number;
  readonly remoteReadMaxBytesInFrame: number;
  readonly ruleResendDelayMs: number;
  readonly ruleOutageToleranceMs: number;
  readonly ruleForGracePeriodMs: number;
  readonly notificationQueueCapacity: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** Text for /status/runtimeinfo, e.g. "15d" or "15d or 512MiB". */
  readonly storageRetention: string;
}

const DEFAULT_RETENTION_MS = 15 * 24 * 3600_000;

export function settingsFromFlags(f: ParsedFlags): ServerSettings {
  const v = f.values;
  const duration = (name: string): number | undefined => {
    // "0s" is how Prometheus shows "not set" for these.
    if (v[name] === "" || v[name] === "0s") return undefined;
    try {
      return parseDuration(v[name]);
    } catch (cause) {
      throw new FlagError(`invalid value "${v[name]}" for flag --${name}: ${(cause as Error).message}`, { cause });
    }
  };
  const int = (name: string): number => {
    const n = Number(v[name]);
    if (!Number.isSafeInteger(n)) throw new FlagError(`invalid value "${v[name]}" for flag --${name}: not an integer`);
    return n;
  };
  let retentionSizeBytes: number;
  try {
    retentionSizeBytes = parseByteSize(v["storage.tsdb.retention.size"]);
  } catch (cause) {
    throw new FlagError(`invalid value "${v["storage.tsdb.retention.size"]}" for flag --storage.tsdb.retention.size`, { cause });
  }
  // The deprecated --storage.tsdb.retention still counts when the new flag is not given.
  let retentionTimeMs = duration("storage.tsdb.retention.time") ?? duration("storage.tsdb.retention") ?? 0;
  if (retentionTimeMs === 0 && retentionSizeBytes === 0) retentionTimeMs = DEFAULT_RETENTION_MS;
  const level = v["log.level"];
  if (!["debug", "info", "warn", "error"].includes(level)) throw new FlagError(`unrecognized log level ${level}`);
  const format = v["log.format"];
  if (format !== "logfmt" && format !== "json") throw new FlagError(`unrecognized log format ${format}`);
  try {
    new Matcher("=~", "origin", v["web.cors.origin"]);
  } catch (cause) {
    throw new FlagError(`invalid value "${v["web.cors.origin"]}" for flag --web.cors.origin`, { cause });
  }
  const listen = v["web.listen-address"];
  const externalUrl = computeExternalUrl(v["web.external-url"], listen);
  const prefixFlag = v["web.route-prefix"] === "" ? externalUrl.pathname : v["web.route-prefix"];
  const routePrefix = ("/" + prefixFlag.replace(/^\/+/, "")).replace(/\/+$/, "");
  const retentionParts = [retentionTimeMs > 0 ? formatDuration(retentionTimeMs) : "", retentionSizeBytes > 0 ? `${retentionSizeBytes}B` : ""].filter(Boolean);
  return {
    configFile: v["config.file"],
    autoReload: v["config.auto-reload"] === "true",
    // Prometheus raises anything shorter to 1s.
    autoReloadIntervalMs: Math.max(1000, duration("config.auto-reload-interval") ?? 30_000),
    configFileExplicit: f.explicit.has("config.file"),
    listenAddress: listen,
    webConfigFile: v["web.config.file"],
    externalUrl,
    routePrefix,
    enableLifecycle: v["web.enable-lifecycle"] === "true",
    enableAdminApi: v["web.enable-admin-api"] === "true",
    enableRemoteWriteReceiver: v["web.enable-remote-write-receiver"] === "true",
    enableOtlpReceiver: v["web.enable-otlp-receiver"] === "true",
    remoteWriteAcceptedMessages: acceptedMessages(v["web.remote-write-receiver.accepted-protobuf-messages"]),
    corsOrigin: v["web.cors.origin"],
    maxConnections: int("web.max-connections"),
    readTimeoutMs: duration("web.read-timeout") ?? 300_000,
    tsdbPath: v["storage.tsdb.path"],
    retentionTimeMs,
    retentionSizeBytes,
    minBlockDurationMs: duration("storage.tsdb.min-block-duration") ?? 2 * 3600_000,
    maxBlockDurationMs: duration("storage.tsdb.max-block-duration"),
    walCompression: v["storage.tsdb.wal-compression"] === "true",
    lookbackDeltaMs: duration("query.lookback-delta") ?? 300_000,
    queryTimeoutMs: duration("query.timeout") ?? 120_000,
    queryMaxConcurrency: int("query.max-concurrency"),
    queryMaxSamples: int("query.max-samples"),
    remoteFlushDeadlineMs: duration("storage.remote.flush-deadline") ?? 60_000,
    remoteReadSampleLimit: int("storage.remote.read-sample-limit"),
    remoteReadConcurrentLimit: int("storage.remote.read-concurrent-limit"),
    remoteReadMaxBytesInFrame: int("storage.remote.read-max-bytes-in-frame"),
    ruleResendDelayMs: duration("rules.alert.resend-delay") ?? 60_000,
    ruleOutageToleranceMs: duration("rules.alert.for-outage-tolerance") ?? 3_600_000,
    ruleForGracePeriodMs: duration("rules.alert.for-grace-period") ?? 600_000,
    notificationQueueCapacity: int("alertmanager.notification-queue-capacity"),
    logLevel: level as LogLevel,
    logFormat: format,
    storageRetention: retentionParts.join(" or "),
  };
}

function acceptedMessages(flag: string): ProtobufMessage[] {
  const out: ProtobufMessage[] = [];
  for (const m of flag.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    if (m !== V1_MESSAGE && m !== V2_MESSAGE) {
      throw new FlagError(`invalid value "${m}" for flag --web.remote-write-receiver.accepted-protobuf-messages: supported values are ${V1_MESSAGE}, ${V2_MESSAGE}`);
    }
    if (!out.includes(m)) out.push(m);
  }
  if (out.length === 0) throw new FlagError("--web.remote-write-receiver.accepted-protobuf-messages names no message");
  return out;
}

/** Prometheus' default external URL is http://<hostname>:<port>/. */
function computeExternalUrl(flag: string, listen: string): URL {
  if (flag !== "") {
    try {
      return new URL(flag);
    } catch (cause) {
      throw new FlagError(`parse external URL "${flag}"`, { cause });
    }
  }
  const port = listen.slice(listen.lastIndexOf(":") + 1);
  return new URL(`http://${hostname()}:${port}/`);
}
