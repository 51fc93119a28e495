// Renders a loaded Config back to YAML the way Prometheus shows it at /api/v1/status/config:
// defaults filled in, Prometheus' field order, secrets replaced by <secret>.
import { Document, isPair, isScalar, isSeq, visit } from "yaml";
import { formatDuration } from "../model/duration.js";
import { labelsToRecord } from "../model/labels.js";
import { formatByteSize } from "./bytes.js";
import { DEFAULT_OTLP, type OTLPConfig } from "./otlp.js";
import type { Config, ConsulSDConfig, DockerSDConfig, HTTPClientConfig, KubernetesSDConfig, RelabelRule, ServiceDiscoveryConfigs, TLSConfig } from "./types.js";

type Obj = Record<string, unknown>;

const SECRET = "<secret>";

/** Drops undefined values so that optional fields are left out, as Go's omitempty does. */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

const d = formatDuration;
const secret = (s: string): string | undefined => (s === "" ? undefined : SECRET);
const nonEmpty = (s: string): string | undefined => (s === "" ? undefined : s);

function tls(t: TLSConfig): Obj | undefined {
  const o = compact({
    ca: nonEmpty(t.ca),
    cert: nonEmpty(t.cert),
    key: secret(t.key),
    ca_file: nonEmpty(t.caFile),
    cert_file: nonEmpty(t.certFile),
    key_file: nonEmpty(t.keyFile),
    server_name: nonEmpty(t.serverName),
    // Go leaves out an all-default tls_config, and otherwise shows this field even when false.
    insecure_skip_verify: t.insecureSkipVerify,
    min_version: nonEmpty(t.minVersion),
  });
  return Object.keys(o).length === 1 && !t.insecureSkipVerify ? undefined : o;
}

function httpClient(c: HTTPClientConfig): Obj {
  return compact({
    basic_auth: c.basicAuth && compact({ username: c.basicAuth.username, password: secret(c.basicAuth.password), password_file: nonEmpty(c.basicAuth.passwordFile) }),
    authorization: c.authorization && compact({ type: c.authorization.type, credentials: secret(c.authorization.credentials), credentials_file: nonEmpty(c.authorization.credentialsFile) }),
    oauth2: c.oauth2 && compact({ client_id: c.oauth2.clientId, client_secret: secret(c.oauth2.clientSecret), client_secret_file: nonEmpty(c.oauth2.clientSecretFile), scopes: c.oauth2.scopes.length ? c.oauth2.scopes : undefined, token_url: c.oauth2.tokenUrl }),
    tls_config: tls(c.tlsConfig),
    proxy_url: nonEmpty(c.proxyUrl),
    no_proxy: nonEmpty(c.noProxy),
    proxy_from_environment: c.proxyFromEnvironment || undefined,
    proxy_connect_header: Object.keys(c.proxyConnectHeader).length === 0 ? undefined : Object.fromEntries(Object.entries(c.proxyConnectHeader).map(([k, vs]) => [k, vs.map(() => SECRET)])),
    follow_redirects: c.followRedirects,
    enable_http2: c.enableHttp2,
  });
}

/** The otlp block with Prometheus 3's field names, left out while it is all defaults (2.x shows none). */
function otlp(c: OTLPConfig): Obj | undefined {
  if (JSON.stringify(c) === JSON.stringify(DEFAULT_OTLP)) return undefined;
  return compact({
    promote_all_resource_attributes: c.promoteAllResourceAttributes || undefined,
    promote_resource_attributes: c.promoteResourceAttributes.length ? c.promoteResourceAttributes : undefined,
    ignore_resource_attributes: c.ignoreResourceAttributes.length ? c.ignoreResourceAttributes : undefined,
    translation_strategy: c.translationStrategy,
    keep_identifying_resource_attributes: c.keepIdentifyingResourceAttributes || undefined,
    convert_histograms_to_nhcb: c.convertHistogramsToNHCB || undefined,
    promote_scope_metadata: c.promoteScopeMetadata || undefined,
    label_name_underscore_sanitization: c.labelNameUnderscoreSanitization || undefined,
    label_name_preserve_multiple_underscores: c.labelNamePreserveMultipleUnderscores || undefined,
  });
}

function relabel(rules: readonly RelabelRule[]): Obj[] | undefined {
  if (rules.length === 0) return undefined;
  return rules.map((r) =>
    compact({
      source_labels: r.sourceLabels.length ? r.sourceLabels : undefined,
      separator: r.separator,
      regex: r.regex,
      modulus: r.modulus || undefined,
      target_label: nonEmpty(r.targetLabel),
      replacement: r.replacement,
      action: r.action,
    }),
  );
}

// Field order and omissions as Prometheus marshals kubernetes.SDConfig.
function kubernetes(c: KubernetesSDConfig): Obj {
  const a = c.attachMetadata;
  return compact({
    api_server: nonEmpty(c.apiServer),
    role: c.role,
    kubeconfig_file: c.kubeconfigFile,
    ...httpClient(c.httpClientConfig),
    namespaces: c.namespaces.ownNamespace || c.namespaces.names.length ? { own_namespace: c.namespaces.ownNamespace, names: c.namespaces.names.length ? c.namespaces.names : null } : undefined,
    selectors: c.selectors.length ? c.selectors.map((s) => compact({ role: s.role, label: nonEmpty(s.label), field: nonEmpty(s.field) })) : undefined,
    attach_metadata: Object.values(a).some((v) => v) ? { node: a.node, namespace: a.namespace, deployment: a.deployment, job: a.job, cronjob: a.cronjob } : undefined,
  });
}

// Field order and omissions as Prometheus marshals consul.SDConfig.
function consul(c: ConsulSDConfig): Obj {
  return compact({
    server: c.server,
    path_prefix: nonEmpty(c.pathPrefix),
    token: secret(c.token),
    datacenter: nonEmpty(c.datacenter),
    namespace: nonEmpty(c.namespace),
    partition: nonEmpty(c.partition),
    tag_separator: c.tagSeparator,
    scheme: c.scheme,
    allow_stale: c.allowStale,
    refresh_interval: d(c.refreshIntervalMs),
    services: c.services.length ? c.services : undefined,
    tags: c.tags.length ? c.tags : undefined,
    node_meta: Object.keys(c.nodeMeta).length ? c.nodeMeta : undefined,
    filter: nonEmpty(c.filter),
    health_filter: nonEmpty(c.healthFilter),
    ...httpClient(c.httpClientConfig),
  });
}

// Field order as Prometheus marshals moby.DockerSDConfig (the http settings first, inlined).
function docker(c: DockerSDConfig): Obj {
  return compact({
    ...httpClient(c.httpClientConfig),
    host: c.host,
    port: c.port,
    filters: c.filters.map((f) => ({ name: f.name, values: f.values })),
    host_networking_host: c.hostNetworkingHost,
    refresh_interval: d(c.refreshIntervalMs),
    match_first_network: c.matchFirstNetwork,
  });
}

function discovery(sd: ServiceDiscoveryConfigs): Obj {
  return compact({
    consul_sd_configs: sd.consulSdConfigs.length ? sd.consulSdConfigs.map(consul) : undefined,
    dns_sd_configs: sd.dnsSdConfigs.length ? sd.dnsSdConfigs.map((c) => ({ names: c.names, refresh_interval: d(c.refreshIntervalMs), type: c.type, port: c.port })) : undefined,
    docker_sd_configs: sd.dockerSdConfigs.length ? sd.dockerSdConfigs.map(docker) : undefined,
    file_sd_configs: sd.fileSdConfigs.length ? sd.fileSdConfigs.map((c) => ({ files: c.files, refresh_interval: d(c.refreshIntervalMs) })) : undefined,
    http_sd_configs: sd.httpSdConfigs.length ? sd.httpSdConfigs.map((c) => ({ ...httpClient(c.httpClientConfig), refresh_interval: d(c.refreshIntervalMs), url: c.url })) : undefined,
    kubernetes_sd_configs: sd.kubernetesSdConfigs.length ? sd.kubernetesSdConfigs.map(kubernetes) : undefined,
    static_configs: sd.staticConfigs.length
      ? sd.staticConfigs.map((g) => compact({ targets: g.targets, labels: g.labels.length ? labelsToRecord(g.labels) : undefined }))
      : undefined,
  });
}

export function renderConfig(cfg: Config): string {
  const g = cfg.global;
  const doc = new Document(
    compact({
      global: compact({
        scrape_interval: d(g.scrapeIntervalMs),
        scrape_timeout: d(g.scrapeTimeoutMs),
        evaluation_interval: d(g.evaluationIntervalMs),
        query_log_file: nonEmpty(g.queryLogFile),
        external_labels: g.externalLabels.length ? labelsToRecord(g.externalLabels) : undefined,
      }),
      alerting:
        cfg.alerting.alertmanagers.length || cfg.alerting.alertRelabelConfigs.length
          ? compact({
              alert_relabel_configs: relabel(cfg.alerting.alertRelabelConfigs),
              alertmanagers: cfg.alerting.alertmanagers.map((a) =>
                compact({
                  ...httpClient(a.httpClientConfig),
                  scheme: a.scheme,
                  // Unset in Prometheus' defaults (requests use "/"), so not shown.
                  path_prefix: a.pathPrefix === "/" ? undefined : a.pathPrefix,
                  timeout: d(a.timeoutMs),
                  api_version: a.apiVersion,
                  relabel_configs: relabel(a.relabelConfigs),
                  ...discovery(a),
                }),
              ),
            })
          : undefined,
      rule_files: cfg.ruleFiles.length ? cfg.ruleFiles : undefined,
      scrape_configs: cfg.scrapeConfigs.length
        ? cfg.scrapeConfigs.map((s) =>
            compact({
              job_name: s.jobName,
              honor_labels: s.honorLabels || undefined,
              honor_timestamps: s.honorTimestamps,
              params: Object.keys(s.params).length ? s.params : undefined,
              scrape_interval: d(s.scrapeIntervalMs),
              scrape_timeout: d(s.scrapeTimeoutMs),
              metrics_path: s.metricsPath,
              scheme: s.scheme,
              body_size_limit: s.bodySizeLimitBytes ? formatByteSize(s.bodySizeLimitBytes) : undefined,
              sample_limit: s.sampleLimit || undefined,
              target_limit: s.targetLimit || undefined,
              label_limit: s.labelLimit || undefined,
              label_name_length_limit: s.labelNameLengthLimit || undefined,
              label_value_length_limit: s.labelValueLengthLimit || undefined,
              ...httpClient(s.httpClientConfig),
              relabel_configs: relabel(s.relabelConfigs),
              metric_relabel_configs: relabel(s.metricRelabelConfigs),
              ...discovery(s),
            }),
          )
        : undefined,
      storage: cfg.storage.tsdb.outOfOrderTimeWindowMs ? { tsdb: { out_of_order_time_window: d(cfg.storage.tsdb.outOfOrderTimeWindowMs) } } : undefined,
      remote_write: cfg.remoteWriteConfigs.length
        ? cfg.remoteWriteConfigs.map((w) => {
            const q = w.queueConfig;
            const m = w.metadataConfig;
            return compact({
              url: w.url,
              remote_timeout: d(w.remoteTimeoutMs),
              headers: Object.keys(w.headers).length ? w.headers : undefined,
              write_relabel_configs: relabel(w.writeRelabelConfigs),
              name: nonEmpty(w.name),
              send_exemplars: w.sendExemplars || undefined,
              send_native_histograms: w.sendNativeHistograms || undefined,
              // Prometheus 2.x has no such field; show it only when it says something.
              protobuf_message: w.protobufMessage === "prometheus.WriteRequest" ? undefined : w.protobufMessage,
              ...httpClient(w.httpClientConfig),
              queue_config: compact({
                capacity: q.capacity,
                max_shards: q.maxShards,
                min_shards: q.minShards,
                max_samples_per_send: q.maxSamplesPerSend,
                batch_send_deadline: d(q.batchSendDeadlineMs),
                min_backoff: d(q.minBackoffMs),
                max_backoff: d(q.maxBackoffMs),
                retry_on_http_429: q.retryOnHttp429 || undefined,
              }),
              metadata_config: { send: m.send, send_interval: d(m.sendIntervalMs), max_samples_per_send: m.maxSamplesPerSend },
            });
          })
        : undefined,
      otlp: otlp(cfg.otlp),
      remote_read: cfg.remoteReadConfigs.length
        ? cfg.remoteReadConfigs.map((r) =>
            compact({
              url: r.url,
              remote_timeout: d(r.remoteTimeoutMs),
              headers: Object.keys(r.headers).length ? r.headers : undefined,
              read_recent: r.readRecent || undefined,
              name: nonEmpty(r.name),
              ...httpClient(r.httpClientConfig),
              required_matchers: Object.keys(r.requiredMatchers).length ? r.requiredMatchers : undefined,
              filter_external_labels: r.filterExternalLabels,
            }),
          )
        : undefined,
    }),
  );
  // Prometheus writes source_labels in flow style: [a, b].
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === "source_labels" && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, flowCollectionPadding: false });
}
