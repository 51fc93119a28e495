// kubernetes_sd_configs: watches the role's objects (per configured namespace) and whatever
// their targets draw labels from (services and pods for the endpoints roles; nodes,
// namespaces, ReplicaSets and Jobs for attach_metadata), and sends one target group per
// object: all of them once every watch has listed, then each object a change touches.
// Protocol: plain list+watch in JSON over the shared HTTP client (see watcher.ts), so that
// api_server honours every http_client_config setting as the other providers do.
import type { KubernetesRole, KubernetesSDConfig } from "../../config/types.js";
import { nopLogger, type Logger } from "../../log/logger.js";
import type { Discoverer, TargetGroup } from "../interface.js";
import { KubernetesApi, resolveAccess } from "./api.js";
import { buildEndpoints, endpointsNodeNames, endpointsPodKeys, endpointsSource } from "./endpoints.js";
import { buildEndpointSlice, endpointSliceSource, SERVICE_NAME_LABEL, sliceNodeNames, slicePodKeys } from "./endpointslice.js";
import { buildIngress, ingressSource } from "./ingress.js";
import type { Lookups } from "./labels.js";
import { buildNode, nodeSource } from "./node.js";
import { controllerOf, objectKey, type EndpointSlice, type Endpoints, type KubeObject, type Pod } from "./objects.js";
import { buildPod, podSource } from "./pod.js";
import { buildService, serviceSource } from "./service.js";
import { ResourceWatcher, type WatchEventType } from "./watcher.js";

type Kind = KubernetesRole | "namespace" | "replicaset" | "job";

/** prometheus_sd_kubernetes_events_total and prometheus_sd_kubernetes_failures_total. */
export interface KubernetesSdMetrics {
  event(role: KubernetesRole, event: WatchEventType): void;
  failure(): void;
}

export interface KubernetesSdOptions {
  readonly config: KubernetesSDConfig;
  readonly logger?: Logger;
  readonly metrics?: KubernetesSdMetrics;
  /** For tests: the environment and service account directory of in-cluster config. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly serviceAccountDir?: string;
}

// API path prefix, plural and whether the resource lives in namespaces.
const RESOURCES: Readonly<Record<Kind, readonly [string, string, boolean]>> = {
  pod: ["/api/v1", "pods", true],
  service: ["/api/v1", "services", true],
  endpoints: ["/api/v1", "endpoints", true],
  node: ["/api/v1", "nodes", false],
  namespace: ["/api/v1", "namespaces", false],
  endpointslice: ["/apis/discovery.k8s.io/v1", "endpointslices", true],
  ingress: ["/apis/networking.k8s.io/v1", "ingresses", true],
  replicaset: ["/apis/apps/v1", "replicasets", true],
  job: ["/apis/batch/v1", "jobs", true],
};

const SOURCES: Readonly<Record<KubernetesRole, (key: string) => string>> = {
  pod: podSource,
  service: serviceSource,
  endpoints: endpointsSource,
  endpointslice: endpointSliceSource,
  ingress: ingressSource,
  node: nodeSource,
};

const ROLES = new Set<Kind>(["pod", "service", "endpoints", "endpointslice", "ingress", "node"]);

function namespaceOf(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

export class KubernetesDiscoverer implements Discoverer {
  private readonly opts: KubernetesSdOptions;
  private readonly cfg: KubernetesSDConfig;
  private readonly logger: Logger;
  /** Per kind, its watchers by namespace ("" = all namespaces or cluster-scoped). */
  private readonly watchers = new Map<Kind, Map<string, ResourceWatcher>>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private ready = false;
  private emit: (groups: TargetGroup[]) => void = () => {};
  private readonly lookups: Lookups;

  constructor(opts: KubernetesSdOptions) {
    this.opts = opts;
    this.cfg = opts.config;
    this.logger = (opts.logger ?? nopLogger).with({ discovery: "kubernetes", role: this.cfg.role });
    this.lookups = { attach: this.cfg.attachMetadata, get: (kind, key) => this.get(kind, key) };
  }

  /** The kinds to watch besides the role's own objects. */
  private secondaryKinds(): Kind[] {
    const a = this.cfg.attachMetadata;
    const role = this.cfg.role;
    const out: Kind[] = [];
    if (role === "endpoints" || role === "endpointslice") out.push("service", "pod");
    if (a.node && (role === "pod" || role === "endpoints" || role === "endpointslice")) out.push("node");
    if (a.namespace && role !== "node") out.push("namespace");
    if (role === "pod" || role === "endpoints" || role === "endpointslice") {
      if (a.deployment) out.push("replicaset");
      if (a.job || a.cronjob) out.push("job");
    }
    return out;
  }

  private get(kind: Kind, key: string): KubeObject | undefined {
    const byNs = this.watchers.get(kind);
    if (!byNs) return undefined;
    return (byNs.get("") ?? byNs.get(namespaceOf(key)))?.get(key);
  }

  private primaries(): Array<[string, KubeObject]> {
    const out: Array<[string, KubeObject]> = [];
    for (const w of this.watchers.get(this.cfg.role)?.values() ?? []) {
      for (const o of w.values()) out.push([objectKey(o), o]);
    }
    return out;
  }

  async run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    this.emit = emit;
    const access = await resolveAccess({ ...this.cfg, ownNamespace: this.cfg.namespaces.ownNamespace, env: this.opts.env, serviceAccountDir: this.opts.serviceAccountDir });
    const api = new KubernetesApi(access);
    const names = [...this.cfg.namespaces.names];
    if (this.cfg.namespaces.ownNamespace && access.ownNamespace) names.push(access.ownNamespace);
    const namespaces = names.length > 0 ? names : [""];
    const runs: Promise<void>[] = [];
    for (const kind of [this.cfg.role, ...this.secondaryKinds()]) {
      const [prefix, plural, namespaced] = RESOURCES[kind];
      const selector = this.cfg.selectors.find((s) => s.role === kind);
      const byNs = new Map<string, ResourceWatcher>();
      for (const ns of namespaced ? namespaces : [""]) {
        const w = new ResourceWatcher({
          api,
          path: ns === "" ? `${prefix}/${plural}` : `${prefix}/namespaces/${encodeURIComponent(ns)}/${plural}`,
          labelSelector: selector?.label,
          fieldSelector: selector?.field,
          logger: this.logger,
          onEvent: (type, key, obj, old) => this.onEvent(kind, type, key, obj, old),
          onFailure: () => this.opts.metrics?.failure(),
        });
        byNs.set(ns, w);
        runs.push(w.run(signal));
      }
      this.watchers.set(kind, byNs);
    }
    const all = [...this.watchers.values()].flatMap((m) => [...m.values()]);
    const aborted = new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener("abort", () => r(), { once: true })));
    await Promise.race([Promise.all(all.map((w) => w.synced)), aborted]);
    if (!signal.aborted) {
      this.ready = true;
      for (const [key] of this.primaries()) this.dirty.add(key);
      this.flush();
    }
    try {
      await Promise.all(runs);
    } finally {
      api.close();
    }
  }

  private onEvent(kind: Kind, type: WatchEventType, key: string, obj: KubeObject, old: KubeObject | undefined): void {
    if (ROLES.has(kind)) this.opts.metrics?.event(kind as KubernetesRole, type);
    if (kind === this.cfg.role) this.dirty.add(key);
    else for (const k of this.dependents(kind, key, obj, old)) this.dirty.add(k);
    if (!this.ready || this.flushScheduled || this.dirty.size === 0) return;
    // Events of one read arrive together; one emit carries all the groups they touched.
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Keys of the role's objects whose targets draw labels from a changed object of another kind. */
  private dependents(kind: Kind, key: string, obj: KubeObject, old: KubeObject | undefined): string[] {
    const role = this.cfg.role;
    const prim = this.primaries();
    const podRefs = (o: KubeObject): string[] => (role === "endpoints" ? endpointsPodKeys(o as Endpoints) : role === "endpointslice" ? slicePodKeys(o as EndpointSlice) : []);
    switch (kind) {
      case "namespace":
        return prim.filter(([k]) => namespaceOf(k) === key).map(([k]) => k);
      case "node":
        if (role === "pod") return prim.filter(([, o]) => (o as Pod).spec?.nodeName === key).map(([k]) => k);
        return prim.filter(([, o]) => (role === "endpoints" ? endpointsNodeNames(o as Endpoints) : sliceNodeNames(o as EndpointSlice)).includes(key)).map(([k]) => k);
      case "service":
        if (role === "endpoints") return [key];
        return prim.filter(([k, o]) => namespaceOf(k) === namespaceOf(key) && o.metadata?.labels?.[SERVICE_NAME_LABEL] === obj.metadata?.name).map(([k]) => k);
      case "pod":
        return prim.filter(([, o]) => podRefs(o).includes(key)).map(([k]) => k);
      case "replicaset":
      case "job": {
        // Pods this ReplicaSet or Job controls, then (endpoints roles) the objects pointing at them.
        const ownerKind = kind === "replicaset" ? "ReplicaSet" : "Job";
        const name = (obj.metadata ?? old?.metadata)?.name;
        const ns = namespaceOf(key);
        if (role === "pod") return prim.filter(([k, o]) => namespaceOf(k) === ns && controllerOf(o)?.kind === ownerKind && controllerOf(o)?.name === name).map(([k]) => k);
        return prim
          .filter(([, o]) =>
            podRefs(o).some((pk) => {
              const pod = this.get("pod", pk);
              return pod !== undefined && namespaceOf(pk) === ns && controllerOf(pod)?.kind === ownerKind && controllerOf(pod)?.name === name;
            }),
          )
          .map(([k]) => k);
      }
      default:
        return [];
    }
  }

  private flush(): void {
    const groups: TargetGroup[] = [];
    for (const key of this.dirty) {
      const g = this.build(key);
      if (g) groups.push(g);
    }
    this.dirty.clear();
    if (groups.length > 0) this.emit(groups);
  }

  private build(key: string): TargetGroup | undefined {
    const role = this.cfg.role;
    const obj = this.get(role, key);
    if (!obj) return { source: SOURCES[role](key), targets: [], labels: {} };
    switch (role) {
      case "pod":
        return buildPod(key, obj, this.lookups);
      case "service":
        return buildService(key, obj, this.lookups);
      case "ingress":
        return buildIngress(key, obj, this.lookups);
      case "endpoints":
        return buildEndpoints(key, obj, this.lookups);
      case "endpointslice":
        return buildEndpointSlice(key, obj, this.lookups);
      case "node": {
        const g = buildNode(key, obj);
        if (!g) this.logger.warn("No node address found", { node: key });
        return g;
      }
    }
  }
}
