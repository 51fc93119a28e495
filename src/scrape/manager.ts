// The scrape manager: one pool per job, fed by discovery, read by the targets and
// metadata APIs.
import { hostname } from "node:os";
import type { TargetGroup } from "../discovery/interface.js";
import { nopLogger, type Logger } from "../log/logger.js";
import { labelsToRecord } from "../model/labels.js";
import type { Appendable } from "../storage/interface.js";
import type { MetricType } from "../textparse/interface.js";
import type { ScrapeHooks } from "./loop.js";
import type { ScrapeJobOptions } from "./options.js";
import { ScrapePool } from "./pool.js";
import type { DroppedTargetInfo, TargetInfo } from "./target.js";

export interface ScrapeManagerOptions {
  readonly appendable: Appendable;
  readonly logger?: Logger;
  /** Spreads scrape offsets between servers (Prometheus hashes hostname and external labels). */
  readonly jitterSeed?: number;
  /** Self-monitoring hooks every target's loop calls. */
  readonly hooks?: ScrapeHooks;
}

export interface TargetMetadata {
  readonly target: Record<string, string>;
  readonly metric: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class ScrapeManager {
  private readonly appendable: Appendable;
  private readonly logger: Logger;
  private readonly jitterSeed: number;
  private readonly hooks: ScrapeHooks | undefined;
  /** Pools created over the manager's life (prometheus_target_scrape_pools_total). */
  poolsCreated = 0;
  private readonly pools = new Map<string, ScrapePool>();
  private readonly groups = new Map<string, TargetGroup[]>();
  /** Pools of removed or changed jobs still writing end-of-run stale markers. */
  private readonly retiring = new Set<ScrapePool>();

  constructor(opts: ScrapeManagerOptions) {
    this.appendable = opts.appendable;
    this.logger = (opts.logger ?? nopLogger).with({ component: "scrape manager" });
    this.jitterSeed = opts.jitterSeed ?? stringHash(hostname());
    this.hooks = opts.hooks;
  }

  /** Creates, replaces (when their options changed) or removes pools. */
  async applyConfig(jobs: readonly ScrapeJobOptions[]): Promise<void> {
    const byName = new Map(jobs.map((j) => [j.jobName, j]));
    for (const [name, pool] of this.pools) {
      const next = byName.get(name);
      if (next && JSON.stringify(next) === JSON.stringify(pool.job)) continue;
      this.pools.delete(name);
      // Changed or removed: the old loops' series go stale unless the new loops write them
      // again first (then the markers are out of order and dropped), as in Prometheus.
      this.retiring.add(pool);
      void pool.stop(true).finally(() => this.retiring.delete(pool));
    }
    for (const job of jobs) {
      if (this.pools.has(job.jobName)) continue;
      const pool = new ScrapePool({ job, appendable: this.appendable, logger: this.logger.with({ scrape_pool: job.jobName }), jitterSeed: this.jitterSeed, hooks: this.hooks });
      this.pools.set(job.jobName, pool);
      this.poolsCreated++;
      const groups = this.groups.get(job.jobName);
      if (groups) pool.sync(groups);
    }
  }

  /** New target groups for a job (from discovery). */
  sync(jobName: string, groups: readonly TargetGroup[]): void {
    this.groups.set(jobName, [...groups]);
    this.pools.get(jobName)?.sync(groups);
  }

  /** Convenience for DiscoveryManager.subscribe. */
  syncAll(update: ReadonlyMap<string, TargetGroup[]>): void {
    for (const [job, groups] of update) this.sync(job, groups);
  }

  /** Targets discovery last reported per job, before relabeling (prometheus_sd_discovered_targets). */
  discoveredTargets(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [job, groups] of this.groups) if (this.pools.has(job)) out.set(job, groups.reduce((n, g) => n + g.targets.length, 0));
    return out;
  }

  /** Bytes held by every target's scrape cache (promwasm_scrape_cache_bytes). */
  cacheBytes(): number {
    let n = 0;
    for (const p of this.pools.values()) for (const l of p.activeLoops()) n += l.cache.memoryBytes();
    return n;
  }

  targets(): TargetInfo[] {
    return [...this.pools.values()].flatMap((p) => p.targets());
  }

  droppedTargets(): DroppedTargetInfo[] {
    return [...this.pools.values()].flatMap((p) => p.droppedTargets());
  }

  /** Metadata per target and metric family, for /api/v1/targets/metadata and /api/v1/metadata. */
  metadata(): TargetMetadata[] {
    const out: TargetMetadata[] = [];
    for (const pool of this.pools.values()) {
      for (const loop of pool.activeLoops()) {
        const target = labelsToRecord(loop.target.labels);
        for (const [metric, m] of loop.cache.metadata) out.push({ target, metric, type: m.type, help: m.help, unit: m.unit });
      }
    }
    return out;
  }

  pool(jobName: string): ScrapePool | undefined {
    return this.pools.get(jobName);
  }

  /** Stops all loops without stale markers (shutdown). */
  async stop(): Promise<void> {
    const pools = [...this.pools.values(), ...this.retiring];
    this.pools.clear();
    this.retiring.clear();
    await Promise.all(pools.map((p) => p.stop(false)));
  }
}
