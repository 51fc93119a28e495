// Prometheus durations ("1h30m", "5m", "1d", "100ms"): units y w d h m s ms, largest first,
// each at most once. Used by config, PromQL and the HTTP API alike.

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["y", 365 * 24 * 3600_000],
  ["w", 7 * 24 * 3600_000],
  ["d", 24 * 3600_000],
  ["h", 3600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

const PART = /^(\d+)(ms|y|w|d|h|m|s)/;

export class DurationError extends Error {}

// Go keeps durations in int64 nanoseconds, so anything past about 292 years is out of range.
const MAX_NS = 2n ** 63n - 1n;
const NS_PER_MS = 1_000_000n;

/** Parses a duration into ms; throws DurationError with Prometheus' message when malformed. */
export function parseDuration(s: string): number {
  if (s === "0") return 0;
  if (s === "") throw new DurationError("empty duration string");
  let rest = s;
  let totalNs = 0n;
  let lastRank = -1;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) throw new DurationError(`not a valid duration string: ${JSON.stringify(s)}`);
    const rank = UNITS.findIndex(([u]) => u === m[2]);
    if (rank <= lastRank) throw new DurationError(`not a valid duration string: ${JSON.stringify(s)}`);
    lastRank = rank;
    const v = BigInt(m[1]);
    if (v >= 2n ** 64n) throw new DurationError(`not a valid duration string: ${JSON.stringify(s)}`);
    const unitNs = BigInt(UNITS[rank][1]) * NS_PER_MS;
    if (v > 2n ** 63n / unitNs) throw new DurationError("duration out of range");
    totalNs += v * unitNs;
    if (totalNs > MAX_NS) throw new DurationError("duration out of range");
    rest = rest.slice(m[0].length);
  }
  return Number(totalNs / NS_PER_MS);
}

/**
 * Prints ms as Prometheus does: the largest units first, "0s" for zero. Years and weeks are
 * used only when they divide the whole rest exactly ("15d", not "2w1d"), as model.Duration does.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let out = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  for (const [unit, size] of UNITS) {
    if ((unit === "y" || unit === "w") && rest % size !== 0) continue;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
