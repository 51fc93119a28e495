// OTLP AnyValue -> label value text, shared by the protobuf and JSON decoders. Prometheus
// renders a value as the OTel collector's pdata does (Value.AsString): strings as they are,
// numbers as ECMAScript prints them, bytes as base64, arrays and maps as JSON (map keys
// sorted, <, > and & escaped as Go's encoder does).

/** A decoded AnyValue before rendering; undefined is an empty (unset) value. */
export type RawValue = string | boolean | number | bigint | Uint8Array | RawArray | RawMap | undefined;
export interface RawArray {
  readonly array: readonly RawValue[];
}
export interface RawMap {
  readonly map: readonly (readonly [string, RawValue])[];
}

export function renderValue(v: RawValue): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "number") return renderNumber(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  return goJSON(toJSON(v));
}

function renderNumber(v: number): string {
  // Go's encoder cannot print these and says so; the collector keeps that text as the value.
  if (!Number.isFinite(v)) return `json: unsupported value: ${Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"}`;
  return String(v);
}

function toJSON(v: RawValue): string {
  if (v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : JSON.stringify(renderNumber(v));
  if (v instanceof Uint8Array) return JSON.stringify(renderValue(v));
  if ("array" in v) return "[" + v.array.map(toJSON).join(",") + "]";
  const entries = [...v.map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return "{" + entries.map(([k, x]) => JSON.stringify(k) + ":" + toJSON(x)).join(",") + "}";
}

function goJSON(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
