// role: pod against a loopback API server: the first list, then a watch stream with updates,
// a bookmark, the end of the stream, a delete, an add and an ERROR 410, then a 410 status
// on the watch request itself. Groups and labels are asserted as Prometheus documents them.
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./fake-apiserver.js";
import { recorded, run, sdConfig, type Running } from "./run.js";

const PODS = "/api/v1/pods";
const API = "pod/default/api-7d9c6b5f4-x2x9k";
const WORKER = "pod/batch/worker-0";

type Pod = { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };

const apiPodLabels = {
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_pod_name: "api-7d9c6b5f4-x2x9k",
  __meta_kubernetes_pod_ip: "10.244.1.17",
  __meta_kubernetes_pod_ready: "true",
  __meta_kubernetes_pod_phase: "Running",
  __meta_kubernetes_pod_node_name: "worker-1",
  __meta_kubernetes_pod_host_ip: "10.0.0.11",
  __meta_kubernetes_pod_uid: "0c3e1c52-6f1a-4a4e-9a73-5d1c1f0f6e11",
  __meta_kubernetes_pod_label_app_kubernetes_io_name: "api",
  __meta_kubernetes_pod_labelpresent_app_kubernetes_io_name: "true",
  __meta_kubernetes_pod_label_pod_template_hash: "7d9c6b5f4",
  __meta_kubernetes_pod_labelpresent_pod_template_hash: "true",
  __meta_kubernetes_pod_annotation_prometheus_io_scrape: "true",
  __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: "true",
  __meta_kubernetes_pod_annotation_prometheus_io_port: "8080",
  __meta_kubernetes_pod_annotationpresent_prometheus_io_port: "true",
  __meta_kubernetes_pod_controller_kind: "ReplicaSet",
  __meta_kubernetes_pod_controller_name: "api-7d9c6b5f4",
};

const apiPodTargets = [
  {
    __address__: "10.244.1.17:8080",
    __meta_kubernetes_pod_container_name: "api",
    __meta_kubernetes_pod_container_id: "containerd://4f5e6d",
    __meta_kubernetes_pod_container_image: "registry.example/api:1.4.2",
    __meta_kubernetes_pod_container_port_name: "http",
    __meta_kubernetes_pod_container_port_number: "8080",
    __meta_kubernetes_pod_container_port_protocol: "TCP",
    __meta_kubernetes_pod_container_init: "false",
  },
  {
    __address__: "10.244.1.17:9090",
    __meta_kubernetes_pod_container_name: "api",
    __meta_kubernetes_pod_container_id: "containerd://4f5e6d",
    __meta_kubernetes_pod_container_image: "registry.example/api:1.4.2",
    __meta_kubernetes_pod_container_port_name: "grpc",
    __meta_kubernetes_pod_container_port_number: "9090",
    __meta_kubernetes_pod_container_port_protocol: "TCP",
    __meta_kubernetes_pod_container_init: "false",
  },
  // Containers without ports: one target at the pod IP, for relabeling to add a port.
  {
    __address__: "10.244.1.17",
    __meta_kubernetes_pod_container_name: "envoy",
    __meta_kubernetes_pod_container_id: "containerd://7a8b9c",
    __meta_kubernetes_pod_container_image: "envoyproxy/envoy:v1.30.1",
    __meta_kubernetes_pod_container_init: "false",
  },
  {
    __address__: "10.244.1.17",
    __meta_kubernetes_pod_container_name: "migrate",
    __meta_kubernetes_pod_container_id: "containerd://b1c2d3",
    __meta_kubernetes_pod_container_image: "registry.example/api-migrate:1.4.2",
    __meta_kubernetes_pod_container_init: "true",
  },
];

function workerRunning(resourceVersion: string, labels: Record<string, string>): Pod {
  const [, worker] = recorded<Pod>("pods.json").items;
  return {
    ...worker!,
    metadata: { ...worker!.metadata, resourceVersion, labels },
    spec: { ...worker!.spec, nodeName: "worker-2" },
    status: { phase: "Running", podIP: "10.244.2.5", hostIP: "10.0.0.12", conditions: [{ type: "Ready", status: "False" }] },
  };
}

function workerLabels(podLabels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {
    __meta_kubernetes_namespace: "batch",
    __meta_kubernetes_pod_name: "worker-0",
    __meta_kubernetes_pod_ip: "10.244.2.5",
    __meta_kubernetes_pod_ready: "false",
    __meta_kubernetes_pod_phase: "Running",
    __meta_kubernetes_pod_node_name: "worker-2",
    __meta_kubernetes_pod_host_ip: "10.0.0.12",
    __meta_kubernetes_pod_uid: "9e2f4d11-2b3c-4d5e-8f90-a1b2c3d4e5f6",
  };
  for (const [k, v] of Object.entries(podLabels)) {
    out[`__meta_kubernetes_pod_label_${k}`] = v;
    out[`__meta_kubernetes_pod_labelpresent_${k}`] = "true";
  }
  return out;
}

const workerTarget = {
  __address__: "10.244.2.5:9102",
  __meta_kubernetes_pod_container_name: "worker",
  __meta_kubernetes_pod_container_id: "",
  __meta_kubernetes_pod_container_image: "registry.example/worker:2.0",
  __meta_kubernetes_pod_container_port_name: "",
  __meta_kubernetes_pod_container_port_number: "9102",
  __meta_kubernetes_pod_container_port_protocol: "TCP",
  __meta_kubernetes_pod_container_init: "false",
};

function newPod(name: string, resourceVersion: string, ip: string): Pod {
  return {
    metadata: { name, namespace: "batch", uid: `uid-${name}`, resourceVersion },
    spec: { nodeName: "worker-2", containers: [{ name: "main", image: "busybox:1.36" }] },
    status: { phase: "Running", podIP: ip, hostIP: "10.0.0.12", conditions: [{ type: "Ready", status: "True" }] },
  };
}

describe("kubernetes_sd role pod: list and watch", () => {
  let api: FakeApiServer | undefined;
  let sd: Running | undefined;
  afterEach(async () => {
    await sd?.stop();
    await api?.close();
    sd = api = undefined;
  });

  it("sends every pod after the list, then follows the watch through bookmarks, stream ends and 410s", async () => {
    api = new FakeApiServer();
    const list = recorded<Pod>("pods.json");
    api.setList(PODS, list.metadata.resourceVersion, list.items);
    sd = run({ config: sdConfig({ role: "pod", apiServer: await api.start() }) });

    // The first list: a running pod with two ports, a container without ports and an init
    // container; a pending pod without an IP is a group without targets.
    await sd.group(API);
    expect(sd.emits[0]!.map((g) => g.source).sort()).toEqual([WORKER, API]);
    expect(sd.groups.get(API)).toEqual({ source: API, labels: apiPodLabels, targets: apiPodTargets });
    expect(sd.groups.get(WORKER)).toEqual({ source: WORKER, labels: {}, targets: [] });

    // Watch from the list's version, with bookmarks.
    await api.watching(PODS, "48213");
    const watch = api.requests.find((r) => r.query.get("watch") === "true")!;
    expect(watch.query.get("allowWatchBookmarks")).toBe("true");
    expect(Number(watch.query.get("timeoutSeconds"))).toBeGreaterThan(0);

    // An update: the pending pod got scheduled and an IP.
    api.event(PODS, "MODIFIED", workerRunning("48300", { app: "worker" }));
    expect((await sd.group(WORKER, (g) => g.targets.length > 0))).toEqual({ source: WORKER, labels: workerLabels({ app: "worker" }), targets: [workerTarget] });

    // A bookmark moves the version on; when the server ends the stream, the next watch resumes from it.
    // (The stream's bytes arrive in order, so the bookmark is read before the end.)
    api.event(PODS, "BOOKMARK", { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "48400" } });
    api.endWatches(PODS);
    await api.watching(PODS, "48400");
    api.event(PODS, "MODIFIED", workerRunning("48405", { app: "worker", tier: "batch" }));
    await sd.group(WORKER, (g) => g.labels.__meta_kubernetes_pod_label_tier === "batch");

    // A delete empties the pod's group; an add brings a new one.
    const [apiPod] = list.items;
    api.event(PODS, "DELETED", { ...apiPod!, metadata: { ...apiPod!.metadata, resourceVersion: "48410" } });
    await sd.group(API, (g) => g.targets.length === 0);
    expect(sd.groups.get(API)).toEqual({ source: API, labels: {}, targets: [] });
    api.event(PODS, "ADDED", newPod("short-lived", "48420", "10.244.2.9"));
    await sd.group("pod/batch/short-lived");

    // ERROR 410 in the stream: list again. What changed meanwhile arrives as events:
    // short-lived went (deleted while we were not watching), late came, worker-0 changed.
    api.setList(PODS, "49000", [workerRunning("48990", { app: "worker", tier: "gone-through-410" }), newPod("late", "48995", "10.244.2.10")]);
    api.expire(PODS);
    await sd.group("pod/batch/short-lived", (g) => g.targets.length === 0);
    await sd.group("pod/batch/late");
    expect((await sd.group(WORKER, (g) => g.labels.__meta_kubernetes_pod_label_tier === "gone-through-410")).targets).toEqual([workerTarget]);
    await api.watching(PODS, "49000");

    // A 410 answer to the watch request itself: list again too.
    api.setList(PODS, "50000", [workerRunning("48990", { app: "worker", tier: "gone-through-410" })]);
    api.goneOnNextWatch(PODS);
    api.endWatches(PODS);
    await sd.group("pod/batch/late", (g) => g.targets.length === 0);
    await api.watching(PODS, "50000");
    // Every list asked for a page of at most 500 objects.
    expect(api.requests.filter((r) => r.query.get("watch") !== "true").map((r) => r.query.get("limit"))).toEqual(["500", "500", "500"]);
  });
});
