// OTLP metrics -> Prometheus series, appended as Prometheus 3's OTLP receiver stores them:
// gauges and sums as one series per point (monotonic sums named *_total), explicit-bucket
// histograms as classic _bucket{le}/_sum/_count, summaries as {quantile}/_sum/_count;
// job and instance from service.namespace/service.name and service.instance.id; other
// resource attributes on target_info (repeated every half lookback delta over the request's
// time span) unless promoted onto every series; scope metadata as otel_scope_* when asked.
// What cannot be stored is counted as rejected with a reason, for a partial-success answer:
// exponential histograms (they need native histograms), delta or unspecified temporality
// (unless delta ingestion is switched on), names that normalize to nothing.
import type { OTLPConfig } from "../config/otlp.js";
import { formatFloatF } from "../model/go-format.js";
import { labelsKey, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import type { Appender } from "../storage/interface.js";
import { FLAG_NO_RECORDED_VALUE, TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA, type Attributes, type HistogramPoint, type MetricsRequest, type NumberPoint, type OtlpMetric, type ResourceMetrics, type ScopeMetrics, type SummaryPoint } from "./model.js";
import { labelName, metricName, NameError, type NameKind, type NamingOptions } from "./names.js";

export interface TranslateOptions {
  readonly config: OTLPConfig;
  /** --query.lookback-delta: target_info is written every half of it so queries always find one. */
  readonly lookbackDeltaMs: number;
  /** --enable-feature=otlp-native-delta-ingestion: delta sums and histograms are stored as sent. */
  readonly allowDelta: boolean;
}

export interface TranslateResult {
  readonly samples: number;
  /** Data points not stored (the partial-success rejected_data_points). */
  readonly rejectedPoints: number;
  /** One line per distinct reason, in the order met. */
  readonly errors: readonly string[];
}

const SERVICE_NAME = "service.name";
const SERVICE_NAMESPACE = "service.namespace";
const SERVICE_INSTANCE_ID = "service.instance.id";
const IDENTIFYING: ReadonlySet<string> = new Set([SERVICE_NAME, SERVICE_NAMESPACE, SERVICE_INSTANCE_ID]);
/** Data point attributes never taken as labels: the name comes from the metric. */
const RESERVED: ReadonlySet<string> = new Set([METRIC_NAME]);

/** Appends every storable point of req to app; throws only what the appender throws. */
export function appendOtlpMetrics(req: MetricsRequest, app: Appender, opts: TranslateOptions): TranslateResult {
  const t = new Translation(app, opts);
  for (const rm of req.resources) t.resource(rm);
  return { samples: t.samples, rejectedPoints: t.rejected, errors: [...t.errors] };
}

interface ResourceContext {
  readonly job: string;
  readonly instance: string;
  /** Promoted resource attributes as [label name, value], applied where a point has no such label. */
  readonly promoted: readonly (readonly [string, string])[];
}

class Translation {
  samples = 0;
  rejected = 0;
  readonly errors = new Set<string>();
  private readonly app: Appender;
  private readonly opts: TranslateOptions;
  private readonly naming: NamingOptions;
  private readonly labelNames = new Map<string, string>();
  private readonly targetInfoSeen = new Set<string>();
  private res: ResourceContext = { job: "", instance: "", promoted: [] };
  /** Scope labels applied over each point's, or [] when scope metadata is not promoted. */
  private scopeLabels: readonly (readonly [string, string])[] = [];
  private earliestMs = Infinity;
  private latestMs = -Infinity;

  constructor(app: Appender, opts: TranslateOptions) {
    this.app = app;
    this.opts = opts;
    const c = opts.config;
    this.naming = { strategy: c.translationStrategy, underscoreSanitization: c.labelNameUnderscoreSanitization, preserveMultipleUnderscores: c.labelNamePreserveMultipleUnderscores };
  }

  resource(rm: ResourceMetrics): void {
    const attrs = rm.attributes;
    const get = (k: string): string | undefined => attrs.find((a) => a.key === k)?.value;
    const name = get(SERVICE_NAME);
    const ns = get(SERVICE_NAMESPACE);
    let promoted: [string, string][] = [];
    try {
      promoted = this.promoted(attrs);
    } catch (err) {
      if (!(err instanceof NameError)) throw err;
      this.rejectResource(rm, err.message);
      return;
    }
    this.res = { job: name === undefined ? "" : ns === undefined ? name : `${ns}/${name}`, instance: get(SERVICE_INSTANCE_ID) ?? "", promoted };
    this.earliestMs = Infinity;
    this.latestMs = -Infinity;
    for (const sm of rm.scopes) {
      try {
        this.scopeLabels = this.scope(sm);
      } catch (err) {
        if (!(err instanceof NameError)) throw err;
        this.rejectScope(sm, err.message);
        continue;
      }
      for (const m of sm.metrics) this.metric(m);
    }
    if (this.earliestMs <= this.latestMs) this.targetInfo(attrs);
  }

  private promoted(attrs: Attributes): [string, string][] {
    const c = this.opts.config;
    const out: [string, string][] = [];
    for (const a of attrs) {
      const wanted = c.promoteAllResourceAttributes ? !c.ignoreResourceAttributes.includes(a.key) : c.promoteResourceAttributes.includes(a.key);
      if (wanted) out.push([this.label(a.key), a.value]);
    }
    return out;
  }

  private scope(sm: ScopeMetrics): [string, string][] {
    if (!this.opts.config.promoteScopeMetadata || sm.name === "") return [];
    const out: [string, string][] = sm.attributes.map((a) => [this.label("otel_scope_" + a.key), a.value]);
    out.push(["otel_scope_name", sm.name], ["otel_scope_version", sm.version], ["otel_scope_schema_url", sm.schemaUrl]);
    return out;
  }

  private label(key: string): string {
    let n = this.labelNames.get(key);
    if (n === undefined) {
      n = labelName(key, this.naming);
      this.labelNames.set(key, n);
    }
    return n;
  }

  private reject(points: number, why: string): void {
    this.rejected += points;
    this.errors.add(why);
  }

  private rejectResource(rm: ResourceMetrics, why: string): void {
    for (const sm of rm.scopes) this.rejectScope(sm, why);
  }

  private rejectScope(sm: ScopeMetrics, why: string): void {
    let n = 0;
    for (const m of sm.metrics) n += pointCount(m);
    this.reject(n, why);
  }

  private metric(m: OtlpMetric): void {
    if (m.kind === "empty") {
      this.errors.add(`metric ${JSON.stringify(m.name)} has no data of a supported type (gauge, sum, histogram, exponential histogram, summary)`);
      return;
    }
    if (m.kind === "exponential_histogram") {
      this.reject(m.pointTimesMs.length, `exponential histogram ${JSON.stringify(m.name)} dropped: it would be a native histogram, which promwasm does not support yet (use explicit bucket boundaries instead)`);
      return;
    }
    if ((m.kind === "sum" || m.kind === "histogram") && m.temporality !== TEMPORALITY_CUMULATIVE && !(m.temporality === TEMPORALITY_DELTA && this.opts.allowDelta)) {
      const why = m.temporality === TEMPORALITY_DELTA
        ? "delta temporality is not supported: export cumulative temporality, or start promwasm with --enable-feature=otlp-native-delta-ingestion to store deltas as sent"
        : `aggregation temporality ${m.temporality} is not cumulative`;
      this.reject(m.points.length, `invalid temporality and type combination for metric ${JSON.stringify(m.name)}: ${why}`);
      return;
    }
    if (m.points.length === 0) return;
    let name: string;
    try {
      name = metricName(m.name, m.unit, nameKind(m), this.naming);
    } catch (err) {
      if (!(err instanceof NameError)) throw err;
      this.reject(m.points.length, err.message);
      return;
    }
    switch (m.kind) {
      case "gauge":
      case "sum":
        for (const p of m.points) this.point(p, (base) => this.numberPoint(name, base, p));
        return;
      case "histogram":
        for (const p of m.points) this.point(p, (base) => this.histogramPoint(name, base, p));
        return;
      case "summary":
        for (const p of m.points) this.point(p, (base) => this.summaryPoint(name, base, p));
        return;
    }
  }

  /** Builds a point's labels (rejecting it when a name cannot be normalized) and writes its series. */
  private point(p: NumberPoint | HistogramPoint | SummaryPoint, write: (base: Label[]) => void): void {
    let base: Label[];
    try {
      base = this.pointLabels(p.attributes);
    } catch (err) {
      if (!(err instanceof NameError)) throw err;
      this.reject(1, err.message);
      return;
    }
    write(base);
    if (p.timeMs < this.earliestMs) this.earliestMs = p.timeMs;
    if (p.timeMs > this.latestMs) this.latestMs = p.timeMs;
  }

  private numberPoint(name: string, base: Label[], p: NumberPoint): void {
    this.append(withLabels(base, METRIC_NAME, name), p.timeMs, p.flags & FLAG_NO_RECORDED_VALUE ? STALE_NAN : p.value);
  }

  private histogramPoint(name: string, base: Label[], p: HistogramPoint): void {
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    const v = (x: number): number => (stale ? STALE_NAN : x);
    if (p.sum !== undefined) this.append(withLabels(base, METRIC_NAME, name + "_sum"), p.timeMs, v(p.sum));
    this.append(withLabels(base, METRIC_NAME, name + "_count"), p.timeMs, v(p.count));
    // OTLP counts are per bucket; Prometheus buckets are cumulative.
    let cumulative = 0;
    const n = Math.min(p.bounds.length, p.bucketCounts.length);
    const bucket = name + "_bucket";
    for (let i = 0; i < n; i++) {
      cumulative += p.bucketCounts[i];
      this.append(withLabels(base, METRIC_NAME, bucket, "le", formatFloatF(p.bounds[i])), p.timeMs, v(cumulative));
    }
    this.append(withLabels(base, METRIC_NAME, bucket, "le", "+Inf"), p.timeMs, v(p.count));
  }

  private summaryPoint(name: string, base: Label[], p: SummaryPoint): void {
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    const v = (x: number): number => (stale ? STALE_NAN : x);
    this.append(withLabels(base, METRIC_NAME, name + "_sum"), p.timeMs, v(p.sum));
    this.append(withLabels(base, METRIC_NAME, name + "_count"), p.timeMs, v(p.count));
    for (const q of p.quantiles) this.append(withLabels(base, METRIC_NAME, name, "quantile", formatFloatF(q.quantile)), p.timeMs, v(q.value));
  }

  private append(labels: Labels, t: number, v: number): void {
    this.app.append(0, labels, t, v);
    this.samples++;
  }

  /**
   * A point's labels without __name__: its attributes (keys that normalize alike have their
   * values joined with ";" in key order), then promoted resource attributes where absent,
   * then job and instance, then scope labels.
   */
  private pointLabels(attrs: Attributes): Label[] {
    const m = this.attributeLabels(attrs, RESERVED);
    for (const [n, v] of this.res.promoted) if (!m.get(n)) m.set(n, v);
    this.identity(m);
    for (const [n, v] of this.scopeLabels) m.set(n, v);
    return sortedLabels(m);
  }

  private attributeLabels(attrs: Attributes, skip: ReadonlySet<string>): Map<string, string> {
    const sorted = attrs.length > 1 ? [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : attrs;
    const m = new Map<string, string>();
    for (const a of sorted) {
      if (skip.has(a.key)) continue;
      const n = this.label(a.key);
      const prev = m.get(n);
      m.set(n, prev ? `${prev};${a.value}` : a.value);
    }
    return m;
  }

  private identity(m: Map<string, string>): void {
    if (this.res.job !== "") m.set("job", this.res.job);
    if (this.res.instance !== "") m.set("instance", this.res.instance);
  }

  /** target_info{job, instance, <other resource attributes>} = 1 from the resource's first point time to its last. */
  private targetInfo(attrs: Attributes): void {
    if (!attrs.some((a) => !IDENTIFYING.has(a.key))) return;
    let m: Map<string, string>;
    try {
      m = this.attributeLabels(attrs, this.opts.config.keepIdentifyingResourceAttributes ? RESERVED : IDENTIFYING);
    } catch (err) {
      if (!(err instanceof NameError)) throw err;
      this.errors.add(`target_info not written: ${err.message}`);
      return;
    }
    this.identity(m);
    if (!m.get("job") && !m.get("instance")) return;
    m.set(METRIC_NAME, "target_info");
    const labels = sortedLabels(m);
    const key = labelsKey(labels);
    const step = Math.max(1, Math.floor(this.opts.lookbackDeltaMs / 2));
    const write = (t: number): void => {
      const k = `${key}@${t}`;
      if (this.targetInfoSeen.has(k)) return;
      this.targetInfoSeen.add(k);
      this.append(labels, t, 1);
    };
    for (let t = this.earliestMs; t < this.latestMs; t += step) write(t);
    write(this.latestMs);
  }
}

function nameKind(m: OtlpMetric): NameKind {
  switch (m.kind) {
    case "sum":
      return m.monotonic ? "counter" : "updown";
    case "histogram":
      return "histogram";
    case "summary":
      return "summary";
    default:
      return "gauge";
  }
}

function pointCount(m: OtlpMetric): number {
  if (m.kind === "empty") return 0;
  return m.kind === "exponential_histogram" ? m.pointTimesMs.length : m.points.length;
}

/** Labels sorted by name, empty values left out (an empty value means "no such label"). */
function sortedLabels(m: Map<string, string>): Label[] {
  const out: Label[] = [];
  for (const [name, value] of m) if (value !== "") out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** base (sorted, without these names) plus one or two labels, still sorted. */
function withLabels(base: readonly Label[], n1: string, v1: string, n2?: string, v2?: string): Label[] {
  const out: Label[] = [];
  const extra: Label[] = [{ name: n1, value: v1 }];
  if (n2 !== undefined && v2 !== undefined) {
    const e = { name: n2, value: v2 };
    if (n2 < n1) extra.unshift(e);
    else extra.push(e);
  }
  let j = 0;
  for (const l of base) {
    if (l.name === n1 || l.name === n2) continue;
    while (j < extra.length && extra[j].name < l.name) out.push(extra[j++]);
    out.push(l);
  }
  while (j < extra.length) out.push(extra[j++]);
  return out;
}
