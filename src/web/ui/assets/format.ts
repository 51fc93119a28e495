// Formatting shared by the pages: label sets, times, durations and sample values.
export type Metric = Readonly<Record<string, string>>;

/** name{a="1", b="2"}, as Prometheus' UI shows a series. */
export function seriesName(metric: Metric): string {
  const name = metric.__name__ ?? "";
  const rest = Object.keys(metric)
    .filter((k) => k !== "__name__")
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return rest.length > 0 || name === "" ? `${name}{${rest.join(", ")}}` : name;
}

/** Prometheus' value formatting for special floats, JS's shortest round-trip form otherwise. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(".000Z", "Z");
}

/** "1h2m3s" style, as Prometheus prints durations. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const units: [string, number][] = [["y", 365 * 86400_000], ["w", 7 * 86400_000], ["d", 86400_000], ["h", 3600_000], ["m", 60_000], ["s", 1000], ["ms", 1]];
  let rest = Math.abs(ms);
  let out = ms < 0 ? "-" : "";
  for (const [u, n] of units) {
    if (rest >= n) {
      out += `${Math.floor(rest / n)}${u}`;
      rest %= n;
    }
  }
  return out;
}

/** Parses "1h30m", "15s", "250ms"; undefined when invalid. */
export function parseDuration(s: string): number | undefined {
  const re = /(\d+)(ms|y|w|d|h|m|s)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86400_000, w: 7 * 86400_000, y: 365 * 86400_000 };
  const t = s.trim();
  if (t === "") return undefined;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  return end === t.length && total > 0 ? total : undefined;
}

/** Unix seconds or an ISO/RFC3339 date to ms; a date and time without a zone is UTC (Prometheus' end_input). */
export function parseTime(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  // Date.parse would read a zoneless date-time as local time.
  const zoneless = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(t);
  const ms = Date.parse(zoneless ? `${t.replace(" ", "T")}Z` : t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** "12.3s ago" for a past time. */
export function ago(ms: number, nowMs: number = Date.now()): string {
  if (ms <= 0) return "never";
  const d = Math.max(0, nowMs - ms);
  return d < 1000 ? `${d}ms ago` : `${(d / 1000).toFixed(1)}s ago`;
}
