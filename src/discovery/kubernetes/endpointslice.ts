// role: endpointslice. One target per address of each endpoint and port of the slice, with
// the owning service's labels on the group and the pod's on pod-backed targets.
import type { TargetGroup } from "../interface.js";
import { joinHostPort, sanitizeLabelName as sanitize } from "../meta-labels.js";
import { addNamespaceMeta, addNodeMeta, addObjectMeta, NAMESPACE_LABEL, PREFIX, type LabelSet, type Lookups } from "./labels.js";
import type { EndpointPort, EndpointSlice, Service, SliceEndpoint } from "./objects.js";
import { PodBackedTargets } from "./pod-backed.js";
import { serviceLabels } from "./service.js";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export function endpointSliceSource(key: string): string {
  return `endpointslice/${key}`;
}

/** A dual-stack service's slice of its secondary family: Prometheus keeps only the group labels. */
function secondaryFamily(svc: Service | undefined, slice: EndpointSlice): boolean {
  const policy = svc?.spec?.ipFamilyPolicy;
  if (policy !== "PreferDualStack" && policy !== "RequireDualStack") return false;
  const first = svc?.spec?.ipFamilies?.[0];
  return first !== undefined && slice.addressType !== first;
}

export function buildEndpointSlice(key: string, slice: EndpointSlice, lookups: Lookups): TargetGroup {
  const ns = slice.metadata?.namespace ?? "";
  const source = endpointSliceSource(key);
  let labels: LabelSet = { [NAMESPACE_LABEL]: ns, [`${PREFIX}endpointslice_address_type`]: slice.addressType ?? "" };
  addObjectMeta(labels, slice.metadata, "endpointslice");
  const svcName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  const svc = svcName === undefined ? undefined : (lookups.get("service", `${ns}/${svcName}`) as Service | undefined);
  if (svc) labels = { ...labels, ...serviceLabels(svc) };
  addNamespaceMeta(labels, lookups, ns);
  if (secondaryFamily(svc, slice)) return { source, targets: [], labels };
  const pods = new PodBackedTargets(lookups);
  const targets: LabelSet[] = [];
  const add = (addr: string, ep: SliceEndpoint, port: EndpointPort): void => {
    let t: LabelSet = { __address__: port.port !== undefined ? joinHostPort(addr, port.port) : addr };
    if (port.name !== undefined) t[`${PREFIX}endpointslice_port_name`] = port.name;
    if (port.protocol !== undefined) t[`${PREFIX}endpointslice_port_protocol`] = port.protocol;
    if (port.port !== undefined) t[`${PREFIX}endpointslice_port`] = String(port.port);
    if (port.appProtocol !== undefined) t[`${PREFIX}endpointslice_port_app_protocol`] = port.appProtocol;
    const cond = ep.conditions ?? {};
    if (cond.ready !== undefined) t[`${PREFIX}endpointslice_endpoint_conditions_ready`] = String(cond.ready);
    if (cond.serving !== undefined) t[`${PREFIX}endpointslice_endpoint_conditions_serving`] = String(cond.serving);
    if (cond.terminating !== undefined) t[`${PREFIX}endpointslice_endpoint_conditions_terminating`] = String(cond.terminating);
    if (ep.hostname !== undefined) t[`${PREFIX}endpointslice_endpoint_hostname`] = ep.hostname;
    if (ep.targetRef) {
      t[`${PREFIX}endpointslice_address_target_kind`] = ep.targetRef.kind ?? "";
      t[`${PREFIX}endpointslice_address_target_name`] = ep.targetRef.name ?? "";
    }
    if (ep.nodeName !== undefined) t[`${PREFIX}endpointslice_endpoint_node_name`] = ep.nodeName;
    if (ep.zone !== undefined) t[`${PREFIX}endpointslice_endpoint_zone`] = ep.zone;
    for (const [k, v] of Object.entries(ep.deprecatedTopology ?? {})) {
      t[`${PREFIX}endpointslice_endpoint_topology_${sanitize(k)}`] = v;
      t[`${PREFIX}endpointslice_endpoint_topology_present_${sanitize(k)}`] = "true";
    }
    if (lookups.attach.node) addNodeMeta(t, lookups, ep.targetRef?.kind === "Node" ? ep.targetRef.name : ep.nodeName);
    const pod = pods.resolve(ep.targetRef);
    if (pod) t = pods.complete(t, pod, port.port);
    targets.push(t);
  };
  for (const ep of slice.endpoints ?? []) {
    for (const port of slice.ports ?? []) {
      for (const addr of ep.addresses ?? []) add(addr, ep, port);
    }
  }
  targets.push(...pods.extraTargets());
  return { source, targets, labels };
}

export function slicePodKeys(slice: EndpointSlice): string[] {
  return (slice.endpoints ?? []).flatMap((e) => (e.targetRef?.kind === "Pod" ? [`${e.targetRef.namespace ?? ""}/${e.targetRef.name ?? ""}`] : []));
}

export function sliceNodeNames(slice: EndpointSlice): string[] {
  return (slice.endpoints ?? []).flatMap((e) => (e.targetRef?.kind === "Node" && e.targetRef.name ? [e.targetRef.name] : e.nodeName ? [e.nodeName] : []));
}
