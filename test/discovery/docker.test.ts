// docker_sd against a Docker Engine API served from recorded responses, over a unix socket
// (the Engine's default endpoint) and over tcp:// through the shared HTTP client: the
// targets and __meta_docker_* labels as Prometheus documents them.
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT, type DockerSDConfig } from "../../src/config/types.js";
import { DockerDiscoverer } from "../../src/discovery/docker.js";
import { listen, tempDir } from "../helpers/reference.js";

const recorded = (name: string): string => readFileSync(join(import.meta.dirname, "testdata", "docker", name), "utf8");

function config(overrides: Partial<DockerSDConfig>): DockerSDConfig {
  return { host: "", port: 80, filters: [], hostNetworkingHost: "localhost", refreshIntervalMs: 60_000, matchFirstNetwork: true, httpClientConfig: DEFAULT_HTTP_CLIENT, ...overrides };
}

const WEB = "8dfafdbc3a40a5f8bdba1cbbbdc1e6e2d1f0c4bba3e4a6d3f1b2c3d4e5f60718";

const web = {
  __meta_docker_container_id: WEB,
  __meta_docker_container_name: "/web-1",
  __meta_docker_container_network_mode: "shop_default",
  __meta_docker_container_image: "nginx:1.25",
  __meta_docker_container_image_id: "sha256:5d58c024174dd06df1cfb7fe8ab5de79c5ddf0dca9ddd34e3bcd2b9f3d51c7a4",
  __meta_docker_container_label_com_docker_compose_project: "shop",
  __meta_docker_container_label_com_docker_compose_service: "web",
  __meta_docker_container_label_prometheus_scrape: "true",
};

const monitoring = {
  __meta_docker_network_id: "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f",
  __meta_docker_network_name: "monitoring",
  __meta_docker_network_scope: "local",
  __meta_docker_network_internal: "true",
  __meta_docker_network_ingress: "false",
};

const shopDefault = {
  __meta_docker_network_id: "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2",
  __meta_docker_network_name: "shop_default",
  __meta_docker_network_scope: "local",
  __meta_docker_network_internal: "false",
  __meta_docker_network_ingress: "false",
  __meta_docker_network_label_com_docker_compose_network: "default",
  __meta_docker_network_label_com_docker_compose_project: "shop",
};

const webPorts = (ip: string, net: Record<string, string>) => [
  { __address__: `${ip}:80`, __meta_docker_network_ip: ip, __meta_docker_port_private: "80", __meta_docker_port_public: "8080", __meta_docker_port_public_ip: "0.0.0.0", ...web, ...net },
  { __address__: `${ip}:80`, __meta_docker_network_ip: ip, __meta_docker_port_private: "80", __meta_docker_port_public: "8080", __meta_docker_port_public_ip: "::", ...web, ...net },
  { __address__: `${ip}:9113`, __meta_docker_network_ip: ip, __meta_docker_port_private: "9113", ...web, ...net },
];

describe("docker_sd_configs", () => {
  const tmp = tempDir("docker-sd");
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const body = path === "/containers/json" ? recorded("containers.json") : path === "/networks" ? recorded("networks.json") : undefined;
    if (body === undefined) res.writeHead(404, { "Content-Type": "application/json" }).end('{"message":"page not found"}');
    else res.writeHead(200, { "Content-Type": "application/json", "Api-Version": "1.45", Server: "Docker/26.1.1 (linux)" }).end(body);
  };
  const unixServer: Server = createServer(handler);
  const tcpServer: Server = createServer(handler);
  const socket = join(tmp.dir, "docker.sock");
  let tcpPort = 0;

  beforeAll(async () => {
    await new Promise<void>((r) => unixServer.listen(socket, () => r()));
    tcpPort = await listen(tcpServer);
  });
  afterAll(async () => {
    for (const s of [unixServer, tcpServer]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    tmp.cleanup();
  });

  it("over the unix socket: a target per TCP port in the first network, shared network stacks followed, host networking at host_networking_host", async () => {
    const d = new DockerDiscoverer({ config: config({ host: `unix://${socket}`, filters: [{ name: "label", values: ["prometheus.scrape=true"] }] }) });
    const g = await d.refresh(new AbortController().signal);
    expect(g.source).toBe("Docker");
    expect(g.labels).toEqual({});
    expect(g.targets).toEqual([
      // "monitoring" sorts before "shop_default": web-1 is scraped in monitoring only.
      ...webPorts("172.20.0.5", monitoring),
      // The exporter shares web-1's network stack and publishes no port: the configured port.
      {
        __address__: "172.20.0.5:80",
        __meta_docker_network_ip: "172.20.0.5",
        __meta_docker_container_id: "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988",
        __meta_docker_container_name: "/web-1-exporter",
        __meta_docker_container_network_mode: `container:${WEB}`,
        __meta_docker_container_image: "nginx/nginx-prometheus-exporter:1.1",
        __meta_docker_container_image_id: "sha256:0a1b2c",
        ...monitoring,
      },
      {
        __address__: "localhost",
        __meta_docker_network_ip: "",
        __meta_docker_container_id: "77aa88bb99cc00dd77aa88bb99cc00dd77aa88bb99cc00dd77aa88bb99cc00dd",
        __meta_docker_container_name: "/node-exporter",
        __meta_docker_container_network_mode: "host",
        __meta_docker_container_image: "prom/node-exporter:v1.8.0",
        __meta_docker_container_image_id: "sha256:77aa",
        __meta_docker_container_label_org_opencontainers_image_title: "node-exporter",
        __meta_docker_network_id: "9d8c7b6a59483726150493827160594837261504938271605948372615049382",
        __meta_docker_network_name: "host",
        __meta_docker_network_scope: "local",
        __meta_docker_network_internal: "false",
        __meta_docker_network_ingress: "false",
      },
    ]);
    const list = seen.find((r) => r.url.startsWith("/containers/json"))!;
    expect(JSON.parse(new URL(list.url, "http://x").searchParams.get("filters")!)).toEqual({ label: { "prometheus.scrape=true": true } });
  });

  it("over tcp:// with the http_client_config's credentials; match_first_network: false targets every network", async () => {
    const before = seen.length;
    const d = new DockerDiscoverer({
      config: config({ host: `tcp://127.0.0.1:${tcpPort}`, matchFirstNetwork: false, port: 9000, httpClientConfig: { ...DEFAULT_HTTP_CLIENT, basicAuth: { username: "docker", password: "pw", passwordFile: "" } } }),
    });
    const g = await d.refresh(new AbortController().signal);
    expect(g.targets.filter((t) => t.__meta_docker_container_name === "/web-1")).toEqual([...webPorts("172.19.0.2", shopDefault), ...webPorts("172.20.0.5", monitoring)]);
    expect(g.targets.filter((t) => t.__meta_docker_container_name === "/web-1-exporter").map((t) => t.__address__)).toEqual(["172.19.0.2:9000", "172.20.0.5:9000"]);
    const requests = seen.slice(before);
    expect(requests.map((r) => r.url)).toEqual(["/containers/json", "/networks"]);
    expect(requests[0]!.headers.authorization).toBe("Basic " + Buffer.from("docker:pw").toString("base64"));
  });

  it("fails a refresh with what went wrong", async () => {
    const d = new DockerDiscoverer({ config: config({ host: `unix://${join(tmp.dir, "missing.sock")}` }) });
    await expect(d.refresh(new AbortController().signal)).rejects.toThrow("error while listing containers");
  });
});
