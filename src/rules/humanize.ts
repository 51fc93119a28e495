// Prometheus' humanize* template functions, formatted with Go's %.4g.
import { TemplateError } from "./errors.js";
import { formatGoFloat, goTypeName, type TValue } from "./go-format.js";

/** Accepts float64, int and numeric strings as Prometheus' convertToFloat does. */
export function toFloat(v: TValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") {
    const t = v.trim() === v ? v : "";
    const n = /^[+-]?(inf(inity)?)$/i.test(t) ? (t.startsWith("-") ? -Infinity : Infinity) : /^nan$/i.test(t) ? NaN : t === "" ? NaN : Number(t.replace(/_/g, ""));
    if (Number.isNaN(n) && !/^nan$/i.test(t)) throw new TemplateError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return n;
  }
  throw new TemplateError(`can't convert ${goTypeName(v)} to float`);
}

function g4(v: number): string {
  return formatGoFloat(v, "g", 4);
}

const BIG = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
const SMALL = ["m", "u", "n", "p", "f", "a", "z", "y"];

function scaleDown(v: number): { v: number; prefix: string } {
  let prefix = "";
  for (const p of SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return { v, prefix };
}

export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = "";
    for (const p of BIG) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  const s = scaleDown(v);
  return g4(s.v) + s.prefix;
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = "";
  for (const p of ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v) + "s";
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? "-" : "";
    v = Math.abs(v);
    const total = Math.trunc(v);
    const seconds = total % 60;
    const minutes = Math.trunc(total / 60) % 60;
    const hours = Math.trunc(total / 3600) % 24;
    const days = Math.trunc(total / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  const s = scaleDown(v);
  return `${g4(s.v)}${s.prefix}s`;
}

export function humanizePercentage(v: number): string {
  return g4(v * 100) + "%";
}

/** Seconds since the epoch as Go prints a UTC time.Time ("2006-01-02 15:04:05.999999999 +0000 UTC"). */
export function humanizeTimestamp(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  const ms = Math.floor(v * 1000);
  const iso = new Date(ms).toISOString();
  const frac = Math.round((v - Math.floor(v)) * 1e9);
  const fracText = frac === 0 ? "" : "." + String(frac).padStart(9, "0").replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fracText} +0000 UTC`;
}
