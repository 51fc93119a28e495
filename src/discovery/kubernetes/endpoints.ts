// role: endpoints. One target per address and port of each subset (ready and not ready),
// with the service's labels on the group and the pod's on pod-backed targets.
import type { TargetGroup } from "../interface.js";
import { joinHostPort } from "../meta-labels.js";
import { addNamespaceMeta, addNodeMeta, addObjectMeta, NAMESPACE_LABEL, PREFIX, type LabelSet, type Lookups } from "./labels.js";
import type { EndpointAddress, EndpointPort, Endpoints, Service } from "./objects.js";
import { PodBackedTargets } from "./pod-backed.js";
import { serviceLabels } from "./service.js";

export function endpointsSource(key: string): string {
  return `endpoints/${key}`;
}

export function buildEndpoints(key: string, eps: Endpoints, lookups: Lookups): TargetGroup {
  const ns = eps.metadata?.namespace ?? "";
  let labels: LabelSet = { [NAMESPACE_LABEL]: ns };
  const svc = lookups.get("service", key) as Service | undefined;
  if (svc) labels = { ...labels, ...serviceLabels(svc) };
  addObjectMeta(labels, eps.metadata, "endpoints");
  addNamespaceMeta(labels, lookups, ns);
  const pods = new PodBackedTargets(lookups);
  const targets: LabelSet[] = [];
  const add = (addr: EndpointAddress, port: EndpointPort, ready: string): void => {
    let t: LabelSet = {
      __address__: joinHostPort(addr.ip ?? "", port.port ?? 0),
      [`${PREFIX}endpoint_port_name`]: port.name ?? "",
      [`${PREFIX}endpoint_port_protocol`]: port.protocol ?? "",
      [`${PREFIX}endpoint_ready`]: ready,
    };
    if (addr.targetRef) {
      t[`${PREFIX}endpoint_address_target_kind`] = addr.targetRef.kind ?? "";
      t[`${PREFIX}endpoint_address_target_name`] = addr.targetRef.name ?? "";
    }
    if (addr.nodeName !== undefined) t[`${PREFIX}endpoint_node_name`] = addr.nodeName;
    if (addr.hostname) t[`${PREFIX}endpoint_hostname`] = addr.hostname;
    if (lookups.attach.node) addNodeMeta(t, lookups, addr.nodeName ?? (addr.targetRef?.kind === "Node" ? addr.targetRef.name : undefined));
    const pod = pods.resolve(addr.targetRef);
    if (pod) t = pods.complete(t, pod, port.port ?? 0, port.protocol ?? "");
    targets.push(t);
  };
  for (const subset of eps.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      for (const addr of subset.addresses ?? []) add(addr, port, "true");
      for (const addr of subset.notReadyAddresses ?? []) add(addr, port, "false");
    }
  }
  targets.push(...pods.extraTargets());
  return { source: endpointsSource(key), targets, labels };
}

/** "namespace/name" of every pod the endpoints' addresses point to. */
export function endpointsPodKeys(eps: Endpoints): string[] {
  return (eps.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).flatMap((a) => (a.targetRef?.kind === "Pod" ? [`${a.targetRef.namespace ?? ""}/${a.targetRef.name ?? ""}`] : []));
}

/** Node names the endpoints' addresses run on. */
export function endpointsNodeNames(eps: Endpoints): string[] {
  return (eps.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).flatMap((a) => (a.nodeName ? [a.nodeName] : a.targetRef?.kind === "Node" && a.targetRef.name ? [a.targetRef.name] : []));
}
