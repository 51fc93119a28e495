// One target's scrape loop: waits for the target's offset in the interval, then scrapes on
// every tick, appends, reports the synthetic series and records health. Stopping a loop
// for a target that went away writes stale markers for everything it exposed.
import { errorText, type Logger } from "../log/logger.js";
import { labelsFromList, type Label, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import type { Appendable, Appender } from "../storage/interface.js";
import { newParser } from "../textparse/new-parser.js";
import { appendScrape, type AppendResult } from "./append.js";
import { ScrapeCache } from "./cache.js";
import { SampleLimitError, ScrapeError } from "./errors.js";
import type { ScrapeHttpClient } from "./http-client.js";
import type { ScrapeJobOptions } from "./options.js";
import type { Target } from "./target.js";

export const REPORT_METRICS = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"] as const;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Self-monitoring hooks (Prometheus' prometheus_target_* metrics), shared by the loops of a manager. */
export interface ScrapeHooks {
  /** The time between the starts of two consecutive scrapes of a target, with its configured interval. */
  intervalLength(configuredMs: number, actualMs: number): void;
  /** A scrape was rejected for exceeding sample_limit. */
  sampleLimitExceeded(): void;
  /** Samples of one scrape rejected as out of order, with a duplicate timestamp, or out of bounds. */
  samplesRejected(outOfOrder: number, duplicates: number, outOfBounds: number): void;
}

export interface ScrapeLoopOptions {
  readonly target: Target;
  readonly job: ScrapeJobOptions;
  readonly client: ScrapeHttpClient;
  readonly appendable: Appendable;
  readonly logger: Logger;
  readonly jitterSeed: number;
  readonly hooks?: ScrapeHooks;
}

export class ScrapeLoop {
  readonly target: Target;
  readonly cache = new ScrapeCache();
  private readonly opts: ScrapeLoopOptions;
  private readonly abort = new AbortController();
  /** Aborted on shutdown: pending end-of-run stale markers are then skipped. */
  private readonly shutdown = new AbortController();
  private readonly reportLabels: Labels[];
  private readonly reportRefs: number[];
  private running: Promise<void> | undefined;
  private lastScrapeTs = 0;
  /** When set (target_limit exceeded), scrapes are skipped and reported as failed with it. */
  forcedError: Error | undefined;

  constructor(opts: ScrapeLoopOptions) {
    this.opts = opts;
    this.target = opts.target;
    this.reportLabels = REPORT_METRICS.map((name) => reportSeriesLabels(name, opts.target));
    this.reportRefs = REPORT_METRICS.map(() => 0);
  }

  start(): void {
    this.running ??= this.run();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const interval = this.target.intervalMs;
    await sleep(this.target.offsetMs(Date.now(), this.opts.jitterSeed), signal);
    let next = Date.now();
    while (!signal.aborted) {
      const start = Date.now();
      await this.scrapeAndReport(start, signal);
      next += interval;
      // After a stall, skip missed ticks instead of scraping in a burst.
      while (next <= Date.now()) next += interval;
      await sleep(next - Date.now(), signal);
    }
  }

  /** One scrape at start (ms): fetch, parse, append, report, commit. Exposed for tests. */
  async scrapeAndReport(start: number, signal: AbortSignal = this.abort.signal): Promise<void> {
    const { target, job, client, hooks } = this.opts;
    if (this.lastScrapeTs !== 0) hooks?.intervalLength(target.intervalMs, start - this.lastScrapeTs);
    let scrapeErr: Error | undefined = this.forcedError;
    let body: Buffer | undefined;
    let contentType: string | undefined;
    if (!scrapeErr) {
      try {
        const res = await client.scrape(target.url, target.timeoutMs, signal);
        body = res.body;
        contentType = res.contentType;
      } catch (err) {
        scrapeErr = err instanceof Error ? err : new Error(String(err));
      }
    }
    // Stopped mid-scrape: the stopper decides about stale markers.
    if (signal.aborted) return;
    const durationMs = Date.now() - start;
    let app = this.opts.appendable.appender();
    let result: AppendResult | undefined;
    if (body !== undefined) {
      try {
        result = appendScrape(app, newParser(body, contentType), start, this.cache, target, job);
      } catch (err) {
        scrapeErr = err instanceof Error ? err : new Error(String(err));
        if (err instanceof SampleLimitError) hooks?.sampleLimitExceeded();
        await app.rollback();
        app = this.opts.appendable.appender();
        this.cache.resetCurrent();
      }
    }
    try {
      // A failed scrape (or a rejected body) is an empty one: everything goes stale.
      if (!result) appendScrape(app, undefined, start, this.cache, target, job);
      this.report(app, start, durationMs, result, scrapeErr);
      await app.commit();
    } catch (err) {
      await app.rollback().catch(() => {});
      this.opts.logger.error("Scrape commit failed", { target: target.url.toString(), err });
    }
    this.cache.iterDone(result !== undefined);
    if (result && (result.outOfOrder || result.duplicates || result.outOfBounds)) {
      hooks?.samplesRejected(result.outOfOrder, result.duplicates, result.outOfBounds);
      this.opts.logger.warn("Error on ingesting samples", { target: target.url.toString(), outOfOrder: result.outOfOrder, duplicates: result.duplicates, outOfBounds: result.outOfBounds });
    }
    target.lastScrape = start;
    target.lastScrapeDurationMs = durationMs;
    target.health = scrapeErr ? "down" : "up";
    // A ScrapeError already reads as Prometheus' text; its cause (Node's own words) is for the debug log.
    target.lastError = scrapeErr ? (scrapeErr instanceof ScrapeError ? scrapeErr.message : errorText(scrapeErr)) : "";
    this.lastScrapeTs = start;
    if (scrapeErr) this.opts.logger.debug("Scrape failed", { target: target.url.toString(), err: scrapeErr });
  }

  private report(app: Appender, ts: number, durationMs: number, r: AppendResult | undefined, err: Error | undefined): void {
    const values = [err ? 0 : 1, durationMs / 1000, r?.total ?? 0, r?.added ?? 0, r?.seriesAdded ?? 0];
    for (let i = 0; i < values.length; i++) this.reportRefs[i] = app.append(this.reportRefs[i]!, this.reportLabels[i]!, ts, values[i]!);
  }

  /** Skips end-of-run stale markers that a stop(true) is still waiting to write. */
  cancelStaleness(): void {
    this.shutdown.abort();
  }

  /**
   * Stops the loop. With staleness (the target went away), waits until the next scrape
   * would have happened and writes stale markers for all its series, as Prometheus does.
   */
  async stop(staleness: boolean): Promise<void> {
    this.abort.abort();
    await this.running;
    if (!staleness || this.lastScrapeTs === 0) return;
    const staleTs = this.lastScrapeTs + this.target.intervalMs;
    await sleep(staleTs - Date.now(), this.shutdown.signal);
    if (this.shutdown.signal.aborted) return;
    const app = this.opts.appendable.appender();
    try {
      this.cache.resetCurrent();
      appendScrape(app, undefined, staleTs, this.cache, this.target, this.opts.job);
      for (let i = 0; i < this.reportLabels.length; i++) app.append(this.reportRefs[i]!, this.reportLabels[i]!, staleTs, STALE_NAN);
      await app.commit();
    } catch (err) {
      await app.rollback().catch(() => {});
      this.opts.logger.error("Writing end-of-run stale markers failed", { target: this.target.url.toString(), err });
    }
  }
}

/** __name__ plus the target's labels (a report series never keeps scraped labels). */
function reportSeriesLabels(name: string, target: Target): Labels {
  const list: Label[] = [{ name: "__name__", value: name }, ...target.labels];
  return labelsFromList(list);
}
