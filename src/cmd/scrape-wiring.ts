// Maps the loaded config onto the scrape manager's job options and discovery's providers.
import type { Config, ScrapeConfig } from "../config/types.js";
import { discoverersFor, type DiscoveryDeps } from "../discovery/from-config.js";
import type { Discoverer } from "../discovery/interface.js";
import type { Logger } from "../log/logger.js";
import { labelsToRecord } from "../model/labels.js";
import type { ScrapeJobOptions } from "../scrape/options.js";

export function scrapeJobs(cfg: Config): ScrapeJobOptions[] {
  return cfg.scrapeConfigs.map((sc) => jobOptions(sc));
}

function jobOptions(sc: ScrapeConfig): ScrapeJobOptions {
  return {
    jobName: sc.jobName,
    scrapeIntervalMs: sc.scrapeIntervalMs,
    scrapeTimeoutMs: sc.scrapeTimeoutMs,
    metricsPath: sc.metricsPath,
    scheme: sc.scheme,
    params: sc.params,
    honorLabels: sc.honorLabels,
    honorTimestamps: sc.honorTimestamps,
    httpClientConfig: sc.httpClientConfig,
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

/** One list of discoverers per job. */
export function scrapeDiscoverers(cfg: Config, logger: Logger, deps: Omit<DiscoveryDeps, "logger"> = {}): Map<string, Discoverer[]> {
  const out = new Map<string, Discoverer[]>();
  for (const sc of cfg.scrapeConfigs) {
    for (const d of sc.dnsSdConfigs) {
      if (d.type === "MX" || d.type === "NS") logger.warn("DNS-SD record type not supported; skipping", { job: sc.jobName, type: d.type });
    }
    const discoverers = discoverersFor(
      {
        staticConfigs: sc.staticConfigs.map((g) => ({ targets: g.targets, labels: labelsToRecord(g.labels) })),
        fileSdConfigs: sc.fileSdConfigs.map((f) => ({ files: f.files, refreshIntervalMs: f.refreshIntervalMs })),
        httpSdConfigs: sc.httpSdConfigs.map((h) => ({ url: h.url, refreshIntervalMs: h.refreshIntervalMs, httpClientConfig: h.httpClientConfig })),
        dnsSdConfigs: sc.dnsSdConfigs.flatMap((d) => (d.type === "MX" || d.type === "NS" ? [] : [{ names: d.names, type: d.type, port: d.port, refreshIntervalMs: d.refreshIntervalMs }])),
        kubernetesSdConfigs: sc.kubernetesSdConfigs,
        consulSdConfigs: sc.consulSdConfigs,
        dockerSdConfigs: sc.dockerSdConfigs,
      },
      { ...deps, logger },
    );
    out.set(sc.jobName, discoverers);
  }
  return out;
}
