// Metric metadata around remote write 2.0, which carries type, help and unit with each
// series. ReceivedMetadata keeps what a receiver was sent, per job, instance and metric
// family, for /api/v1/metadata and /api/v1/targets/metadata; SeriesMetadataIndex finds, for
// a sender, the scraped metadata of a series by its job, instance and metric family.
import { getLabel, type Labels } from "../model/labels.js";
import { METRIC_TYPES, type MetricTypeName, type SeriesMetadata } from "./codec-v2.js";

/** One metric family's metadata for one target, as the web API lists it. */
export interface MetadataEntry {
  readonly target: Readonly<Record<string, string>>;
  readonly metric: string;
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

const SUFFIXES = ["_bucket", "_count", "_sum", "_total", "_created", "_info", "_gcount", "_gsum"];

/** The metric family a series belongs to: its name, less a histogram/summary/counter suffix when asked. */
function familyName(name: string, type: string): string {
  if (type === "histogram" || type === "gaugehistogram" || type === "summary") {
    for (const s of ["_bucket", "_count", "_sum", "_gcount", "_gsum"]) if (name.endsWith(s)) return name.slice(0, -s.length);
  }
  return name;
}

const key = (job: string, instance: string, metric: string): string => `${job}\xff${instance}\xff${metric}`;

export class ReceivedMetadata {
  private readonly entries = new Map<string, MetadataEntry>();
  private readonly maxEntries: number;

  /** Beyond maxEntries the oldest entry is forgotten, so a flood of names cannot grow memory without bound. */
  constructor(maxEntries = 50_000) {
    this.maxEntries = maxEntries;
  }

  record(labels: Labels, md: SeriesMetadata): void {
    const name = getLabel(labels, "__name__");
    if (name === "") return;
    const job = getLabel(labels, "job");
    const instance = getLabel(labels, "instance");
    const metric = familyName(name, md.type);
    const k = key(job, instance, metric);
    const old = this.entries.get(k);
    if (old && old.type === md.type && old.help === md.help && old.unit === md.unit) return;
    this.entries.delete(k);
    const target: Record<string, string> = {};
    if (job !== "") target.job = job;
    if (instance !== "") target.instance = instance;
    this.entries.set(k, { target, metric, type: md.type, help: md.help, unit: md.unit });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  list(): MetadataEntry[] {
    return [...this.entries.values()];
  }
}

export class SeriesMetadataIndex {
  private readonly source: () => readonly MetadataEntry[];
  private readonly refreshMs: number;
  private index = new Map<string, SeriesMetadata>();
  private builtAtMs = -Infinity;

  /** source is read again at most every refreshMs, when a lookup comes. */
  constructor(source: () => readonly MetadataEntry[], refreshMs = 10_000) {
    this.source = source;
    this.refreshMs = refreshMs;
  }

  lookup(labels: Labels): SeriesMetadata | undefined {
    const now = Date.now();
    if (now - this.builtAtMs >= this.refreshMs) this.rebuild(now);
    const name = getLabel(labels, "__name__");
    const prefix = key(getLabel(labels, "job"), getLabel(labels, "instance"), "");
    const exact = this.index.get(prefix + name);
    if (exact) return exact;
    for (const s of SUFFIXES) if (name.endsWith(s)) return this.index.get(prefix + name.slice(0, -s.length));
    return undefined;
  }

  private rebuild(now: number): void {
    const next = new Map<string, SeriesMetadata>();
    for (const e of this.source()) {
      const type: MetricTypeName = (METRIC_TYPES as readonly string[]).includes(e.type) ? (e.type as MetricTypeName) : "unknown";
      next.set(key(e.target.job ?? "", e.target.instance ?? "", e.metric), { type, help: e.help, unit: e.unit });
    }
    this.index = next;
    this.builtAtMs = now;
  }
}
