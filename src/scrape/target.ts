// A scrape target: labels computed from a discovered group the way Prometheus'
// populateLabels does, its URL, and the health the scrape loop reports.
import { hostname } from "node:os";
import { labelsFromRecord, labelsHash, labelsToRecord, type Label, type Labels } from "../model/labels.js";
import { formatDuration, parseDuration } from "../model/duration.js";
import { relabel } from "../relabel/relabel.js";
import type { TargetGroup } from "../discovery/interface.js";
import { TargetLabelsError } from "./errors.js";
import { DEFAULT_METRICS_PATH, DEFAULT_SCHEME, type ScrapeJobOptions } from "./options.js";

export type TargetHealth = "up" | "down" | "unknown";

export interface TargetInfo {
  readonly discoveredLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly globalUrl: string;
  readonly lastError: string;
  /** ms since the epoch; 0 before the first scrape. */
  readonly lastScrape: number;
  readonly lastScrapeDuration: number;
  readonly health: TargetHealth;
  readonly scrapeInterval: string;
  readonly scrapeTimeout: string;
}

export interface DroppedTargetInfo {
  readonly discoveredLabels: Record<string, string>;
}

export class Target {
  /** All labels after relabeling, including __address__, __scheme__ etc. */
  readonly allLabels: Labels;
  /** The labels without the "__" ones: what every scraped series gets. */
  readonly labels: Labels;
  readonly discoveredLabels: Labels;
  readonly url: URL;
  /** The URL as Prometheus shows it: the address exactly as labelled, default port included. */
  readonly scrapeUrl: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly hash: number;
  health: TargetHealth = "unknown";
  lastError = "";
  lastScrape = 0;
  lastScrapeDurationMs = 0;

  constructor(opts: { allLabels: Labels; discoveredLabels: Labels; params: Readonly<Record<string, readonly string[]>> }) {
    this.allLabels = opts.allLabels;
    this.discoveredLabels = opts.discoveredLabels;
    this.labels = opts.allLabels.filter((l) => !l.name.startsWith("__"));
    const get = (n: string) => opts.allLabels.find((l) => l.name === n)?.value ?? "";
    const query = encodeQuery(targetParams(opts.params, opts.allLabels));
    this.scrapeUrl = `${get("__scheme__")}://${get("__address__")}${get("__metrics_path__")}${query ? "?" + query : ""}`;
    this.url = new URL(this.scrapeUrl);
    this.intervalMs = parseDuration(get("__scrape_interval__"));
    this.timeoutMs = parseDuration(get("__scrape_timeout__"));
    this.hash = labelsHash(this.allLabels);
  }

  info(pool: string): TargetInfo {
    return {
      discoveredLabels: labelsToRecord(this.discoveredLabels),
      labels: labelsToRecord(this.labels),
      scrapePool: pool,
      scrapeUrl: this.scrapeUrl,
      globalUrl: globalUrl(this.scrapeUrl, this.url),
      lastError: this.lastError,
      lastScrape: this.lastScrape,
      lastScrapeDuration: this.lastScrapeDurationMs / 1000,
      health: this.health,
      scrapeInterval: formatDuration(this.intervalMs),
      scrapeTimeout: formatDuration(this.timeoutMs),
    };
  }

  /** Where in each interval this target is scraped: spread by hash like Prometheus' offset(). */
  offsetMs(nowMs: number, jitterSeed: number): number {
    const interval = this.intervalMs;
    const base = interval - (nowMs % interval);
    const offset = ((this.hash ^ jitterSeed) >>> 0) % interval;
    const next = base + offset;
    return next > interval ? next - interval : next;
  }
}

/**
 * The job's params with each __param_<name> label in place of that param's first value (the
 * others stay, as Prometheus keeps `collect[]: [cpu, meminfo]` whole).
 */
function targetParams(jobParams: Readonly<Record<string, readonly string[]>>, labels: Labels): Map<string, string[]> {
  const params = new Map<string, string[]>(Object.entries(jobParams).map(([k, vs]) => [k, [...vs]]));
  for (const l of labels) {
    if (!l.name.startsWith("__param_")) continue;
    const vs = params.get(l.name.slice(8));
    if (vs && vs.length > 0) vs[0] = l.value;
    else params.set(l.name.slice(8), [l.value]);
  }
  return params;
}

/** Go's url.Values.Encode: keys sorted, each part escaped as url.QueryEscape does. */
function encodeQuery(params: Map<string, string[]>): string {
  const keys = [...params.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.flatMap((k) => params.get(k)!.map((v) => `${queryEscape(k)}=${queryEscape(v)}`)).join("&");
}

function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "[::]"]);

function globalUrl(scrapeUrl: string, u: URL): string {
  if (!LOOPBACK_HOSTS.has(u.hostname)) return scrapeUrl;
  return scrapeUrl.replace(`//${u.hostname}`, `//${hostname()}`);
}

const ADDRESS_BAD = /[/]|^$/;

export type PopulateResult = { target: Target } | { dropped: Labels } | { error: Error; discovered: Labels };

/** Builds a target from one discovered target record and its group (populateLabels in Prometheus). */
export function populateTarget(job: ScrapeJobOptions, group: TargetGroup, targetLabels: Readonly<Record<string, string>>): PopulateResult {
  const base: Record<string, string> = { ...group.labels, ...targetLabels };
  const defaults: Record<string, string> = {
    job: job.jobName,
    __scrape_interval__: formatDuration(job.scrapeIntervalMs),
    __scrape_timeout__: formatDuration(job.scrapeTimeoutMs),
    __metrics_path__: job.metricsPath ?? DEFAULT_METRICS_PATH,
    __scheme__: job.scheme ?? DEFAULT_SCHEME,
  };
  for (const [k, v] of Object.entries(defaults)) if (!base[k]) base[k] = v;
  for (const [k, vs] of Object.entries(job.params ?? {})) {
    if (!base[`__param_${k}`] && vs.length > 0) base[`__param_${k}`] = vs[0]!;
  }
  const discovered = labelsFromRecord(base);
  const relabeled = relabel(discovered, job.relabelConfigs ?? []);
  if (relabeled === undefined) return { dropped: discovered };
  const rec = labelsToRecord(relabeled);
  const fail = (msg: string) => ({ error: new TargetLabelsError(msg), discovered });
  let addr = rec.__address__ ?? "";
  if (addr === "") return fail("no address");
  if (ADDRESS_BAD.test(addr)) return fail(`${JSON.stringify(addr)} is not a valid hostname`);
  if (!hasPort(addr)) {
    const scheme = rec.__scheme__ ?? "";
    if (scheme === "http" || scheme === "") addr += ":80";
    else if (scheme === "https") addr += ":443";
    else return fail(`invalid scheme: ${JSON.stringify(scheme)}`);
    rec.__address__ = addr;
  }
  let interval: number;
  let timeout: number;
  try {
    interval = parseDuration(rec.__scrape_interval__ ?? "");
    timeout = parseDuration(rec.__scrape_timeout__ ?? "");
  } catch (cause) {
    return { error: new TargetLabelsError("error parsing scrape interval or timeout label", { cause }), discovered };
  }
  if (interval === 0) return fail("scrape interval cannot be 0");
  if (timeout === 0) return fail("scrape timeout cannot be 0");
  if (timeout > interval) return fail(`scrape timeout cannot be greater than scrape interval (${rec.__scrape_timeout__} > ${rec.__scrape_interval__})`);
  for (const k of Object.keys(rec)) if (k.startsWith("__meta_")) delete rec[k];
  if (!rec.instance) rec.instance = addr;
  const all: Label[] = [...labelsFromRecord(rec)];
  try {
    return { target: new Target({ allLabels: all, discoveredLabels: discovered, params: job.params ?? {} }) };
  } catch (cause) {
    return { error: new TargetLabelsError(`invalid target URL for ${addr}`, { cause }), discovered };
  }
}

function hasPort(addr: string): boolean {
  if (addr.startsWith("[")) return /\]:\d+$/.test(addr);
  const parts = addr.split(":");
  return parts.length === 2 && /^\d+$/.test(parts[1]!);
}
