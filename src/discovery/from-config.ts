// Builds a scrape job's discoverers from its service discovery sections, in the order
// Prometheus registers them (static, then file, http, dns).
import type { Logger } from "../log/logger.js";
import { DnsDiscoverer, type DnsSdOptions } from "./dns.js";
import { FileDiscoverer, type FileSdOptions } from "./file.js";
import { HttpDiscoverer, type HttpSdOptions } from "./http.js";
import type { Discoverer } from "./interface.js";
import { StaticDiscoverer, type StaticConfig } from "./static.js";

export interface ServiceDiscoveryConfigs {
  readonly staticConfigs?: readonly StaticConfig[];
  readonly fileSdConfigs?: ReadonlyArray<Omit<FileSdOptions, "logger">>;
  readonly httpSdConfigs?: ReadonlyArray<Omit<HttpSdOptions, "logger">>;
  readonly dnsSdConfigs?: ReadonlyArray<Omit<DnsSdOptions, "logger">>;
}

export function discoverersFor(cfg: ServiceDiscoveryConfigs, logger?: Logger): Discoverer[] {
  const out: Discoverer[] = [];
  if (cfg.staticConfigs && cfg.staticConfigs.length > 0) out.push(new StaticDiscoverer({ configs: cfg.staticConfigs }));
  for (const c of cfg.fileSdConfigs ?? []) out.push(new FileDiscoverer({ ...c, logger }));
  for (const c of cfg.httpSdConfigs ?? []) out.push(new HttpDiscoverer({ ...c, logger }));
  for (const c of cfg.dnsSdConfigs ?? []) out.push(new DnsDiscoverer({ ...c, logger }));
  return out;
}
