// One alerting.alertmanagers entry: turns discovered targets into Alertmanager URLs (with the
// configured scheme, path_prefix and relabeling) and posts alert batches to each of them.
import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { AlertmanagerConfig } from "../config/types.js";
import type { TargetGroup } from "../discovery/interface.js";
import type { Logger } from "../log/logger.js";
import { getLabel, labelsFromRecord } from "../model/labels.js";
import { relabel } from "../relabel/relabel.js";
import { AlertmanagerSendError } from "./errors.js";

const ALERTS_PATH_LABEL = "__alerts_path__";
const USER_AGENT = "Prometheus/2.42.0 promwasm/0.1.0";

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

async function readSecret(inline: string, file: string): Promise<string> {
  if (file !== "") return (await readFile(file, "utf8")).trim();
  return inline;
}

/** Posts one JSON body to every active Alertmanager of a config entry. */
export class AlertmanagerSet {
  readonly cfg: AlertmanagerConfig;
  urls: AlertmanagerTargets = { active: [], dropped: [] };
  private readonly logger: Logger;

  constructor(opts: { cfg: AlertmanagerConfig; logger: Logger }) {
    this.cfg = opts.cfg;
    this.logger = opts.logger;
    const c = opts.cfg.httpClientConfig;
    if (c.proxyUrl !== "" || c.proxyFromEnvironment) this.logger.warn("proxy settings for Alertmanagers are not supported by promwasm; connecting directly");
    if (c.oauth2) this.logger.warn("oauth2 for Alertmanagers is not supported by promwasm; sending without credentials");
  }

  private async requestOptions(): Promise<RequestOptions> {
    const c = this.cfg.httpClientConfig;
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": USER_AGENT };
    if (c.basicAuth) {
      const password = await readSecret(c.basicAuth.password, c.basicAuth.passwordFile);
      headers.authorization = "Basic " + Buffer.from(`${c.basicAuth.username}:${password}`).toString("base64");
    } else if (c.authorization) {
      headers.authorization = `${c.authorization.type} ${await readSecret(c.authorization.credentials, c.authorization.credentialsFile)}`;
    }
    const t = c.tlsConfig;
    const pem = async (inline: string, file: string) => (inline !== "" ? inline : file !== "" ? await readFile(file, "utf8") : undefined);
    return {
      method: "POST",
      headers,
      ca: await pem(t.ca, t.caFile),
      cert: await pem(t.cert, t.certFile),
      key: await pem(t.key, t.keyFile),
      servername: t.serverName || undefined,
      rejectUnauthorized: !t.insecureSkipVerify,
    };
  }

  /** Sends body to one Alertmanager URL; rejects with AlertmanagerSendError on failure or a non-2xx status. */
  async post(url: string, body: string): Promise<void> {
    const opts = await this.requestOptions();
    const u = new URL(url);
    const req = u.protocol === "https:" ? httpsRequest : httpRequest;
    await new Promise<void>((resolve, reject) => {
      const r = req(u, { ...opts, signal: AbortSignal.timeout(this.cfg.timeoutMs) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new AlertmanagerSendError(url, `bad response status ${status} ${res.statusMessage ?? ""}`.trim() + `: ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`));
        });
        res.on("error", (cause) => reject(new AlertmanagerSendError(url, "read response", { cause })));
      });
      r.on("error", (cause) => reject(new AlertmanagerSendError(url, cause.name === "AbortError" || cause.name === "TimeoutError" ? "context deadline exceeded" : "send", { cause })));
      r.end(body);
    });
    this.logger.debug("Alerts sent", { alertmanager: url });
  }
}
