// Objects whose targets draw labels from other objects are sent again when those change:
// endpoints when their service or a backing pod changes, pods when their node changes
// (attach_metadata.node). And lists come in pages, following continue tokens.
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./fake-apiserver.js";
import { waitFor } from "../../helpers/reference.js";
import { recorded, run, sdConfig, type Running } from "./run.js";

type Obj = { metadata: Record<string, unknown>; status?: Record<string, unknown> };

describe("kubernetes_sd dependent objects", () => {
  let api: FakeApiServer | undefined;
  let sd: Running | undefined;
  afterEach(async () => {
    await sd?.stop();
    await api?.close();
    sd = api = undefined;
  });

  function serve(lists: Record<string, string>): FakeApiServer {
    const s = new FakeApiServer();
    for (const [path, file] of Object.entries(lists)) {
      const l = recorded(file);
      s.setList(path, l.metadata.resourceVersion, l.items);
    }
    return s;
  }

  it("endpoints follow their service's labels and their pods' phase", async () => {
    api = serve({ "/api/v1/endpoints": "endpoints.json", "/api/v1/services": "services.json", "/api/v1/pods": "pods.json" });
    sd = run({ config: sdConfig({ role: "endpoints", apiServer: await api.start() }) });
    const source = "endpoints/default/api";
    expect((await sd.group(source)).labels.__meta_kubernetes_service_label_tier).toBeUndefined();
    await api.watching("/api/v1/services", "51000");
    await api.watching("/api/v1/pods", "48213");

    const [svc] = recorded<Obj>("services.json").items;
    api.event("/api/v1/services", "MODIFIED", { ...svc!, metadata: { ...svc!.metadata, resourceVersion: "51010", labels: { "app.kubernetes.io/name": "api", tier: "backend" } } });
    await sd.group(source, (g) => g.labels.__meta_kubernetes_service_label_tier === "backend");

    const [pod] = recorded<Obj>("pods.json").items;
    api.event("/api/v1/pods", "MODIFIED", { ...pod!, metadata: { ...pod!.metadata, resourceVersion: "51020" }, status: { ...pod!.status, phase: "Failed" } });
    const g = await sd.group(source, (x) => x.targets[0]!.__meta_kubernetes_pod_phase === "Failed");
    expect(g.targets.map((t) => t.__address__)).toEqual(["10.244.1.17:8080", "10.0.5.5:8080", "10.244.1.17:9090"]);

    // The service goes: the endpoints keep their targets but lose the service's labels.
    api.event("/api/v1/services", "DELETED", { ...svc!, metadata: { ...svc!.metadata, resourceVersion: "51030" } });
    await sd.group(source, (x) => x.labels.__meta_kubernetes_service_name === undefined);
  });

  it("pods follow their node's labels with attach_metadata.node, and leave when the node goes", async () => {
    api = serve({ "/api/v1/pods": "pods.json", "/api/v1/nodes": "nodes.json" });
    sd = run({ config: sdConfig({ role: "pod", apiServer: await api.start(), attachMetadata: { node: true, namespace: false, deployment: false, job: false, cronjob: false } }) });
    const source = "pod/default/api-7d9c6b5f4-x2x9k";
    expect((await sd.group(source)).labels.__meta_kubernetes_node_label_topology_kubernetes_io_zone).toBe("eu-west-1a");
    await api.watching("/api/v1/nodes", "51000");
    const [node] = recorded<Obj>("nodes.json").items;
    api.event("/api/v1/nodes", "MODIFIED", { ...node!, metadata: { ...node!.metadata, resourceVersion: "51100", labels: { "topology.kubernetes.io/zone": "eu-west-1b" } } });
    const g = await sd.group(source, (x) => x.labels.__meta_kubernetes_node_label_topology_kubernetes_io_zone === "eu-west-1b");
    expect(g.labels.__meta_kubernetes_node_label_kubernetes_io_hostname).toBeUndefined();
    api.event("/api/v1/nodes", "DELETED", { ...node!, metadata: { ...node!.metadata, resourceVersion: "51200" } });
    await sd.group(source, (x) => x.targets.length === 0);
  });

  it("lists page by page, following continue tokens", async () => {
    api = new FakeApiServer();
    const pods = Array.from({ length: 1203 }, (_, i) => ({
      metadata: { name: `p-${i}`, namespace: "load", uid: `u${i}`, resourceVersion: String(100 + i) },
      spec: { containers: [{ name: "c", ports: [{ containerPort: 8080, protocol: "TCP" }] }] },
      status: { phase: "Running", podIP: `10.1.${i >> 8}.${i & 255}` },
    }));
    api.setList("/api/v1/pods", "5000", pods);
    sd = run({ config: sdConfig({ role: "pod", apiServer: await api.start() }) });
    await sd.group("pod/load/p-1202");
    expect(sd.emits[0]!.length).toBe(1203);
    const lists = api.requests.filter((r) => r.query.get("watch") !== "true");
    expect(lists.map((r) => r.query.get("continue"))).toEqual([null, "500", "1000"]);
    await api.watching("/api/v1/pods", "5000");
  });

  it("counts events by role and failed list/watch requests for prometheus_sd_kubernetes_*", async () => {
    api = serve({ "/api/v1/namespaces/default/pods": "pods.json" });
    const events: string[] = [];
    let failures = 0;
    const metrics = { event: (role: string, event: string) => events.push(`${role}/${event}`), failure: () => failures++ };
    // "forbidden" has no collection here: the server answers 404, as for a namespace the service account may not list.
    sd = run({ config: sdConfig({ role: "pod", apiServer: await api.start(), namespaces: { ownNamespace: false, names: ["default", "forbidden"] } }), metrics });
    await waitFor(() => failures >= 2, 20_000, "two failed lists of the forbidden namespace");
    expect(events).toEqual(["pod/add", "pod/add"]);
    // Until every watch has listed, nothing is sent (as Prometheus waits for its caches to sync).
    expect(sd.emits).toEqual([]);
  });
});
