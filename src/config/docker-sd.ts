// docker_sd_configs: reading with Prometheus' defaults and checks (a host that parses as a URL).
import type { Node } from "yaml";
import { HTTPClientFields } from "./http-client.js";
import type { DockerSDConfig } from "./types.js";
import type { YamlReader } from "./yaml-reader.js";

export function readDockerSDConfig(node: Node, r: YamlReader, baseDir: string): DockerSDConfig {
  const client = new HTTPClientFields(baseDir);
  const c = {
    host: "",
    port: 80,
    filters: [] as Array<{ name: string; values: string[] }>,
    hostNetworkingHost: "localhost",
    refreshIntervalMs: 60_000,
    matchFirstNetwork: true,
  };
  r.object(node, "moby.DockerSDConfig", {
    ...client.readers(),
    host: (v) => (c.host = r.string(v)),
    port: (v) => (c.port = r.int(v)),
    filters: (v) =>
      (c.filters = r.list(v, (f) => {
        const filter = { name: "", values: [] as string[] };
        r.object(f, "moby.Filter", { name: (x) => (filter.name = r.string(x)), values: (x) => (filter.values = r.stringList(x)) });
        return filter;
      })),
    host_networking_host: (v) => (c.hostNetworkingHost = r.string(v)),
    refresh_interval: (v) => (c.refreshIntervalMs = r.duration(v)),
    match_first_network: (v) => (c.matchFirstNetwork = r.bool(v)),
  });
  if (c.host === "") r.fail(node, "host missing");
  try {
    new URL(c.host);
  } catch (cause) {
    r.fail(node, `parse "${c.host}": invalid URL`, cause);
  }
  return { ...c, httpClientConfig: client.build(r) };
}
