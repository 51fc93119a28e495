// ExportMetricsServiceRequest from OTLP/JSON (the OTLP specification's JSON mapping of the
// same messages): lowerCamelCase keys (snake_case accepted too, as the collector does),
// 64-bit integers as strings or numbers, enums as numbers or names, doubles possibly as
// "NaN"/"Infinity". Errors name the path of the bad field.
import { renderValue, type RawValue } from "./attributes.js";
import { OtlpDecodeError } from "./errors.js";
import type { Attribute, HistogramPoint, MetricData, MetricsRequest, NumberPoint, OtlpMetric, ResourceMetrics, ScopeMetrics, SummaryPoint } from "./model.js";

type Obj = Readonly<Record<string, unknown>>;

const TEMPORALITY_NAMES: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

export function decodeMetricsRequestJSON(text: string): MetricsRequest {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (cause) {
    throw new OtlpDecodeError(`invalid JSON: ${(cause as Error).message}`, { cause });
  }
  const o = obj(root, "request");
  return { resources: list(o, "resourceMetrics", "request", readResourceMetrics) };
}

function fail(path: string, what: string): never {
  throw new OtlpDecodeError(`${path}: ${what}`);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "expected an object");
  return v as Obj;
}

/** A field by its lowerCamelCase name or its proto (snake_case) name. */
function field(o: Obj, camel: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  return o[camel.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())];
}

function list<T>(o: Obj, name: string, path: string, fn: (v: unknown, path: string) => T): T[] {
  const v = field(o, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${path}.${name}`, "expected an array");
  return v.map((x, i) => fn(x, `${path}.${name}[${i}]`));
}

function str(o: Obj, name: string, path: string): string {
  const v = field(o, name);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") fail(`${path}.${name}`, "expected a string");
  return v;
}

function bool(o: Obj, name: string, path: string): boolean {
  const v = field(o, name);
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") fail(`${path}.${name}`, "expected a boolean");
  return v;
}

/** A 64-bit integer sent as a decimal string or a number; bigint keeps it exact. */
function int64(v: unknown, path: string): bigint {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  fail(path, "expected an integer (a number or a decimal string)");
}

function intField(o: Obj, name: string, path: string): number {
  const v = field(o, name);
  return v === undefined || v === null ? 0 : Number(int64(v, `${path}.${name}`));
}

function timeMs(o: Obj, name: string, path: string): number {
  const v = field(o, name);
  return v === undefined || v === null ? 0 : Number(int64(v, `${path}.${name}`) / 1_000_000n);
}

function double(v: unknown, path: string): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  fail(path, "expected a number");
}

function temporality(o: Obj, path: string): number {
  const v = field(o, "aggregationTemporality");
  if (v === undefined || v === null) return 0;
  if (typeof v === "string" && v in TEMPORALITY_NAMES) return TEMPORALITY_NAMES[v];
  return Number(int64(v, `${path}.aggregationTemporality`));
}

function readResourceMetrics(v: unknown, path: string): ResourceMetrics {
  const o = obj(v, path);
  const res = field(o, "resource");
  const attributes = res === undefined || res === null ? [] : list(obj(res, `${path}.resource`), "attributes", `${path}.resource`, readKeyValue);
  return { attributes, scopes: list(o, "scopeMetrics", path, readScopeMetrics) };
}

function readScopeMetrics(v: unknown, path: string): ScopeMetrics {
  const o = obj(v, path);
  const sv = field(o, "scope");
  const scope = sv === undefined || sv === null ? {} : obj(sv, `${path}.scope`);
  return {
    name: str(scope, "name", `${path}.scope`),
    version: str(scope, "version", `${path}.scope`),
    attributes: list(scope, "attributes", `${path}.scope`, readKeyValue),
    schemaUrl: str(o, "schemaUrl", path),
    metrics: list(o, "metrics", path, readMetric),
  };
}

function readMetric(v: unknown, path: string): OtlpMetric {
  const o = obj(v, path);
  const base = { name: str(o, "name", path), description: str(o, "description", path), unit: str(o, "unit", path) };
  return { ...base, ...readData(o, path) };
}

function readData(o: Obj, path: string): MetricData {
  const sub = (name: string): Obj | undefined => {
    const v = field(o, name);
    return v === undefined || v === null ? undefined : obj(v, `${path}.${name}`);
  };
  let d: Obj | undefined;
  if ((d = sub("gauge"))) return { kind: "gauge", points: list(d, "dataPoints", `${path}.gauge`, readNumberPoint) };
  if ((d = sub("sum"))) {
    const p = `${path}.sum`;
    return { kind: "sum", temporality: temporality(d, p), monotonic: bool(d, "isMonotonic", p), points: list(d, "dataPoints", p, readNumberPoint) };
  }
  if ((d = sub("histogram"))) {
    const p = `${path}.histogram`;
    return { kind: "histogram", temporality: temporality(d, p), points: list(d, "dataPoints", p, readHistogramPoint) };
  }
  if ((d = sub("exponentialHistogram"))) {
    const p = `${path}.exponentialHistogram`;
    return { kind: "exponential_histogram", temporality: temporality(d, p), pointTimesMs: list(d, "dataPoints", p, (x, pp) => timeMs(obj(x, pp), "timeUnixNano", pp)) };
  }
  if ((d = sub("summary"))) return { kind: "summary", points: list(d, "dataPoints", `${path}.summary`, readSummaryPoint) };
  return { kind: "empty" };
}

function pointBase(o: Obj, path: string): { attributes: Attribute[]; timeMs: number; flags: number } {
  return { attributes: list(o, "attributes", path, readKeyValue), timeMs: timeMs(o, "timeUnixNano", path), flags: intField(o, "flags", path) };
}

function readNumberPoint(v: unknown, path: string): NumberPoint {
  const o = obj(v, path);
  const d = field(o, "asDouble");
  const i = field(o, "asInt");
  let value = 0;
  if (d !== undefined && d !== null) value = double(d, `${path}.asDouble`);
  else if (i !== undefined && i !== null) value = Number(int64(i, `${path}.asInt`));
  return { ...pointBase(o, path), value };
}

function readHistogramPoint(v: unknown, path: string): HistogramPoint {
  const o = obj(v, path);
  const s = field(o, "sum");
  return {
    ...pointBase(o, path),
    count: intField(o, "count", path),
    sum: s === undefined || s === null ? undefined : double(s, `${path}.sum`),
    bucketCounts: list(o, "bucketCounts", path, (x, p) => Number(int64(x, p))),
    bounds: list(o, "explicitBounds", path, double),
  };
}

function readSummaryPoint(v: unknown, path: string): SummaryPoint {
  const o = obj(v, path);
  const s = field(o, "sum");
  return {
    ...pointBase(o, path),
    count: intField(o, "count", path),
    sum: s === undefined || s === null ? 0 : double(s, `${path}.sum`),
    quantiles: list(o, "quantileValues", path, (x, p) => {
      const q = obj(x, p);
      const qv = field(q, "quantile");
      const vv = field(q, "value");
      return { quantile: qv == null ? 0 : double(qv, `${p}.quantile`), value: vv == null ? 0 : double(vv, `${p}.value`) };
    }),
  };
}

function readKeyValue(v: unknown, path: string): Attribute {
  const o = obj(v, path);
  const value = field(o, "value");
  return { key: str(o, "key", path), value: renderValue(value === undefined || value === null ? undefined : readAnyValue(value, `${path}.value`)) };
}

function readAnyValue(v: unknown, path: string): RawValue {
  const o = obj(v, path);
  const has = (name: string): unknown => field(o, name);
  let x: unknown;
  if ((x = has("stringValue")) != null) {
    if (typeof x !== "string") fail(`${path}.stringValue`, "expected a string");
    return x;
  }
  if ((x = has("boolValue")) != null) {
    if (typeof x !== "boolean") fail(`${path}.boolValue`, "expected a boolean");
    return x;
  }
  if ((x = has("intValue")) != null) {
    const n = int64(x, `${path}.intValue`);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ((x = has("doubleValue")) != null) return double(x, `${path}.doubleValue`);
  if ((x = has("bytesValue")) != null) {
    if (typeof x !== "string") fail(`${path}.bytesValue`, "expected a base64 string");
    return new Uint8Array(Buffer.from(x, "base64"));
  }
  if ((x = has("arrayValue")) != null) return { array: list(obj(x, `${path}.arrayValue`), "values", `${path}.arrayValue`, readAnyValue) };
  if ((x = has("kvlistValue")) != null) {
    const entries = list(obj(x, `${path}.kvlistValue`), "values", `${path}.kvlistValue`, (e, p) => {
      const eo = obj(e, p);
      const ev = field(eo, "value");
      return [str(eo, "key", p), ev == null ? undefined : readAnyValue(ev, `${p}.value`)] as const;
    });
    return { map: entries };
  }
  return undefined;
}
