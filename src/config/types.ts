// The typed form of prometheus.yml, with Prometheus' defaults filled in.
// Durations are ms, sizes bytes. Relative file paths are already absolute.
import type { OTLPConfig } from "./otlp.js";
import type { Labels } from "../model/labels.js";

export interface TLSConfig {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly serverName: string;
  readonly insecureSkipVerify: boolean;
  readonly minVersion: string;
}

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
  readonly passwordFile: string;
}

export interface Authorization {
  readonly type: string;
  readonly credentials: string;
  readonly credentialsFile: string;
}

export interface OAuth2 {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientSecretFile: string;
  readonly scopes: readonly string[];
  readonly tokenUrl: string;
  readonly endpointParams: Readonly<Record<string, string>>;
}

/** Settings shared by everything that makes HTTP requests (scrapes, SD, remote, alertmanagers). */
export interface HTTPClientConfig {
  readonly basicAuth: BasicAuth | undefined;
  readonly authorization: Authorization | undefined;
  readonly oauth2: OAuth2 | undefined;
  readonly tlsConfig: TLSConfig;
  readonly proxyUrl: string;
  readonly noProxy: string;
  readonly proxyFromEnvironment: boolean;
  /** proxy_connect_header: headers (each with its values) sent on CONNECT to the proxy. */
  readonly proxyConnectHeader: Readonly<Record<string, readonly string[]>>;
  readonly followRedirects: boolean;
  readonly enableHttp2: boolean;
}

export type RelabelAction =
  | "replace" | "keep" | "drop" | "keepequal" | "dropequal" | "hashmod"
  | "labelmap" | "labeldrop" | "labelkeep" | "lowercase" | "uppercase";

/** One relabel_config; regex is the unanchored source (users anchor it as ^(?:regex)$). */
export interface RelabelRule {
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly regex: string;
  readonly modulus: number;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly action: RelabelAction;
}

export interface StaticTargetGroup {
  readonly targets: readonly string[];
  readonly labels: Labels;
  /** "<file>:<index>" style source, as Prometheus names static groups by index. */
  readonly source: string;
}

export interface FileSDConfig {
  readonly files: readonly string[];
  readonly refreshIntervalMs: number;
}

export interface HTTPSDConfig {
  readonly url: string;
  readonly refreshIntervalMs: number;
  readonly httpClientConfig: HTTPClientConfig;
}

export interface DNSSDConfig {
  readonly names: readonly string[];
  readonly type: "SRV" | "A" | "AAAA" | "MX" | "NS";
  readonly port: number;
  readonly refreshIntervalMs: number;
}

export type KubernetesRole = "node" | "pod" | "service" | "endpoints" | "endpointslice" | "ingress";

export interface KubernetesSelector {
  readonly role: KubernetesRole;
  readonly label: string;
  readonly field: string;
}

export interface KubernetesSDConfig {
  /** "" when unset: in-cluster config, or kubeconfigFile. */
  readonly apiServer: string;
  readonly role: KubernetesRole;
  readonly kubeconfigFile: string;
  readonly namespaces: { readonly ownNamespace: boolean; readonly names: readonly string[] };
  readonly selectors: readonly KubernetesSelector[];
  readonly attachMetadata: { readonly node: boolean; readonly namespace: boolean; readonly deployment: boolean; readonly job: boolean; readonly cronjob: boolean };
  readonly httpClientConfig: HTTPClientConfig;
}

export interface ConsulSDConfig {
  /** host:port of the agent. */
  readonly server: string;
  readonly pathPrefix: string;
  readonly token: string;
  /** "" asks the agent for its own. */
  readonly datacenter: string;
  readonly namespace: string;
  readonly partition: string;
  readonly tagSeparator: string;
  readonly scheme: string;
  readonly allowStale: boolean;
  readonly refreshIntervalMs: number;
  readonly services: readonly string[];
  readonly tags: readonly string[];
  readonly nodeMeta: Readonly<Record<string, string>>;
  readonly filter: string;
  readonly healthFilter: string;
  /** username/password, when given, are its basic_auth. */
  readonly httpClientConfig: HTTPClientConfig;
}

export interface DockerSDConfig {
  /** unix:///var/run/docker.sock, tcp://host:2375, http(s)://host:port. */
  readonly host: string;
  /** For containers without a published TCP port. */
  readonly port: number;
  readonly filters: ReadonlyArray<{ readonly name: string; readonly values: readonly string[] }>;
  readonly hostNetworkingHost: string;
  readonly refreshIntervalMs: number;
  readonly matchFirstNetwork: boolean;
  readonly httpClientConfig: HTTPClientConfig;
}

/** Service discovery for one job. */
export interface ServiceDiscoveryConfigs {
  readonly staticConfigs: readonly StaticTargetGroup[];
  readonly fileSdConfigs: readonly FileSDConfig[];
  readonly httpSdConfigs: readonly HTTPSDConfig[];
  readonly dnsSdConfigs: readonly DNSSDConfig[];
  readonly kubernetesSdConfigs: readonly KubernetesSDConfig[];
  readonly consulSdConfigs: readonly ConsulSDConfig[];
  readonly dockerSdConfigs: readonly DockerSDConfig[];
}

export interface ScrapeConfig extends ServiceDiscoveryConfigs {
  readonly jobName: string;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly params: Readonly<Record<string, readonly string[]>>;
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  readonly metricsPath: string;
  /** Not checked on load (Prometheus 2.42 accepts any); scrapes with other schemes fail. */
  readonly scheme: string;
  readonly bodySizeLimitBytes: number;
  readonly sampleLimit: number;
  readonly targetLimit: number;
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
  readonly httpClientConfig: HTTPClientConfig;
  readonly relabelConfigs: readonly RelabelRule[];
  readonly metricRelabelConfigs: readonly RelabelRule[];
}

export interface AlertmanagerConfig extends ServiceDiscoveryConfigs {
  readonly timeoutMs: number;
  readonly apiVersion: "v1" | "v2";
  readonly pathPrefix: string;
  readonly scheme: "http" | "https";
  readonly httpClientConfig: HTTPClientConfig;
  readonly relabelConfigs: readonly RelabelRule[];
}

export interface AlertingConfig {
  readonly alertRelabelConfigs: readonly RelabelRule[];
  readonly alertmanagers: readonly AlertmanagerConfig[];
}

export interface QueueConfig {
  readonly capacity: number;
  readonly maxShards: number;
  readonly minShards: number;
  readonly maxSamplesPerSend: number;
  readonly batchSendDeadlineMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly retryOnHttp429: boolean;
}

export interface MetadataConfig {
  readonly send: boolean;
  readonly sendIntervalMs: number;
  readonly maxSamplesPerSend: number;
}

export interface RemoteWriteConfig {
  readonly url: string;
  readonly name: string;
  readonly remoteTimeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly writeRelabelConfigs: readonly RelabelRule[];
  readonly sendExemplars: boolean;
  readonly sendNativeHistograms: boolean;
  /** protobuf_message: remote write 1.0's prometheus.WriteRequest (default) or 2.0's io.prometheus.write.v2.Request. */
  readonly protobufMessage: "prometheus.WriteRequest" | "io.prometheus.write.v2.Request";
  readonly queueConfig: QueueConfig;
  readonly metadataConfig: MetadataConfig;
  readonly httpClientConfig: HTTPClientConfig;
}

export interface RemoteReadConfig {
  readonly url: string;
  readonly name: string;
  readonly remoteTimeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly readRecent: boolean;
  readonly requiredMatchers: Readonly<Record<string, string>>;
  readonly filterExternalLabels: boolean;
  readonly httpClientConfig: HTTPClientConfig;
}

export interface GlobalConfig {
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  readonly evaluationIntervalMs: number;
  readonly externalLabels: Labels;
  readonly queryLogFile: string;
}

export interface StorageConfig {
  readonly tsdb: { readonly outOfOrderTimeWindowMs: number };
  readonly exemplars: { readonly maxExemplars: number };
}

export interface Config {
  readonly global: GlobalConfig;
  /** Rule file globs, absolute. */
  readonly ruleFiles: readonly string[];
  readonly scrapeConfigs: readonly ScrapeConfig[];
  readonly alerting: AlertingConfig;
  readonly remoteWriteConfigs: readonly RemoteWriteConfig[];
  readonly remoteReadConfigs: readonly RemoteReadConfig[];
  readonly storage: StorageConfig;
  /** The `otlp:` block (defaults when absent). */
  readonly otlp: OTLPConfig;
  /** The file it came from ("" for the built-in config) and the text it was parsed from. */
  readonly source: { readonly file: string; readonly text: string };
}

export const DEFAULT_GLOBAL: GlobalConfig = {
  scrapeIntervalMs: 60_000,
  scrapeTimeoutMs: 10_000,
  evaluationIntervalMs: 60_000,
  externalLabels: [],
  queryLogFile: "",
};

export const DEFAULT_TLS: TLSConfig = {
  caFile: "", certFile: "", keyFile: "", ca: "", cert: "", key: "", serverName: "", insecureSkipVerify: false, minVersion: "",
};

export const DEFAULT_HTTP_CLIENT: HTTPClientConfig = {
  basicAuth: undefined,
  authorization: undefined,
  oauth2: undefined,
  tlsConfig: DEFAULT_TLS,
  proxyUrl: "",
  noProxy: "",
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  followRedirects: true,
  enableHttp2: true,
};

export const DEFAULT_QUEUE: QueueConfig = {
  capacity: 2500,
  maxShards: 200,
  minShards: 1,
  maxSamplesPerSend: 500,
  batchSendDeadlineMs: 5000,
  minBackoffMs: 30,
  maxBackoffMs: 5000,
  retryOnHttp429: false,
};

export const DEFAULT_METADATA: MetadataConfig = { send: true, sendIntervalMs: 60_000, maxSamplesPerSend: 500 };
