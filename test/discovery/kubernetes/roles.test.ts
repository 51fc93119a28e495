// Every role against a loopback API server serving recorded lists; the groups and their
// __meta_kubernetes_* labels as Prometheus' configuration docs list them for these objects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeApiServer } from "./fake-apiserver.js";
import { recorded, run, sdConfig } from "./run.js";
import { DEFAULT_HTTP_CLIENT, type KubernetesSDConfig } from "../../../src/config/types.js";

/** <prefix>_label_<name> and <prefix>_labelpresent_<name> (or annotation) for each entry, names sanitized by hand in the callers. */
function meta(prefix: string, kind: "label" | "annotation", entries: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) {
    out[`__meta_kubernetes_${prefix}_${kind}_${k}`] = v;
    out[`__meta_kubernetes_${prefix}_${kind}present_${k}`] = "true";
  }
  return out;
}

const apiService = {
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_service_name: "api",
  ...meta("service", "label", { app_kubernetes_io_name: "api" }),
  ...meta("service", "annotation", { prometheus_io_probe: "true" }),
};

/** What the pod role's podLabels give the api pod's targets in the endpoints roles. */
const apiPod = {
  __meta_kubernetes_pod_name: "api-7d9c6b5f4-x2x9k",
  __meta_kubernetes_pod_ip: "10.244.1.17",
  __meta_kubernetes_pod_ready: "true",
  __meta_kubernetes_pod_phase: "Running",
  __meta_kubernetes_pod_node_name: "worker-1",
  __meta_kubernetes_pod_host_ip: "10.0.0.11",
  __meta_kubernetes_pod_uid: "0c3e1c52-6f1a-4a4e-9a73-5d1c1f0f6e11",
  ...meta("pod", "label", { app_kubernetes_io_name: "api", pod_template_hash: "7d9c6b5f4" }),
  ...meta("pod", "annotation", { prometheus_io_scrape: "true", prometheus_io_port: "8080" }),
  __meta_kubernetes_pod_controller_kind: "ReplicaSet",
  __meta_kubernetes_pod_controller_name: "api-7d9c6b5f4",
};

const apiContainer = (port: string, name: string) => ({
  __meta_kubernetes_pod_container_name: "api",
  __meta_kubernetes_pod_container_image: "registry.example/api:1.4.2",
  __meta_kubernetes_pod_container_port_name: name,
  __meta_kubernetes_pod_container_port_number: port,
  __meta_kubernetes_pod_container_port_protocol: "TCP",
  __meta_kubernetes_pod_container_init: "false",
});

describe("kubernetes_sd roles", () => {
  const api = new FakeApiServer();
  let base = "";
  beforeAll(async () => {
    base = await api.start();
    for (const [path, file] of [
      ["/api/v1/pods", "pods.json"],
      ["/api/v1/services", "services.json"],
      ["/api/v1/endpoints", "endpoints.json"],
      ["/apis/discovery.k8s.io/v1/endpointslices", "endpointslices.json"],
      ["/api/v1/nodes", "nodes.json"],
      ["/apis/networking.k8s.io/v1/ingresses", "ingresses.json"],
      ["/api/v1/namespaces", "namespaces.json"],
    ] as const) {
      const list = recorded(file);
      api.setList(path, list.metadata.resourceVersion, list.items);
    }
  });
  afterAll(() => api.close());

  async function groupsOf(config: Partial<KubernetesSDConfig> & Pick<KubernetesSDConfig, "role">, sources: string[]) {
    const sd = run({ config: sdConfig({ apiServer: base, ...config }) });
    try {
      for (const s of sources) await sd.group(s);
      return sd.groups;
    } finally {
      await sd.stop();
    }
  }

  it("service: a target per port at the cluster DNS name; cluster IP, load balancer IPs or external name by type", async () => {
    const g = await groupsOf({ role: "service" }, ["svc/default/api", "svc/default/edge", "svc/default/billing-db"]);
    const port = (address: string, name: string, number: string, type: string) => ({
      __address__: address,
      __meta_kubernetes_service_port_name: name,
      __meta_kubernetes_service_port_number: number,
      __meta_kubernetes_service_port_protocol: "TCP",
      __meta_kubernetes_service_type: type,
    });
    expect(g.get("svc/default/api")).toEqual({
      source: "svc/default/api",
      labels: apiService,
      targets: [
        { ...port("api.default.svc:80", "http", "80", "ClusterIP"), __meta_kubernetes_service_cluster_ip: "10.96.12.34" },
        { ...port("api.default.svc:9090", "grpc", "9090", "ClusterIP"), __meta_kubernetes_service_cluster_ip: "10.96.12.34" },
      ],
    });
    expect(g.get("svc/default/edge")!.targets).toEqual([
      { ...port("edge.default.svc:443", "https", "443", "LoadBalancer"), __meta_kubernetes_service_cluster_ip: "10.96.40.1", __meta_kubernetes_service_loadbalancer_ip: "203.0.113.10,203.0.113.11" },
    ]);
    expect(g.get("svc/default/billing-db")!.targets).toEqual([{ ...port("billing-db.default.svc:5432", "", "5432", "ExternalName"), __meta_kubernetes_service_external_name: "db.billing.example.com" }]);
  });

  it("endpoints: a target per address and port, the service's labels, the pod's on pod-backed targets, and the pod's other ports", async () => {
    const g = await groupsOf({ role: "endpoints" }, ["endpoints/default/api"]);
    expect(g.get("endpoints/default/api")).toEqual({
      source: "endpoints/default/api",
      labels: {
        ...apiService,
        __meta_kubernetes_endpoints_name: "api",
        ...meta("endpoints", "label", { app_kubernetes_io_name: "api" }),
        ...meta("endpoints", "annotation", { endpoints_kubernetes_io_last_change_trigger_time: "2024-05-02T09:14:12Z" }),
      },
      targets: [
        {
          __address__: "10.244.1.17:8080",
          __meta_kubernetes_endpoint_port_name: "http",
          __meta_kubernetes_endpoint_port_protocol: "TCP",
          __meta_kubernetes_endpoint_ready: "true",
          __meta_kubernetes_endpoint_address_target_kind: "Pod",
          __meta_kubernetes_endpoint_address_target_name: "api-7d9c6b5f4-x2x9k",
          __meta_kubernetes_endpoint_node_name: "worker-1",
          ...apiPod,
          ...apiContainer("8080", "http"),
        },
        {
          __address__: "10.0.5.5:8080",
          __meta_kubernetes_endpoint_port_name: "http",
          __meta_kubernetes_endpoint_port_protocol: "TCP",
          __meta_kubernetes_endpoint_ready: "false",
          __meta_kubernetes_endpoint_hostname: "legacy-vm",
        },
        { __address__: "10.244.1.17:9090", ...apiContainer("9090", "grpc"), ...apiPod },
      ],
    });
  });

  it("endpointslice: a target per endpoint address and port, with conditions, zone, app protocol, service and pod labels", async () => {
    const g = await groupsOf({ role: "endpointslice" }, ["endpointslice/default/api-8xzqk"]);
    expect(g.get("endpointslice/default/api-8xzqk")).toEqual({
      source: "endpointslice/default/api-8xzqk",
      labels: {
        ...apiService,
        __meta_kubernetes_endpointslice_address_type: "IPv4",
        __meta_kubernetes_endpointslice_name: "api-8xzqk",
        ...meta("endpointslice", "label", { endpointslice_kubernetes_io_managed_by: "endpointslice-controller.k8s.io", kubernetes_io_service_name: "api" }),
        ...meta("endpointslice", "annotation", { endpoints_kubernetes_io_last_change_trigger_time: "2024-05-02T09:14:12Z" }),
      },
      targets: [
        {
          __address__: "10.244.1.17:8080",
          __meta_kubernetes_endpointslice_port_name: "http",
          __meta_kubernetes_endpointslice_port_protocol: "TCP",
          __meta_kubernetes_endpointslice_port: "8080",
          __meta_kubernetes_endpointslice_port_app_protocol: "http",
          __meta_kubernetes_endpointslice_endpoint_conditions_ready: "true",
          __meta_kubernetes_endpointslice_endpoint_conditions_serving: "true",
          __meta_kubernetes_endpointslice_endpoint_conditions_terminating: "false",
          __meta_kubernetes_endpointslice_address_target_kind: "Pod",
          __meta_kubernetes_endpointslice_address_target_name: "api-7d9c6b5f4-x2x9k",
          __meta_kubernetes_endpointslice_endpoint_node_name: "worker-1",
          __meta_kubernetes_endpointslice_endpoint_zone: "eu-west-1a",
          ...apiPod,
          ...apiContainer("8080", "http"),
        },
        { __address__: "10.244.1.17:9090", ...apiContainer("9090", "grpc"), ...apiPod },
      ],
    });
  });

  it("node: the kubelet port at the InternalIP, conditions, addresses by type, instance = node name", async () => {
    const g = await groupsOf({ role: "node" }, ["node/worker-1"]);
    expect(g.get("node/worker-1")).toEqual({
      source: "node/worker-1",
      labels: {
        __meta_kubernetes_node_name: "worker-1",
        __meta_kubernetes_node_provider_id: "aws:///eu-west-1a/i-0abc123def4567890",
        __meta_kubernetes_node_condition_memorypressure: "false",
        __meta_kubernetes_node_condition_diskpressure: "false",
        __meta_kubernetes_node_condition_pidpressure: "false",
        __meta_kubernetes_node_condition_ready: "true",
        ...meta("node", "label", { kubernetes_io_hostname: "worker-1", node_role_kubernetes_io_worker: "", topology_kubernetes_io_zone: "eu-west-1a" }),
        ...meta("node", "annotation", { node_alpha_kubernetes_io_ttl: "0", volumes_kubernetes_io_controller_managed_attach_detach: "true" }),
      },
      targets: [
        {
          __address__: "10.0.0.11:10250",
          instance: "worker-1",
          __meta_kubernetes_node_address_InternalIP: "10.0.0.11",
          __meta_kubernetes_node_address_ExternalIP: "198.51.100.11",
          __meta_kubernetes_node_address_Hostname: "worker-1",
          __meta_kubernetes_node_address_InternalDNS: "ip-10-0-0-11.eu-west-1.compute.internal",
        },
      ],
    });
  });

  it("ingress: a target per rule path at the host; https where a TLS host (wildcards included) covers it; empty path is /", async () => {
    const g = await groupsOf({ role: "ingress" }, ["ingress/default/web"]);
    const t = (host: string, scheme: string, path: string) => ({ __address__: host, __meta_kubernetes_ingress_host: host, __meta_kubernetes_ingress_scheme: scheme, __meta_kubernetes_ingress_path: path });
    expect(g.get("ingress/default/web")).toEqual({
      source: "ingress/default/web",
      labels: {
        __meta_kubernetes_namespace: "default",
        __meta_kubernetes_ingress_name: "web",
        __meta_kubernetes_ingress_class_name: "nginx",
        ...meta("ingress", "label", { app: "web" }),
        ...meta("ingress", "annotation", { nginx_ingress_kubernetes_io_rewrite_target: "/" }),
      },
      targets: [t("shop.example.com", "https", "/"), t("shop.example.com", "https", "/api"), t("status.example.org", "http", "/")],
    });
  });

  it("pod with attach_metadata node and namespace: the node's and the namespace's labels join the pod's", async () => {
    const g = await groupsOf({ role: "pod", attachMetadata: { node: true, namespace: true, deployment: false, job: false, cronjob: false } }, ["pod/default/api-7d9c6b5f4-x2x9k"]);
    const labels = g.get("pod/default/api-7d9c6b5f4-x2x9k")!.labels;
    expect(labels).toEqual({
      __meta_kubernetes_namespace: "default",
      ...apiPod,
      __meta_kubernetes_node_name: "worker-1",
      ...meta("node", "label", { kubernetes_io_hostname: "worker-1", node_role_kubernetes_io_worker: "", topology_kubernetes_io_zone: "eu-west-1a" }),
      ...meta("node", "annotation", { node_alpha_kubernetes_io_ttl: "0", volumes_kubernetes_io_controller_managed_attach_detach: "true" }),
      ...meta("namespace", "label", { kubernetes_io_metadata_name: "default", team: "platform" }),
      ...meta("namespace", "annotation", { owner: "sre@example.com" }),
    });
  });

  it("watches each configured namespace, passes selectors, and sends the http_client_config's credentials", async () => {
    const before = api.requests.length;
    for (const ns of ["default", "batch"]) {
      const list = recorded<{ metadata: { namespace: string } }>("pods.json");
      api.setList(`/api/v1/namespaces/${ns}/pods`, "48213", list.items.filter((p) => p.metadata.namespace === ns));
    }
    const g = await groupsOf(
      {
        role: "pod",
        namespaces: { ownNamespace: false, names: ["default", "batch"] },
        selectors: [{ role: "pod", label: "app.kubernetes.io/name in (api,web)", field: "status.phase=Running" }],
        httpClientConfig: { ...DEFAULT_HTTP_CLIENT, basicAuth: { username: "prometheus", password: "s3cret", passwordFile: "" } },
      },
      ["pod/default/api-7d9c6b5f4-x2x9k", "pod/batch/worker-0"],
    );
    expect(g.size).toBe(2);
    const lists = api.requests.slice(before).filter((r) => r.query.get("watch") !== "true");
    expect(lists.map((r) => r.path).sort()).toEqual(["/api/v1/namespaces/batch/pods", "/api/v1/namespaces/default/pods"]);
    for (const r of lists) {
      expect(r.query.get("labelSelector")).toBe("app.kubernetes.io/name in (api,web)");
      expect(r.query.get("fieldSelector")).toBe("status.phase=Running");
      expect(r.authorization).toBe("Basic " + Buffer.from("prometheus:s3cret").toString("base64"));
    }
  });
});
