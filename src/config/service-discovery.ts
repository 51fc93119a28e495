// *_sd_configs and static_configs inside scrape and alertmanager configs.
import type { Node } from "yaml";
import { labelsFromList, type Label } from "../model/labels.js";
import { HTTPClientFields, resolvePath } from "./http-client.js";
import { readConsulSDConfig } from "./consul-sd.js";
import { readDockerSDConfig } from "./docker-sd.js";
import { readKubernetesSDConfig } from "./kubernetes-sd.js";
import { LABEL_NAME } from "./relabel.js";
import type { ConsulSDConfig, DNSSDConfig, DockerSDConfig, FileSDConfig, HTTPSDConfig, KubernetesSDConfig, ServiceDiscoveryConfigs, StaticTargetGroup } from "./types.js";
import type { FieldReaders, YamlReader } from "./yaml-reader.js";

// Mechanisms Prometheus has that promwasm does not run yet. A config using one is refused,
// naming the block: accepting it would start a server that silently scrapes nothing there.
const UNSUPPORTED = [
  "aws", "azure", "digitalocean", "dockerswarm", "ec2", "eureka", "gce", "hetzner", "ionos", "kuma",
  "lightsail", "linode", "marathon", "nerve", "nomad", "openstack", "ovhcloud", "puppetdb", "scaleway", "serverset", "stackit", "triton", "uyuni", "vultr",
];

const FILE_SD_PATTERN = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

export class ServiceDiscoveryFields {
  private readonly out = {
    staticConfigs: [] as StaticTargetGroup[],
    fileSdConfigs: [] as FileSDConfig[],
    httpSdConfigs: [] as HTTPSDConfig[],
    dnsSdConfigs: [] as DNSSDConfig[],
    kubernetesSdConfigs: [] as KubernetesSDConfig[],
    consulSdConfigs: [] as ConsulSDConfig[],
    dockerSdConfigs: [] as DockerSDConfig[],
  };
  private readonly baseDir: string;

  constructor(baseDir: string) {
    this.baseDir = baseDir;
  }

  readers(): FieldReaders {
    const fields: FieldReaders = {
      static_configs: (n, r) => {
        this.out.staticConfigs = r.list(n, (g) => readStaticGroup(g, r)).map((g, i) => ({ ...g, source: String(i) }));
      },
      file_sd_configs: (n, r) => {
        this.out.fileSdConfigs = r.list(n, (c) => {
          let files: string[] = [];
          let refreshIntervalMs = 300_000;
          r.object(c, "file.SDConfig", {
            files: (v) => {
              files = r.stringList(v);
              for (const f of files) if (!FILE_SD_PATTERN.test(f)) r.fail(v, `path name "${f}" is not valid for file discovery`);
            },
            refresh_interval: (v) => (refreshIntervalMs = r.duration(v)),
          });
          if (files.length === 0) r.fail(c, "file service discovery config must contain at least one path name");
          return { files: files.map((f) => resolvePath(this.baseDir, f)), refreshIntervalMs };
        });
      },
      http_sd_configs: (n, r) => {
        this.out.httpSdConfigs = r.list(n, (c) => {
          let url = "";
          let refreshIntervalMs = 60_000;
          const client = new HTTPClientFields(this.baseDir);
          r.object(c, "http.SDConfig", {
            ...client.readers(),
            url: (v) => (url = r.string(v)),
            refresh_interval: (v) => (refreshIntervalMs = r.duration(v)),
          });
          if (url === "") r.fail(c, "URL is missing");
          const parsed = parseURL(url, c, r);
          if (parsed.protocol !== "http:" && parsed.protocol !== "https:") r.fail(c, "URL scheme must be 'http' or 'https'");
          if (parsed.hostname === "") r.fail(c, "host is missing in URL");
          return { url, refreshIntervalMs, httpClientConfig: client.build(r) };
        });
      },
      dns_sd_configs: (n, r) => {
        this.out.dnsSdConfigs = r.list(n, (c) => {
          const d = { names: [] as string[], type: "SRV" as DNSSDConfig["type"], port: 0, refreshIntervalMs: 30_000 };
          r.object(c, "dns.SDConfig", {
            names: (v) => (d.names = r.stringList(v)),
            type: (v) => {
              const t = r.string(v).toUpperCase();
              if (!["SRV", "A", "AAAA", "MX", "NS"].includes(t)) r.fail(v, `invalid DNS-SD records type ${t}`);
              d.type = t as DNSSDConfig["type"];
            },
            port: (v) => (d.port = r.int(v)),
            refresh_interval: (v) => (d.refreshIntervalMs = r.duration(v)),
          });
          if (d.names.length === 0) r.fail(c, "DNS-SD config must contain at least one SRV record name");
          if (d.type !== "SRV" && d.port === 0) r.fail(c, "a port is required in DNS-SD configs for all record types except SRV");
          return d;
        });
      },
      kubernetes_sd_configs: (n, r) => {
        this.out.kubernetesSdConfigs = r.list(n, (c) => readKubernetesSDConfig(c, r, this.baseDir));
      },
      consul_sd_configs: (n, r) => {
        this.out.consulSdConfigs = r.list(n, (c) => readConsulSDConfig(c, r, this.baseDir));
      },
      docker_sd_configs: (n, r) => {
        this.out.dockerSdConfigs = r.list(n, (c) => readDockerSDConfig(c, r, this.baseDir));
      },
    };
    for (const kind of UNSUPPORTED) {
      fields[`${kind}_sd_configs`] = (n, r) =>
        r.fail(n, `${kind}_sd_configs is not supported by promwasm (supported: static_configs, file_sd_configs, http_sd_configs, dns_sd_configs, kubernetes_sd_configs, consul_sd_configs, docker_sd_configs); remove the block or use one of those`);
    }
    return fields;
  }

  build(): ServiceDiscoveryConfigs {
    return this.out;
  }
}

function readStaticGroup(node: Node, r: YamlReader): StaticTargetGroup {
  let targets: string[] = [];
  const labels: Label[] = [];
  r.object(node, "targetgroup.Group", {
    targets: (v) => {
      targets = r.stringList(v);
      for (const t of targets) if (t.includes("/")) r.fail(v, `"${t}" is not a valid hostname`);
    },
    labels: (v) => {
      for (const [name, e] of r.stringMap(v)) {
        if (!LABEL_NAME.test(name)) r.fail(e.node, `"${name}" is not a valid label name`);
        labels.push({ name, value: e.value });
      }
    },
  });
  return { targets, labels: labelsFromList(labels), source: "" };
}

function parseURL(url: string, node: Node, r: YamlReader): URL {
  try {
    return new URL(url);
  } catch (cause) {
    return r.fail(node, `parse "${url}": invalid URL`, cause);
  }
}
