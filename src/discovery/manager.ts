// Runs the discoverers of every scrape job, keeps the latest group per (provider, source) and
// tells subscribers the full group list per job, at most once per update interval (5s in
// Prometheus) so that bursts of changes cost one resync.
import { nopLogger, type Logger } from "../log/logger.js";
import type { Discoverer, TargetGroup } from "./interface.js";

/** What the manager reports for prometheus_sd_* metrics (received, delayed and sent updates; failed configs). */
export interface DiscoveryManagerHooks {
  /** A provider sent groups. */
  received(): void;
  /** Groups arrived while an update was already waiting for the throttle. */
  delayed(): void;
  /** An update went to the subscribers. */
  sent(): void;
  /** How many of the current providers failed to start (bad credentials file, no in-cluster config, ...). */
  failedConfigs(n: number): void;
}

export interface DiscoveryManagerOptions {
  readonly logger?: Logger;
  /** Minimum time between updates sent to subscribers. */
  readonly updateIntervalMs?: number;
  readonly hooks?: DiscoveryManagerHooks;
}

export type TargetSetUpdate = ReadonlyMap<string, TargetGroup[]>;

interface RunningProvider {
  readonly job: string;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  readonly groups: Map<string, TargetGroup>;
}

export class DiscoveryManager {
  private readonly logger: Logger;
  private readonly updateIntervalMs: number;
  private providers: RunningProvider[] = [];
  private jobs: string[] = [];
  private readonly subscribers = new Set<(update: TargetSetUpdate) => void>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private stopped = false;
  private failed = 0;
  private readonly hooks: DiscoveryManagerHooks | undefined;

  constructor(opts: DiscoveryManagerOptions = {}) {
    this.logger = (opts.logger ?? nopLogger).with({ component: "discovery manager" });
    this.updateIntervalMs = opts.updateIntervalMs ?? 5000;
    this.hooks = opts.hooks;
  }

  /** Called with every job's current groups after changes; returns an unsubscribe function. */
  subscribe(fn: (update: TargetSetUpdate) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Replaces all providers: stops the old ones and starts discoverers per job name. */
  async applyConfig(jobs: ReadonlyMap<string, readonly Discoverer[]>): Promise<void> {
    await this.stopProviders();
    this.stopped = false;
    this.failed = 0;
    this.hooks?.failedConfigs(0);
    this.jobs = [...jobs.keys()];
    for (const [job, discoverers] of jobs) {
      discoverers.forEach((d, i) => this.start(job, d, i));
    }
    // Jobs without targets still get an (empty) update so old targets go away.
    this.markDirty();
  }

  private start(job: string, d: Discoverer, index: number): void {
    const abort = new AbortController();
    const groups = new Map<string, TargetGroup>();
    const provider: RunningProvider = {
      job,
      abort,
      groups,
      done: Promise.resolve()
        .then(() =>
          d.run(abort.signal, (update) => {
            if (abort.signal.aborted) return;
            for (const g of update) groups.set(g.source, g);
            this.hooks?.received();
            this.markDirty();
          }),
        )
        .catch((err: unknown) => {
          this.logger.error("Discoverer failed", { job, provider: index, err });
          if (!abort.signal.aborted) this.hooks?.failedConfigs(++this.failed);
        }),
    };
    this.providers.push(provider);
  }

  /** The current groups per job, merged across that job's providers. */
  current(): Map<string, TargetGroup[]> {
    const out = new Map<string, TargetGroup[]>();
    for (const job of this.jobs) out.set(job, []);
    for (const p of this.providers) {
      const list = out.get(p.job) ?? [];
      for (const g of p.groups.values()) list.push(g);
      out.set(p.job, list);
    }
    return out;
  }

  private markDirty(): void {
    if (this.timer && this.dirty) this.hooks?.delayed();
    this.dirty = true;
    if (this.timer || this.stopped) return;
    const wait = Math.max(0, this.lastSent + this.updateIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.dirty || this.stopped) return;
      this.dirty = false;
      this.lastSent = Date.now();
      const update = this.current();
      this.hooks?.sent();
      for (const fn of this.subscribers) {
        try {
          fn(update);
        } catch (err) {
          this.logger.error("Target set subscriber failed", { err });
        }
      }
    }, wait);
  }

  private async stopProviders(): Promise<void> {
    const old = this.providers;
    this.providers = [];
    for (const p of old) p.abort.abort();
    await Promise.all(old.map((p) => p.done));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.stopProviders();
  }
}
