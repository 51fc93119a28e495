// consul_sd_configs: services from a Consul agent's HTTP API with blocking queries. The
// catalog (/v1/catalog/services) is watched for which services exist, unless the config
// names its services and filters neither by tag nor by expression; each service's
// instances come from /v1/health/service/<name>, one group per service. A blocking query
// waits at the agent (up to 2 minutes) until the index moves; queries of one watch start at
// most once per refresh_interval. Requests go through the shared HTTP client.
import type { ConsulSDConfig } from "../config/types.js";
import { HttpClient, PROMETHEUS_USER_AGENT } from "../httpclient/client.js";
import { nopLogger, type Logger } from "../log/logger.js";
import type { Discoverer, TargetGroup } from "./interface.js";
import { joinHostPort, sanitizeLabelName as sanitize } from "./meta-labels.js";
import { sleep } from "./refresh.js";

/** prometheus_sd_consul_rpc_failures_total and prometheus_sd_consul_rpc_duration_seconds. */
export interface ConsulSdMetrics {
  rpcFailure(): void;
  rpcDuration(call: "services" | "service", seconds: number): void;
}

export interface ConsulSdOptions {
  readonly config: ConsulSDConfig;
  readonly logger?: Logger;
  readonly metrics?: ConsulSdMetrics;
  /** How long the agent may hold a blocking query (Prometheus: 2m) and the pause after a failure (15s); shorter in tests. */
  readonly watchTimeoutMs?: number;
  readonly retryIntervalMs?: number;
}

interface ServiceEntry {
  readonly Node?: { readonly Node?: string; readonly Address?: string; readonly TaggedAddresses?: Record<string, string>; readonly Meta?: Record<string, string> };
  readonly Service?: { readonly ID?: string; readonly Tags?: string[]; readonly Address?: string; readonly Port?: number; readonly Meta?: Record<string, string>; readonly Namespace?: string; readonly Partition?: string };
  readonly Checks?: ReadonlyArray<{ readonly CheckID?: string; readonly Status?: string }>;
}

const P = "__meta_consul_";

/** Consul's aggregated check status: maintenance, then critical, then warning, else passing. */
export function aggregatedStatus(checks: ServiceEntry["Checks"]): string {
  let warning = false;
  let critical = false;
  let maintenance = false;
  for (const c of checks ?? []) {
    if (c.CheckID === "_node_maintenance" || c.CheckID?.startsWith("_service_maintenance:")) maintenance = true;
    else if (c.Status === "critical") critical = true;
    else if (c.Status === "warning") warning = true;
  }
  return maintenance ? "maintenance" : critical ? "critical" : warning ? "warning" : "passing";
}

export class ConsulDiscoverer implements Discoverer {
  private readonly cfg: ConsulSDConfig;
  private readonly logger: Logger;
  private readonly opts: ConsulSdOptions;
  private readonly client: HttpClient;
  private readonly base: string;
  private readonly watchTimeoutMs: number;
  private readonly retryIntervalMs: number;
  private datacenter: string;

  constructor(opts: ConsulSdOptions) {
    this.opts = opts;
    this.cfg = opts.config;
    this.logger = (opts.logger ?? nopLogger).with({ discovery: "consul" });
    this.client = new HttpClient({ config: this.cfg.httpClientConfig, userAgent: PROMETHEUS_USER_AGENT });
    // server may carry its scheme, as the Consul client allows.
    const server = /^https?:\/\//.test(this.cfg.server) ? this.cfg.server : `${this.cfg.scheme}://${this.cfg.server}`;
    this.base = server.replace(/\/$/, "") + this.cfg.pathPrefix.replace(/\/$/, "");
    this.watchTimeoutMs = opts.watchTimeoutMs ?? 120_000;
    this.retryIntervalMs = opts.retryIntervalMs ?? 15_000;
    this.datacenter = this.cfg.datacenter;
  }

  /** One GET; for blocking queries index is the last X-Consul-Index seen (0: answer at once). */
  private async get(path: string, params: Array<[string, string]>, index: number, signal: AbortSignal): Promise<{ body: unknown; index: number }> {
    const u = new URL(this.base + path);
    const c = this.cfg;
    const query: Array<[string, string]> = [...params];
    if (index > 0) query.push(["index", String(index)], ["wait", `${this.watchTimeoutMs}ms`]);
    if (c.allowStale) query.push(["stale", ""]);
    if (this.datacenter !== "") query.push(["dc", this.datacenter]);
    if (c.namespace !== "") query.push(["ns", c.namespace]);
    if (c.partition !== "") query.push(["partition", c.partition]);
    for (const [k, v] of query) u.searchParams.append(k, v);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (c.token !== "") headers["X-Consul-Token"] = c.token;
    // The agent holds a blocking query up to wait plus a jitter of wait/16.
    const res = await this.client.request(u, { headers, signal, timeoutMs: this.watchTimeoutMs + 15_000, acceptGzip: true });
    if (res.status !== 200) throw new Error(`GET ${u.pathname}: Unexpected response code: ${res.status} (${res.body.toString("utf8").trim().slice(0, 200)})`);
    let body: unknown;
    try {
      body = JSON.parse(res.body.toString("utf8"));
    } catch (cause) {
      throw new Error(`GET ${u.pathname}: invalid JSON`, { cause });
    }
    return { body, index: Number(res.headers["x-consul-index"] ?? 0) || 0 };
  }

  /** Filters shared by the catalog and health queries: node metadata. */
  private nodeMetaParams(): Array<[string, string]> {
    return Object.entries(this.cfg.nodeMeta).map(([k, v]) => ["node-meta", `${k}:${v}`]);
  }

  private shouldWatch(name: string, tags: readonly string[]): boolean {
    if (this.cfg.services.length > 0 && !this.cfg.services.includes(name)) return false;
    return this.cfg.tags.every((t) => tags.includes(t));
  }

  async run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    try {
      while (this.datacenter === "" && !signal.aborted) {
        try {
          const { body } = await this.get("/v1/agent/self", [], 0, signal);
          const dc = (body as { Config?: { Datacenter?: unknown } }).Config?.Datacenter;
          if (typeof dc !== "string") throw new Error(`invalid value '${String(dc)}' for Config.Datacenter`);
          this.datacenter = dc;
        } catch (err) {
          if (signal.aborted) break;
          this.logger.error("Error retrieving datacenter name", { err });
          this.opts.metrics?.rpcFailure();
          await sleep(this.retryIntervalMs, signal);
        }
      }
      const c = this.cfg;
      if (c.services.length === 0 || c.tags.length > 0 || c.filter !== "") await this.watchCatalog(signal, emit);
      else await Promise.all(c.services.map((name) => this.watchService(name, signal, emit)));
    } finally {
      this.client.close();
    }
  }

  /** Repeats query (with the last index) at most once per refresh interval until signal aborts. */
  private async loop(signal: AbortSignal, query: (index: number) => Promise<number>): Promise<void> {
    let index = 0;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        index = await query(index);
      } catch (err) {
        if (signal.aborted) return;
        this.opts.metrics?.rpcFailure();
        throw err;
      }
      await sleep(Math.max(0, started + this.cfg.refreshIntervalMs - Date.now()), signal);
    }
  }

  private async watchCatalog(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    const watched = new Map<string, AbortController>();
    const running: Promise<void>[] = [];
    const params: Array<[string, string]> = [...this.nodeMetaParams()];
    if (this.cfg.filter !== "") params.push(["filter", this.cfg.filter]);
    while (!signal.aborted) {
      try {
        await this.loop(signal, async (index) => {
          const t0 = performance.now();
          const res = await this.get("/v1/catalog/services", params, index, signal);
          this.opts.metrics?.rpcDuration("services", (performance.now() - t0) / 1000);
          if (res.index === index) return index;
          const services = (res.body ?? {}) as Record<string, string[] | null>;
          for (const [name, tags] of Object.entries(services)) {
            if (!this.shouldWatch(name, tags ?? []) || watched.has(name)) continue;
            const ac = new AbortController();
            const stop = (): void => ac.abort();
            signal.addEventListener("abort", stop, { once: true });
            watched.set(name, ac);
            running.push(this.watchService(name, ac.signal, emit).finally(() => signal.removeEventListener("abort", stop)));
          }
          for (const [name, ac] of watched) {
            if (name in services) continue;
            ac.abort();
            watched.delete(name);
            emit([{ source: name, targets: [], labels: {} }]);
          }
          return res.index;
        });
      } catch (err) {
        this.logger.error("Error refreshing service list", { err });
        await sleep(this.retryIntervalMs, signal);
      }
    }
    await Promise.all(running);
  }

  private async watchService(name: string, signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    const params: Array<[string, string]> = [...this.cfg.tags.map((t): [string, string] => ["tag", t]), ...this.nodeMetaParams()];
    if (this.cfg.healthFilter !== "") params.push(["filter", this.cfg.healthFilter]);
    while (!signal.aborted) {
      try {
        await this.loop(signal, async (index) => {
          const t0 = performance.now();
          const res = await this.get(`/v1/health/service/${encodeURIComponent(name)}`, params, index, signal);
          this.opts.metrics?.rpcDuration("service", (performance.now() - t0) / 1000);
          if (res.index === index) return index;
          if (!signal.aborted) emit([this.group(name, (res.body ?? []) as ServiceEntry[])]);
          return res.index;
        });
      } catch (err) {
        this.logger.error("Error refreshing service", { service: name, tags: this.cfg.tags.join(","), err });
        await sleep(this.retryIntervalMs, signal);
      }
    }
  }

  private group(name: string, entries: readonly ServiceEntry[]): TargetGroup {
    const sep = this.cfg.tagSeparator;
    const targets = entries.map((e) => {
      const node = e.Node ?? {};
      const svc = e.Service ?? {};
      const port = svc.Port ?? 0;
      const t: Record<string, string> = {
        __address__: joinHostPort(svc.Address || node.Address || "", port),
        [`${P}address`]: node.Address ?? "",
        [`${P}node`]: node.Node ?? "",
        [`${P}namespace`]: svc.Namespace ?? "",
        [`${P}partition`]: svc.Partition ?? "",
        // Separators at both ends, so that relabeling can match ",tag," whatever its position.
        [`${P}tags`]: sep + (svc.Tags ?? []).join(sep) + sep,
        [`${P}service_address`]: svc.Address ?? "",
        [`${P}service_port`]: String(port),
        [`${P}service_id`]: svc.ID ?? "",
        [`${P}health`]: aggregatedStatus(e.Checks),
      };
      for (const [k, v] of Object.entries(node.Meta ?? {})) t[`${P}metadata_${sanitize(k)}`] = v;
      for (const [k, v] of Object.entries(svc.Meta ?? {})) t[`${P}service_metadata_${sanitize(k)}`] = v;
      for (const [k, v] of Object.entries(node.TaggedAddresses ?? {})) t[`${P}tagged_address_${sanitize(k)}`] = v;
      return t;
    });
    return { source: name, targets, labels: { [`${P}service`]: name, [`${P}dc`]: this.datacenter } };
  }
}
