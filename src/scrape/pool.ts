// One scrape pool per job: turns discovered groups into targets and keeps one loop per
// target, starting loops for new targets and stopping (with stale markers) removed ones.
import type { TargetGroup } from "../discovery/interface.js";
import type { Logger } from "../log/logger.js";
import { labelsKey } from "../model/labels.js";
import type { Appendable } from "../storage/interface.js";
import { TargetLimitError } from "./errors.js";
import { ScrapeHttpClient } from "./http-client.js";
import { ScrapeLoop, type ScrapeHooks } from "./loop.js";
import type { ScrapeJobOptions } from "./options.js";
import { populateTarget, type DroppedTargetInfo, type TargetInfo } from "./target.js";
import { labelsToRecord } from "../model/labels.js";

export interface ScrapePoolOptions {
  readonly job: ScrapeJobOptions;
  readonly appendable: Appendable;
  readonly logger: Logger;
  readonly jitterSeed: number;
  readonly hooks?: ScrapeHooks;
}

export class ScrapePool {
  readonly job: ScrapeJobOptions;
  private readonly opts: ScrapePoolOptions;
  private readonly client: ScrapeHttpClient;
  private readonly loops = new Map<string, ScrapeLoop>();
  private dropped: DroppedTargetInfo[] = [];
  private readonly stopping = new Set<Promise<void>>();
  private readonly retired = new Set<ScrapeLoop>();

  constructor(opts: ScrapePoolOptions) {
    this.opts = opts;
    this.job = opts.job;
    this.client = new ScrapeHttpClient(opts.job);
  }

  /** Replaces the pool's targets with those of the given groups. */
  sync(groups: readonly TargetGroup[]): void {
    const wanted = new Map<string, ScrapeLoop>();
    const dropped: DroppedTargetInfo[] = [];
    for (const g of groups) {
      for (const t of g.targets) {
        const r = populateTarget(this.job, g, t);
        if ("dropped" in r) {
          dropped.push({ discoveredLabels: labelsToRecord(r.dropped) });
          continue;
        }
        if ("error" in r) {
          this.opts.logger.error("Creating target failed", { job: this.job.jobName, err: r.error });
          continue;
        }
        const key = labelsKey(r.target.allLabels);
        if (wanted.has(key)) continue;
        const existing = this.loops.get(key);
        wanted.set(
          key,
          existing ??
            new ScrapeLoop({
              target: r.target,
              job: this.job,
              client: this.client,
              appendable: this.opts.appendable,
              logger: this.opts.logger,
              jitterSeed: this.opts.jitterSeed,
              hooks: this.opts.hooks,
            }),
        );
      }
    }
    for (const [key, loop] of this.loops) {
      if (wanted.has(key)) continue;
      this.retired.add(loop);
      const p = loop.stop(true).finally(() => {
        this.stopping.delete(p);
        this.retired.delete(loop);
      });
      this.stopping.add(p);
    }
    this.loops.clear();
    const limit = this.job.targetLimit ?? 0;
    const forced = limit > 0 && wanted.size > limit ? new TargetLimitError(wanted.size, limit) : undefined;
    for (const [key, loop] of wanted) {
      loop.forcedError = forced;
      this.loops.set(key, loop);
      loop.start();
    }
    this.dropped = dropped;
  }

  targets(): TargetInfo[] {
    return [...this.loops.values()].map((l) => l.target.info(this.job.jobName));
  }

  droppedTargets(): DroppedTargetInfo[] {
    return this.dropped;
  }

  activeLoops(): ScrapeLoop[] {
    return [...this.loops.values()];
  }

  /**
   * Stops every loop; with staleness, writes end-of-run stale markers (job removed or
   * changed). Without (shutdown), also cancels markers still pending from earlier removals.
   */
  async stop(staleness: boolean): Promise<void> {
    if (!staleness) for (const l of [...this.retired, ...this.loops.values()]) l.cancelStaleness();
    const all = [...this.loops.values()].map((l) => l.stop(staleness));
    this.loops.clear();
    await Promise.all([...all, ...this.stopping]);
    this.client.close();
  }
}
