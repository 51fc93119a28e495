// What the web layer needs from the rest of the server. src/cmd/ adapts the real parts
// (engine, scrape manager, TSDB, rule manager) to these; tests supply small fakes.
import type { Config } from "../config/types.js";
import type { Matcher } from "../model/matcher.js";
import type { Expr } from "../promql/parser/ast.js";
import type { QueryResult } from "../promql/value.js";
import type { Queryable } from "../storage/interface.js";

export interface QueryOptions {
  readonly signal?: AbortSignal;
  /** The API's timeout parameter; the engine enforces it, capped by its own limit. */
  readonly timeoutMs?: number;
}

/** The PromQL engine's query entry points (src/promql/engine.ts). */
export interface QueryEngine {
  instantQuery(q: Queryable, query: string, timeMs: number, opts: QueryOptions): Promise<QueryResult>;
  rangeQuery(q: Queryable, query: string, startMs: number, endMs: number, stepMs: number, opts: QueryOptions): Promise<QueryResult>;
}

/** Parser helpers (src/promql/parser): parse for /parse_query, format for /format_query, selectors for match[]. */
export interface PromQLParser {
  parseExpr(query: string): Expr;
  formatExpr(expr: Expr): string;
  parseMetricSelector(s: string): Matcher[];
}

export type TargetHealth = "up" | "down" | "unknown";

/** A scraped target in the API's shape, except lastScrape which is ms (0 before the first scrape). */
export interface ActiveTarget {
  readonly discoveredLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly globalUrl: string;
  readonly lastError: string;
  readonly lastScrape: number;
  /** seconds */
  readonly lastScrapeDuration: number;
  readonly health: TargetHealth;
  /** Prometheus durations, e.g. "15s" */
  readonly scrapeInterval: string;
  readonly scrapeTimeout: string;
}

export interface DroppedTarget {
  readonly discoveredLabels: Readonly<Record<string, string>>;
}

/** What one target reported about one metric family. */
export interface TargetMetadata {
  readonly target: Readonly<Record<string, string>>;
  readonly metric: string;
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

/** Scrape state for /targets, /targets/metadata and /metadata (the scrape manager fits it as is). */
export interface TargetSource {
  targets(): readonly ActiveTarget[];
  droppedTargets(): readonly DroppedTarget[];
  metadata(): readonly TargetMetadata[];
}

/** The part of a rule group's JSON the API filters on; the rest passes through as it is. */
export interface RuleGroupView {
  readonly rules: readonly { readonly type: "alerting" | "recording" }[];
}

/** Rule groups and alerts already in Prometheus' JSON shape (the rules subsystem owns it). */
export interface RuleSource {
  ruleGroups(): readonly RuleGroupView[];
  alerts(): readonly unknown[];
}

export interface AlertmanagerSource {
  active(): readonly string[];
  dropped(): readonly string[];
}

export interface NameValue {
  readonly name: string;
  readonly value: number;
}

/** /api/v1/status/tsdb's data, computed by the TSDB from its head. */
export interface TSDBStatus {
  readonly headStats: {
    readonly numSeries: number;
    readonly numLabelPairs: number;
    readonly chunkCount: number;
    readonly minTime: number;
    readonly maxTime: number;
  };
  readonly seriesCountByMetricName: readonly NameValue[];
  readonly labelValueCountByLabelName: readonly NameValue[];
  readonly memoryInBytesByLabelName: readonly NameValue[];
  readonly seriesCountByLabelValuePair: readonly NameValue[];
}

export interface WalReplayStatus {
  readonly min: number;
  readonly max: number;
  readonly current: number;
}

/** TSDB operations behind /status/tsdb, /status/walreplay and the admin API. */
export interface TSDBAdmin {
  stats(limit: number): TSDBStatus;
  walReplayStatus(): WalReplayStatus;
  deleteSeries(matchers: readonly Matcher[], mint: number, maxt: number): Promise<void>;
  cleanTombstones(): Promise<void>;
  /** Writes a snapshot under dir; resolves with nothing once it is complete. */
  snapshot(dir: string, withHead: boolean): Promise<void>;
  /** The data directory, under which snapshots/ lives. */
  readonly dir: string;
}

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly branch: string;
  readonly buildUser: string;
  readonly buildDate: string;
  readonly goVersion: string;
}

/** Lifecycle state the server shares with the API. */
export interface ServerState {
  config(): Config;
  flags(): Readonly<Record<string, string>>;
  ready(): boolean;
  readonly startTimeMs: number;
  lastReload(): { readonly success: boolean; readonly timeMs: number };
  readonly storageRetention: string;
  reload(): Promise<void>;
  quit(): void;
}

/** Accepts one remote write request (snappy-compressed protobuf); never throws. */
export type RemoteWriteReceiver = (
  body: Uint8Array,
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
) => Promise<{ readonly status: number; readonly message: string; readonly headers?: Readonly<Record<string, string>> }>;

/** One executed query, for --query_log_file (Prometheus' query log lines). */
export interface QueryLogEntry {
  readonly query: string;
  readonly startMs: number;
  readonly endMs: number;
  /** 0 for instant queries */
  readonly stepMs: number;
  readonly stats: QueryResult["stats"];
  readonly clientIP: string;
  readonly method: string;
  readonly path: string;
}

/** Answers one remote read request (snappy-compressed protobuf); never throws. */
/** POST /api/v1/otlp/v1/metrics: the handler answers with its own status, headers and body. */
export type OtlpReceiver = (
  body: Uint8Array,
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
) => Promise<{ readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Uint8Array }>;

export type RemoteReadHandler = (
  body: Uint8Array,
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
) => Promise<{ readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Uint8Array }>;
