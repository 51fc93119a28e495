// consul_sd_configs: reading, Prometheus' defaults, and its checks (a server, one way to
// authenticate).
import type { Node } from "yaml";
import { HTTPClientFields } from "./http-client.js";
import type { ConsulSDConfig } from "./types.js";
import type { YamlReader } from "./yaml-reader.js";

export function readConsulSDConfig(node: Node, r: YamlReader, baseDir: string): ConsulSDConfig {
  const client = new HTTPClientFields(baseDir);
  const c = {
    server: "localhost:8500",
    pathPrefix: "",
    token: "",
    datacenter: "",
    namespace: "",
    partition: "",
    tagSeparator: ",",
    scheme: "http",
    allowStale: true,
    refreshIntervalMs: 30_000,
    services: [] as string[],
    tags: [] as string[],
    nodeMeta: {} as Record<string, string>,
    filter: "",
    healthFilter: "",
  };
  let username = "";
  let password = "";
  r.object(node, "consul.SDConfig", {
    ...client.readers(),
    server: (v) => (c.server = r.string(v)),
    path_prefix: (v) => (c.pathPrefix = r.string(v)),
    token: (v) => (c.token = r.string(v)),
    datacenter: (v) => (c.datacenter = r.string(v)),
    namespace: (v) => (c.namespace = r.string(v)),
    partition: (v) => (c.partition = r.string(v)),
    tag_separator: (v) => (c.tagSeparator = r.string(v)),
    scheme: (v) => (c.scheme = r.string(v)),
    username: (v) => (username = r.string(v)),
    password: (v) => (password = r.string(v)),
    allow_stale: (v) => (c.allowStale = r.bool(v)),
    refresh_interval: (v) => (c.refreshIntervalMs = r.duration(v)),
    services: (v) => (c.services = r.stringList(v)),
    tags: (v) => (c.tags = r.stringList(v)),
    node_meta: (v) => {
      for (const [k, e] of r.stringMap(v)) c.nodeMeta[k] = e.value;
    },
    filter: (v) => (c.filter = r.string(v)),
    health_filter: (v) => (c.healthFilter = r.string(v)),
  });
  if (c.server.trim() === "") r.fail(node, "consul SD configuration requires a server address");
  let httpClientConfig = client.build(r);
  if (username !== "" || password !== "") {
    if (httpClientConfig.basicAuth) r.fail(node, "at most one of consul SD configuration username and password and basic auth can be configured");
    httpClientConfig = { ...httpClientConfig, basicAuth: { username, password, passwordFile: "" } };
  }
  if (c.token !== "" && (httpClientConfig.authorization || httpClientConfig.oauth2)) r.fail(node, "at most one of consul SD token, authorization, or oauth2 can be configured");
  return { ...c, httpClientConfig };
}
