// role: pod. One target per declared container port (init containers included), or one
// port-less target per container without ports; a pod without an IP has no targets yet.
import type { TargetGroup } from "../interface.js";
import { joinHostPort } from "../meta-labels.js";
import { addNamespaceMeta, addNodeMeta, NAMESPACE_LABEL, PREFIX, podLabels, type LabelSet, type Lookups } from "./labels.js";
import type { Container, ContainerStatus, Pod } from "./objects.js";

export function podSource(key: string): string {
  return `pod/${key}`;
}

export interface PodContainer {
  readonly container: Container;
  readonly init: boolean;
}

/** Regular containers, then init containers, as Prometheus numbers them. */
export function podContainers(pod: Pod): PodContainer[] {
  return [...(pod.spec?.containers ?? []).map((container) => ({ container, init: false })), ...(pod.spec?.initContainers ?? []).map((container) => ({ container, init: true }))];
}

function containerID(statuses: readonly ContainerStatus[] | undefined, name: string | undefined): string {
  return statuses?.find((s) => s.name === name)?.containerID ?? "";
}

export function buildPod(key: string, pod: Pod, lookups: Lookups): TargetGroup {
  const source = podSource(key);
  const ip = pod.status?.podIP ?? "";
  if (ip === "") return { source, targets: [], labels: {} };
  const nodeName = pod.spec?.nodeName ?? "";
  // With node metadata, pods on nodes the node selector filtered out are left out too.
  if (lookups.attach.node && !lookups.get("node", nodeName)) return { source, targets: [], labels: {} };
  const labels = podLabels(pod, lookups);
  labels[NAMESPACE_LABEL] = pod.metadata?.namespace ?? "";
  if (lookups.attach.node) addNodeMeta(labels, lookups, nodeName);
  addNamespaceMeta(labels, lookups, pod.metadata?.namespace ?? "");
  const targets: LabelSet[] = [];
  for (const { container: c, init } of podContainers(pod)) {
    const base: LabelSet = {
      [`${PREFIX}pod_container_name`]: c.name ?? "",
      [`${PREFIX}pod_container_id`]: containerID(init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses, c.name),
      [`${PREFIX}pod_container_image`]: c.image ?? "",
      [`${PREFIX}pod_container_init`]: String(init),
    };
    if (!c.ports || c.ports.length === 0) {
      targets.push({ __address__: ip, ...base });
      continue;
    }
    for (const p of c.ports) {
      const port = String(p.containerPort ?? 0);
      targets.push({
        __address__: joinHostPort(ip, port),
        ...base,
        [`${PREFIX}pod_container_port_number`]: port,
        [`${PREFIX}pod_container_port_name`]: p.name ?? "",
        [`${PREFIX}pod_container_port_protocol`]: p.protocol ?? "",
      });
    }
  }
  return { source, targets, labels };
}
