// Maps the loaded config onto the scrape manager's job options and discovery's providers.
import type { Config, HTTPClientConfig, ScrapeConfig } from "../config/types.js";
import { discoverersFor } from "../discovery/from-config.js";
import type { Discoverer } from "../discovery/interface.js";
import type { Logger } from "../log/logger.js";
import { labelsToRecord } from "../model/labels.js";
import type { ScrapeJobOptions } from "../scrape/options.js";

export function scrapeJobs(cfg: Config): ScrapeJobOptions[] {
  return cfg.scrapeConfigs.map((sc) => jobOptions(sc));
}

function jobOptions(sc: ScrapeConfig): ScrapeJobOptions {
  const c = sc.httpClientConfig;
  const t = c.tlsConfig;
  return {
    jobName: sc.jobName,
    scrapeIntervalMs: sc.scrapeIntervalMs,
    scrapeTimeoutMs: sc.scrapeTimeoutMs,
    metricsPath: sc.metricsPath,
    scheme: sc.scheme,
    params: sc.params,
    honorLabels: sc.honorLabels,
    honorTimestamps: sc.honorTimestamps,
    basicAuth: c.basicAuth && { username: c.basicAuth.username, password: c.basicAuth.password || undefined, passwordFile: c.basicAuth.passwordFile || undefined },
    authorization: c.authorization && { type: c.authorization.type, credentials: c.authorization.credentials || undefined, credentialsFile: c.authorization.credentialsFile || undefined },
    tls: {
      caFile: t.caFile || undefined,
      certFile: t.certFile || undefined,
      keyFile: t.keyFile || undefined,
      ca: t.ca || undefined,
      cert: t.cert || undefined,
      key: t.key || undefined,
      serverName: t.serverName || undefined,
      insecureSkipVerify: t.insecureSkipVerify,
    },
    proxyUrl: c.proxyUrl || undefined,
    followRedirects: c.followRedirects,
    relabelConfigs: sc.relabelConfigs,
    metricRelabelConfigs: sc.metricRelabelConfigs,
    bodySizeLimitBytes: sc.bodySizeLimitBytes,
    sampleLimit: sc.sampleLimit,
    targetLimit: sc.targetLimit,
    labelLimit: sc.labelLimit,
    labelNameLengthLimit: sc.labelNameLengthLimit,
    labelValueLengthLimit: sc.labelValueLengthLimit,
  };
}

/** Static request headers for HTTP SD from the config's auth settings (file-based secrets are read once here). */
function authHeaders(c: HTTPClientConfig): Record<string, string> {
  if (c.basicAuth) return { authorization: `Basic ${Buffer.from(`${c.basicAuth.username}:${c.basicAuth.password}`).toString("base64")}` };
  if (c.authorization && c.authorization.credentials !== "") return { authorization: `${c.authorization.type} ${c.authorization.credentials}` };
  return {};
}

/** One list of discoverers per job; kinds promwasm does not run are logged and skipped. */
export function scrapeDiscoverers(cfg: Config, logger: Logger): Map<string, Discoverer[]> {
  const out = new Map<string, Discoverer[]>();
  for (const sc of cfg.scrapeConfigs) {
    for (const d of sc.dnsSdConfigs) {
      if (d.type === "MX" || d.type === "NS") logger.warn("DNS-SD record type not supported; skipping", { job: sc.jobName, type: d.type });
    }
    for (const kind of sc.unsupported) logger.warn("service discovery mechanism not supported by promwasm; its targets are ignored", { job: sc.jobName, mechanism: `${kind}_sd_configs` });
    const discoverers = discoverersFor(
      {
        staticConfigs: sc.staticConfigs.map((g) => ({ targets: g.targets, labels: labelsToRecord(g.labels) })),
        fileSdConfigs: sc.fileSdConfigs.map((f) => ({ files: f.files, refreshIntervalMs: f.refreshIntervalMs })),
        httpSdConfigs: sc.httpSdConfigs.map((h) => ({ url: h.url, refreshIntervalMs: h.refreshIntervalMs, headers: authHeaders(h.httpClientConfig) })),
        dnsSdConfigs: sc.dnsSdConfigs.flatMap((d) => (d.type === "MX" || d.type === "NS" ? [] : [{ names: d.names, type: d.type, port: d.port, refreshIntervalMs: d.refreshIntervalMs }])),
      },
      logger,
    );
    out.set(sc.jobName, discoverers);
  }
  return out;
}
