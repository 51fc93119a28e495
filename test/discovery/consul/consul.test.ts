// consul_sd against a loopback Consul agent serving recorded catalog and health responses:
// the groups and __meta_consul_* labels as Prometheus documents them, blocking queries that
// follow the index, services that come and go, and which queries carry which filters.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT, type ConsulSDConfig } from "../../../src/config/types.js";
import { ConsulDiscoverer } from "../../../src/discovery/consul.js";
import type { TargetGroup } from "../../../src/discovery/interface.js";
import { waitFor } from "../../helpers/reference.js";
import { FakeConsul } from "./fake-consul.js";

const recorded = (name: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, "..", "testdata", "consul", name), "utf8"));

function config(overrides: Partial<ConsulSDConfig>): ConsulSDConfig {
  return {
    server: "localhost:8500",
    pathPrefix: "",
    token: "",
    datacenter: "",
    namespace: "",
    partition: "",
    tagSeparator: ",",
    scheme: "http",
    allowStale: true,
    refreshIntervalMs: 50,
    services: [],
    tags: [],
    nodeMeta: {},
    filter: "",
    healthFilter: "",
    httpClientConfig: DEFAULT_HTTP_CLIENT,
    ...overrides,
  };
}

const webTargets = [
  {
    __address__: "10.1.10.100:8080",
    __meta_consul_address: "10.1.10.12",
    __meta_consul_node: "node-a",
    __meta_consul_namespace: "",
    __meta_consul_partition: "",
    __meta_consul_tags: ",prod,v2,",
    __meta_consul_service_address: "10.1.10.100",
    __meta_consul_service_port: "8080",
    __meta_consul_service_id: "web-1",
    __meta_consul_health: "warning",
    __meta_consul_metadata_consul_network_segment: "",
    __meta_consul_metadata_rack: "r-12",
    __meta_consul_service_metadata_version: "2.4.1",
    __meta_consul_service_metadata_metrics_path: "/metrics",
    __meta_consul_tagged_address_lan: "10.1.10.12",
    __meta_consul_tagged_address_lan_ipv4: "10.1.10.12",
    __meta_consul_tagged_address_wan: "198.51.100.12",
    __meta_consul_tagged_address_wan_ipv4: "198.51.100.12",
  },
  // No service address: the node's address, and the service's port.
  {
    __address__: "10.1.10.13:8081",
    __meta_consul_address: "10.1.10.13",
    __meta_consul_node: "node-b",
    __meta_consul_namespace: "",
    __meta_consul_partition: "",
    __meta_consul_tags: ",prod,",
    __meta_consul_service_address: "",
    __meta_consul_service_port: "8081",
    __meta_consul_service_id: "web-2",
    __meta_consul_health: "passing",
    __meta_consul_metadata_consul_network_segment: "",
    __meta_consul_tagged_address_lan: "10.1.10.13",
    __meta_consul_tagged_address_wan: "10.1.10.13",
  },
];

describe("consul_sd_configs", () => {
  let consul: FakeConsul | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await consul?.close();
    consul = stop = undefined;
  });

  function start(cfg: ConsulSDConfig): Map<string, TargetGroup> {
    const groups = new Map<string, TargetGroup>();
    const ac = new AbortController();
    const done = new ConsulDiscoverer({ config: cfg, watchTimeoutMs: 5_000, retryIntervalMs: 100 }).run(ac.signal, (update) => {
      for (const g of update) groups.set(g.source, g);
    });
    stop = async () => {
      ac.abort();
      await done;
    };
    return groups;
  }

  const until = (groups: Map<string, TargetGroup>, source: string, ok: (g: TargetGroup) => boolean = () => true) =>
    waitFor(() => {
      const g = groups.get(source);
      return g && ok(g) ? g : undefined;
    }, 20_000, `group ${source}`);

  it("watches the catalog and each service's health with blocking queries, as services and instances change", async () => {
    consul = new FakeConsul("dc1");
    consul.set("/v1/catalog/services", recorded("catalog-services.json"), 100);
    consul.set("/v1/health/service/web", recorded("health-web.json"), 95);
    consul.set("/v1/health/service/api", recorded("health-api.json"), 96);
    consul.set("/v1/health/service/consul", [], 12);
    consul.set("/v1/health/service/batch", [], 13);
    const groups = start(config({ server: await consul.start() }));

    expect(await until(groups, "web")).toEqual({ source: "web", labels: { __meta_consul_service: "web", __meta_consul_dc: "dc1" }, targets: webTargets });
    // An IPv6 service address is bracketed; maintenance mode wins over every other check.
    expect((await until(groups, "api")).targets).toEqual([
      {
        __address__: "[fd00::12]:9000",
        __meta_consul_address: "10.1.10.12",
        __meta_consul_node: "node-a",
        __meta_consul_namespace: "",
        __meta_consul_partition: "",
        __meta_consul_tags: ",prod,",
        __meta_consul_service_address: "fd00::12",
        __meta_consul_service_port: "9000",
        __meta_consul_service_id: "api-1",
        __meta_consul_health: "maintenance",
        __meta_consul_tagged_address_lan: "10.1.10.12",
      },
    ]);
    expect((await until(groups, "batch")).targets).toEqual([]);
    // The datacenter came from the agent; reads allow stale answers.
    expect(consul.seen("/v1/agent/self")).toHaveLength(1);
    for (const r of consul.seen("/v1/health/service/web")) {
      expect(r.query.get("dc")).toBe("dc1");
      expect(r.query.has("stale")).toBe(true);
    }

    // The next health query blocks at index 95 until the service changes.
    await waitFor(() => consul!.seen("/v1/health/service/web").some((r) => r.query.get("index") === "95"), 20_000, "a blocking query at index 95");
    expect(consul.seen("/v1/health/service/web").find((r) => r.query.get("index") === "95")!.query.get("wait")).toBe("5000ms");
    const [web1] = recorded("health-web.json") as unknown[];
    consul.set("/v1/health/service/web", [web1], 120);
    expect((await until(groups, "web", (g) => g.targets.length === 1)).targets).toEqual([webTargets[0]]);

    // A service leaves the catalog: its group empties.
    const catalog = { ...(recorded("catalog-services.json") as Record<string, unknown>) };
    delete catalog.api;
    consul.set("/v1/catalog/services", catalog, 130);
    await until(groups, "api", (g) => g.targets.length === 0);
  });

  it("with services named and no tag or filter, watches just those services, with token, datacenter, node-meta and health filter", async () => {
    consul = new FakeConsul();
    consul.set("/v1/health/service/web", recorded("health-web.json"), 95);
    const groups = start(
      config({
        server: await consul.start(),
        services: ["web"],
        datacenter: "eu-1",
        token: "b1gs3cr3t",
        allowStale: false,
        nodeMeta: { rack: "r-12" },
        healthFilter: 'Service.Meta.version == "2.4.1"',
        tagSeparator: "|",
      }),
    );
    const g = await until(groups, "web");
    expect(g.labels).toEqual({ __meta_consul_service: "web", __meta_consul_dc: "eu-1" });
    expect(g.targets.map((t) => t.__meta_consul_tags)).toEqual(["|prod|v2|", "|prod|"]);
    expect(consul.seen("/v1/catalog/services")).toEqual([]);
    expect(consul.seen("/v1/agent/self")).toEqual([]);
    const r = consul.seen("/v1/health/service/web")[0]!;
    expect(r.token).toBe("b1gs3cr3t");
    expect(r.query.get("dc")).toBe("eu-1");
    expect(r.query.has("stale")).toBe(false);
    expect(r.query.getAll("node-meta")).toEqual(["rack:r-12"]);
    expect(r.query.get("filter")).toBe('Service.Meta.version == "2.4.1"');
  });

  it("with tags, watches only the catalog's services that have all of them and asks for those tags", async () => {
    consul = new FakeConsul();
    consul.set("/v1/catalog/services", recorded("catalog-services.json"), 100);
    consul.set("/v1/health/service/web", recorded("health-web.json"), 95);
    consul.set("/v1/health/service/api", recorded("health-api.json"), 96);
    const groups = start(config({ server: await consul.start(), tags: ["prod", "v2"], filter: "ServiceTags contains \"prod\"" }));
    await until(groups, "web");
    expect(consul.seen("/v1/catalog/services")[0]!.query.get("filter")).toBe('ServiceTags contains "prod"');
    expect(consul.seen("/v1/health/service/web")[0]!.query.getAll("tag")).toEqual(["prod", "v2"]);
    // api lacks v2: never watched.
    expect(consul.seen("/v1/health/service/api")).toEqual([]);
    expect(groups.has("api")).toBe(false);
  });
});
