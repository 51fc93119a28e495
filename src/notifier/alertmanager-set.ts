// One alerting.alertmanagers entry: turns discovered targets into Alertmanager URLs (with the
// configured scheme, path_prefix and relabeling) and posts alert batches to each of them.
import type { AlertmanagerConfig } from "../config/types.js";
import type { TargetGroup } from "../discovery/interface.js";
import { HttpClient, PROMETHEUS_USER_AGENT } from "../httpclient/client.js";
import { RequestTimeoutError } from "../httpclient/errors.js";
import type { Logger } from "../log/logger.js";
import { getLabel, labelsFromRecord } from "../model/labels.js";
import { relabel } from "../relabel/relabel.js";
import { AlertmanagerSendError } from "./errors.js";

const ALERTS_PATH_LABEL = "__alerts_path__";

/** The push path for an API version under a prefix, cleaned like Go's path.Join. */
export function postPath(prefix: string, apiVersion: string): string {
  const joined = `/${prefix}/api/${apiVersion}/alerts`.replace(/\/+/g, "/");
  const parts: string[] = [];
  for (const seg of joined.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return "/" + parts.join("/");
}

export interface AlertmanagerTargets {
  readonly active: string[];
  readonly dropped: string[];
}

/** Alertmanager URLs from discovered groups: relabel_configs decide which are kept. */
export function alertmanagerUrls(groups: readonly TargetGroup[], cfg: AlertmanagerConfig): AlertmanagerTargets {
  const active: string[] = [];
  const dropped: string[] = [];
  for (const g of groups) {
    for (const t of g.targets) {
      const rec: Record<string, string> = { ...t, __scheme__: cfg.scheme, [ALERTS_PATH_LABEL]: postPath(cfg.pathPrefix, cfg.apiVersion) };
      for (const [k, v] of Object.entries(g.labels)) if (!(k in t)) rec[k] = v;
      const base = labelsFromRecord(rec);
      const out = relabel(base, cfg.relabelConfigs);
      const ls = out ?? base;
      const url = `${getLabel(ls, "__scheme__")}://${getLabel(ls, "__address__")}${getLabel(ls, ALERTS_PATH_LABEL)}`;
      const list = out ? active : dropped;
      if (!list.includes(url)) list.push(url);
    }
  }
  return { active, dropped };
}

/** Posts one JSON body to every active Alertmanager of a config entry, with the entry's http_client_config. */
export class AlertmanagerSet {
  readonly cfg: AlertmanagerConfig;
  urls: AlertmanagerTargets = { active: [], dropped: [] };
  private readonly logger: Logger;
  private readonly client: HttpClient;
  private readonly inflight = new Set<Promise<void>>();

  constructor(opts: { cfg: AlertmanagerConfig; logger: Logger }) {
    this.cfg = opts.cfg;
    this.logger = opts.logger;
    this.client = new HttpClient({ config: opts.cfg.httpClientConfig, userAgent: PROMETHEUS_USER_AGENT });
  }

  /** Sends body to one Alertmanager URL; rejects with AlertmanagerSendError on failure or a non-2xx status. */
  post(url: string, body: string): Promise<void> {
    const p = this.send(url, body);
    const tracked = p.catch(() => undefined);
    this.inflight.add(tracked);
    void tracked.then(() => this.inflight.delete(tracked));
    return p;
  }

  private async send(url: string, body: string): Promise<void> {
    let res;
    try {
      res = await this.client.request(url, { method: "POST", body, headers: { "Content-Type": "application/json" }, timeoutMs: this.cfg.timeoutMs });
    } catch (cause) {
      throw new AlertmanagerSendError(url, cause instanceof RequestTimeoutError ? "context deadline exceeded" : "send", { cause });
    }
    if (res.status < 200 || res.status > 299) {
      throw new AlertmanagerSendError(url, `bad response status ${res.status} ${res.statusText}`.trim() + `: ${res.body.toString("utf8").slice(0, 200)}`);
    }
    this.logger.debug("Alerts sent", { alertmanager: url });
  }

  /** Closes the connections once the posts under way have finished. */
  async close(): Promise<void> {
    await Promise.all(this.inflight);
    this.client.close();
  }
}
