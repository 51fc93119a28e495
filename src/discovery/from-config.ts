// Builds a scrape job's discoverers from its service discovery sections, in the order
// Prometheus registers them (static, then file, http, dns, kubernetes, consul, docker).
import type { ConsulSDConfig, DockerSDConfig, KubernetesSDConfig } from "../config/types.js";
import type { Logger } from "../log/logger.js";
import { ConsulDiscoverer, type ConsulSdMetrics } from "./consul.js";
import { DnsDiscoverer, type DnsSdOptions } from "./dns.js";
import { DockerDiscoverer } from "./docker.js";
import { FileDiscoverer, type FileSdOptions } from "./file.js";
import { HttpDiscoverer, type HttpSdOptions } from "./http.js";
import type { Discoverer } from "./interface.js";
import { KubernetesDiscoverer, type KubernetesSdMetrics } from "./kubernetes/discoverer.js";
import { StaticDiscoverer, type StaticConfig } from "./static.js";

export interface ServiceDiscoveryConfigs {
  readonly staticConfigs?: readonly StaticConfig[];
  readonly fileSdConfigs?: ReadonlyArray<Omit<FileSdOptions, "logger">>;
  readonly httpSdConfigs?: ReadonlyArray<Omit<HttpSdOptions, "logger">>;
  readonly dnsSdConfigs?: ReadonlyArray<Omit<DnsSdOptions, "logger">>;
  readonly kubernetesSdConfigs?: readonly KubernetesSDConfig[];
  readonly consulSdConfigs?: readonly ConsulSDConfig[];
  readonly dockerSdConfigs?: readonly DockerSDConfig[];
}

/** Where providers report their own prometheus_sd_<mechanism>_* metrics. */
export interface ProviderMetrics {
  readonly kubernetes?: KubernetesSdMetrics;
  readonly consul?: ConsulSdMetrics;
}

export interface DiscoveryDeps {
  readonly logger?: Logger;
  readonly metrics?: ProviderMetrics;
}

export function discoverersFor(cfg: ServiceDiscoveryConfigs, deps: DiscoveryDeps = {}): Discoverer[] {
  const logger = deps.logger;
  const out: Discoverer[] = [];
  if (cfg.staticConfigs && cfg.staticConfigs.length > 0) out.push(new StaticDiscoverer({ configs: cfg.staticConfigs }));
  for (const c of cfg.fileSdConfigs ?? []) out.push(new FileDiscoverer({ ...c, logger }));
  for (const c of cfg.httpSdConfigs ?? []) out.push(new HttpDiscoverer({ ...c, logger }));
  for (const c of cfg.dnsSdConfigs ?? []) out.push(new DnsDiscoverer({ ...c, logger }));
  for (const config of cfg.kubernetesSdConfigs ?? []) out.push(new KubernetesDiscoverer({ config, logger, metrics: deps.metrics?.kubernetes }));
  for (const config of cfg.consulSdConfigs ?? []) out.push(new ConsulDiscoverer({ config, logger, metrics: deps.metrics?.consul }));
  for (const config of cfg.dockerSdConfigs ?? []) out.push(new DockerDiscoverer({ config, logger }));
  return out;
}
