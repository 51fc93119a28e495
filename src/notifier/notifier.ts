// The notifier: queues alerts from the rule manager (adding external labels and applying
// alert_relabel_configs), and sends them in batches to every discovered Alertmanager.
// The queue is bounded; when full, the oldest alerts are dropped and counted.
import type { AlertingConfig, AlertmanagerConfig } from "../config/types.js";
import { DnsDiscoverer } from "../discovery/dns.js";
import { FileDiscoverer } from "../discovery/file.js";
import { HttpDiscoverer } from "../discovery/http.js";
import type { Discoverer } from "../discovery/interface.js";
import { ConsulDiscoverer } from "../discovery/consul.js";
import { DockerDiscoverer } from "../discovery/docker.js";
import type { ProviderMetrics } from "../discovery/from-config.js";
import { KubernetesDiscoverer } from "../discovery/kubernetes/discoverer.js";
import { DiscoveryManager, type DiscoveryManagerHooks, type TargetSetUpdate } from "../discovery/manager.js";
import { StaticDiscoverer } from "../discovery/static.js";
import { nopLogger, type Logger } from "../log/logger.js";
import { labelsToRecord, labelsToString, type Labels } from "../model/labels.js";
import { relabel } from "../relabel/relabel.js";
import type { Alert } from "./alert.js";
import { alertmanagerUrls, AlertmanagerSet } from "./alertmanager-set.js";

export interface NotifierOptions {
  readonly logger?: Logger;
  /** --alertmanager.notification-queue-capacity */
  readonly queueCapacity?: number;
  /** Alerts per POST. */
  readonly batchSize?: number;
  /** How often discovery changes are applied (Prometheus: 5s). */
  readonly discoveryUpdateIntervalMs?: number;
  /** prometheus_sd_* metrics of the "notify" discovery manager and its providers. */
  readonly discoveryHooks?: DiscoveryManagerHooks;
  readonly providerMetrics?: ProviderMetrics;
}

export const NOTIFIER_DEFAULTS = { queueCapacity: 10_000, batchSize: 256, discoveryUpdateIntervalMs: 5000 } as const;

/** Per-Alertmanager counters (prometheus_notifications_{sent,errors}_total{alertmanager=...}). */
export interface AlertmanagerCounters {
  /** Alerts posted, accepted or not (as Prometheus counts them). */
  sent: number;
  /** Failed POSTs. */
  errors: number;
  /** Seconds the last POST took. */
  lastLatencySeconds: number;
}

/** The v2 API's PostableAlert (v1 takes the same fields). */
interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

function toPostable(a: Alert): PostableAlert {
  const out: PostableAlert = { labels: labelsToRecord(a.labels), annotations: labelsToRecord(a.annotations) };
  if (a.startsAtMs !== 0) out.startsAt = new Date(a.startsAtMs).toISOString();
  if (a.endsAtMs !== 0) out.endsAt = new Date(a.endsAtMs).toISOString();
  if (a.generatorUrl !== "") out.generatorURL = a.generatorUrl;
  return out;
}

export class Notifier {
  private readonly logger: Logger;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly discovery: DiscoveryManager;
  private readonly providerMetrics: ProviderMetrics | undefined;
  private queue: Alert[] = [];
  private sets = new Map<string, AlertmanagerSet>();
  private externalLabels: Labels = [];
  private relabelConfigs: AlertingConfig["alertRelabelConfigs"] = [];
  private wake: (() => void) | undefined;
  private stopped = false;
  private readonly loop: Promise<void>;
  /** prometheus_notifications_dropped_total */
  dropped = 0;
  /** Alerts accepted by at least one Alertmanager. */
  sent = 0;
  /** Failed POSTs over all Alertmanagers (prometheus_notifications_errors_total summed). */
  errors = 0;
  /** By Alertmanager URL. */
  readonly perAlertmanager = new Map<string, AlertmanagerCounters>();

  constructor(opts: NotifierOptions = {}) {
    this.logger = (opts.logger ?? nopLogger).with({ component: "notifier" });
    this.capacity = opts.queueCapacity ?? NOTIFIER_DEFAULTS.queueCapacity;
    this.batchSize = opts.batchSize ?? NOTIFIER_DEFAULTS.batchSize;
    this.discovery = new DiscoveryManager({ logger: opts.logger, updateIntervalMs: opts.discoveryUpdateIntervalMs ?? NOTIFIER_DEFAULTS.discoveryUpdateIntervalMs, hooks: opts.discoveryHooks });
    this.providerMetrics = opts.providerMetrics;
    this.discovery.subscribe((u) => this.onTargets(u));
    this.loop = this.run();
  }

  /** prometheus_notifications_queue_length */
  get queueLength(): number {
    return this.queue.length;
  }

  get queueCapacity(): number {
    return this.capacity;
  }

  /** Applies the alerting section: relabeling, external labels, and (re)starts Alertmanager discovery. */
  async applyConfig(cfg: AlertingConfig, externalLabels: Labels): Promise<void> {
    this.externalLabels = externalLabels;
    this.relabelConfigs = cfg.alertRelabelConfigs;
    const sets = new Map<string, AlertmanagerSet>();
    const jobs = new Map<string, Discoverer[]>();
    cfg.alertmanagers.forEach((am, i) => {
      const name = `config-${i}`;
      // An unchanged entry keeps its set: known URLs (until discovery reports again, so no
      // alert is lost meanwhile) and open connections.
      const prev = this.sets.get(name);
      const set = prev && JSON.stringify(prev.cfg) === JSON.stringify(am) ? prev : new AlertmanagerSet({ cfg: am, logger: this.logger });
      sets.set(name, set);
      jobs.set(name, this.discoverers(am));
    });
    const kept = new Set(sets.values());
    for (const s of this.sets.values()) if (!kept.has(s)) void s.close();
    this.sets = sets;
    await this.discovery.applyConfig(jobs);
  }

  private discoverers(am: AlertmanagerConfig): Discoverer[] {
    const list: Discoverer[] = [];
    if (am.staticConfigs.length > 0) list.push(new StaticDiscoverer({ configs: am.staticConfigs.map((g) => ({ targets: g.targets, labels: labelsToRecord(g.labels) })) }));
    for (const f of am.fileSdConfigs) list.push(new FileDiscoverer({ files: f.files, refreshIntervalMs: f.refreshIntervalMs, logger: this.logger }));
    for (const h of am.httpSdConfigs) list.push(new HttpDiscoverer({ url: h.url, refreshIntervalMs: h.refreshIntervalMs, httpClientConfig: h.httpClientConfig, logger: this.logger }));
    for (const d of am.dnsSdConfigs) {
      if (d.type === "MX" || d.type === "NS") {
        this.logger.warn("DNS-SD record type not supported for Alertmanager discovery; skipping", { type: d.type });
        continue;
      }
      list.push(new DnsDiscoverer({ names: d.names, type: d.type, port: d.port, refreshIntervalMs: d.refreshIntervalMs, logger: this.logger }));
    }
    for (const config of am.kubernetesSdConfigs) list.push(new KubernetesDiscoverer({ config, logger: this.logger, metrics: this.providerMetrics?.kubernetes }));
    for (const config of am.consulSdConfigs) list.push(new ConsulDiscoverer({ config, logger: this.logger, metrics: this.providerMetrics?.consul }));
    for (const config of am.dockerSdConfigs) list.push(new DockerDiscoverer({ config, logger: this.logger }));
    return list;
  }

  private onTargets(update: TargetSetUpdate): void {
    for (const [name, groups] of update) {
      const set = this.sets.get(name);
      if (set) set.urls = alertmanagerUrls(groups, set.cfg);
    }
  }

  /** Active and dropped Alertmanager push URLs, for /api/v1/alertmanagers. */
  alertmanagers(): { active: string[]; dropped: string[] } {
    const active: string[] = [];
    const dropped: string[] = [];
    for (const s of this.sets.values()) {
      for (const u of s.urls.active) if (!active.includes(u)) active.push(u);
      for (const u of s.urls.dropped) if (!dropped.includes(u)) dropped.push(u);
    }
    return { active, dropped };
  }

  /** Queues alerts: external labels are added where the alert lacks them, then alert_relabel_configs apply. */
  send(alerts: readonly Alert[]): void {
    if (this.stopped) return;
    let prepared: Alert[] = [];
    for (const a of alerts) {
      let labels = a.labels;
      const missing = this.externalLabels.filter((l) => !labels.some((x) => x.name === l.name));
      if (missing.length > 0) labels = [...labels, ...missing].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
      const relabeled = relabel(labels, this.relabelConfigs);
      if (relabeled === undefined || relabeled.length === 0) continue;
      prepared.push({ ...a, labels: relabeled });
    }
    if (prepared.length > this.capacity) {
      const d = prepared.length - this.capacity;
      prepared = prepared.slice(d);
      this.logger.warn("Alert batch larger than queue capacity, dropping alerts", { num_dropped: d });
      this.dropped += d;
    }
    const overflow = this.queue.length + prepared.length - this.capacity;
    if (overflow > 0) {
      this.queue = this.queue.slice(overflow);
      this.logger.warn("Alert notification queue full, dropping alerts", { num_dropped: overflow });
      this.dropped += overflow;
    }
    this.queue.push(...prepared);
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const batch = this.queue.splice(0, this.batchSize);
      try {
        if (!(await this.sendAll(batch))) this.dropped += batch.length;
      } catch (err) {
        this.dropped += batch.length;
        this.logger.error("Sending alerts failed", { err });
      }
    }
  }

  /** Posts a batch to every Alertmanager; true when at least one accepted it. */
  private async sendAll(batch: readonly Alert[]): Promise<boolean> {
    const body = JSON.stringify(batch.map(toPostable));
    let ok = 0;
    const posts: Promise<void>[] = [];
    for (const set of this.sets.values()) {
      for (const url of set.urls.active) {
        const c = this.counters(url);
        const start = performance.now();
        posts.push(
          set.post(url, body).then(
            () => {
              c.sent += batch.length;
              c.lastLatencySeconds = (performance.now() - start) / 1000;
              ok++;
            },
            (err: unknown) => {
              c.sent += batch.length;
              c.errors++;
              this.errors++;
              this.logger.error("Error sending alert", { alertmanager: url, count: batch.length, err });
            },
          ),
        );
      }
    }
    await Promise.all(posts);
    if (ok > 0) this.sent += batch.length;
    else if (posts.length === 0) this.logger.debug("No Alertmanagers to send alerts to", { alerts: batch.map((a) => labelsToString(a.labels)).slice(0, 3) });
    return ok > 0;
  }

  private counters(url: string): AlertmanagerCounters {
    let c = this.perAlertmanager.get(url);
    if (!c) this.perAlertmanager.set(url, (c = { sent: 0, errors: 0, lastLatencySeconds: 0 }));
    return c;
  }

  /** Sends what is queued (bounded by drainTimeoutMs), then stops discovery and the send loop. */
  async stop(drainTimeoutMs = 5000): Promise<void> {
    if (this.stopped) return;
    const deadline = Date.now() + drainTimeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.discovery.stop();
    await Promise.all([...this.sets.values()].map((s) => s.close()));
  }
}
