// The loop shared by polling providers (file, http, dns): refresh now, then every interval,
// until the signal aborts. A failed refresh is logged and leaves the last groups in place.
import type { Logger } from "../log/logger.js";

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export async function refreshLoop(signal: AbortSignal, intervalMs: number, logger: Logger, refresh: () => Promise<void>, wake?: { promise: () => Promise<void> }): Promise<void> {
  while (!signal.aborted) {
    try {
      await refresh();
    } catch (err) {
      logger.error("Unable to refresh target groups", { err });
    }
    await (wake ? Promise.race([sleep(intervalMs, signal), wake.promise()]) : sleep(intervalMs, signal));
  }
}

/** Empty groups for sources a provider sent last time but not this time. */
export function removedSources(before: ReadonlySet<string>, now: ReadonlySet<string>): Array<{ source: string; targets: []; labels: Record<string, string> }> {
  const out: Array<{ source: string; targets: []; labels: Record<string, string> }> = [];
  for (const s of before) if (!now.has(s)) out.push({ source: s, targets: [], labels: {} });
  return out;
}
