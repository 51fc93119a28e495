// What a scrape job needs, in the scrape subsystem's own terms. src/config maps a parsed
// scrape_config onto this; times are ms, limits 0 mean "no limit", as in Prometheus.
import type { HTTPClientConfig } from "../config/types.js";
import type { RelabelConfig } from "../relabel/config.js";

export type ScrapeProtocol = "OpenMetricsText1.0.0" | "OpenMetricsText0.0.1" | "PrometheusText0.0.4" | "PrometheusProto";

export interface BasicAuthOptions {
  readonly username: string;
  readonly password?: string;
  /** Read on every scrape, so rotated secrets apply without a reload. */
  readonly passwordFile?: string;
}

export interface AuthorizationOptions {
  /** Defaults to "Bearer". */
  readonly type?: string;
  readonly credentials?: string;
  /** Read on every scrape. */
  readonly credentialsFile?: string;
}

export interface TlsOptions {
  /** PEM contents or file paths; files are read when the job is applied. */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify?: boolean;
}

export interface ScrapeJobOptions {
  readonly jobName: string;
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  /** Defaults to "/metrics". */
  readonly metricsPath?: string;
  /** "http" (default) or "https". */
  readonly scheme?: string;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  readonly honorLabels?: boolean;
  /** Defaults to true. */
  readonly honorTimestamps?: boolean;
  readonly basicAuth?: BasicAuthOptions;
  readonly authorization?: AuthorizationOptions;
  readonly tls?: TlsOptions;
  /** An http:// proxy; https targets are tunnelled with CONNECT. */
  readonly proxyUrl?: string;
  /** Defaults to true. */
  readonly followRedirects?: boolean;
  readonly relabelConfigs?: readonly RelabelConfig[];
  readonly metricRelabelConfigs?: readonly RelabelConfig[];
  /** Bytes of uncompressed body; 0 = unlimited. */
  readonly bodySizeLimitBytes?: number;
  readonly sampleLimit?: number;
  readonly targetLimit?: number;
  readonly labelLimit?: number;
  readonly labelNameLengthLimit?: number;
  readonly labelValueLengthLimit?: number;
  /**
   * The job's whole http_client_config (oauth2, no_proxy, proxy_from_environment, …). When
   * set it is used as it is, and the auth, tls and proxy fields above are not consulted.
   */
  readonly httpClientConfig?: HTTPClientConfig;
  /** Preference order of formats for the Accept header; Prometheus 2.42's header when unset. */
  readonly scrapeProtocols?: readonly ScrapeProtocol[];
}

export const DEFAULT_METRICS_PATH = "/metrics";
export const DEFAULT_SCHEME = "http";
