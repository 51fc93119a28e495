// __meta_kubernetes_* labels shared by several roles: object labels and annotations, pod
// labels (used by the pod, endpoints and endpointslice roles), and the node and namespace
// labels attach_metadata adds.
import { sanitizeLabelName as sanitize } from "../meta-labels.js";
import { controllerOf, type KubeObject, type ObjectMeta, type Pod } from "./objects.js";

export const PREFIX = "__meta_kubernetes_";
export const NAMESPACE_LABEL = `${PREFIX}namespace`;

export type LabelSet = Record<string, string>;

/** What builders may look up besides the object they build; undefined when not watched. */
export interface Lookups {
  readonly attach: { readonly node: boolean; readonly namespace: boolean; readonly deployment: boolean; readonly job: boolean; readonly cronjob: boolean };
  get(kind: "service" | "pod" | "node" | "namespace" | "replicaset" | "job", key: string): KubeObject | undefined;
}

/** <resource>_label_*, _labelpresent_*, _annotation_*, _annotationpresent_*. */
export function addLabelsAndAnnotations(out: LabelSet, meta: ObjectMeta | undefined, resource: string): void {
  for (const [k, v] of Object.entries(meta?.labels ?? {})) {
    const n = sanitize(k);
    out[`${PREFIX}${resource}_label_${n}`] = v;
    out[`${PREFIX}${resource}_labelpresent_${n}`] = "true";
  }
  for (const [k, v] of Object.entries(meta?.annotations ?? {})) {
    const n = sanitize(k);
    out[`${PREFIX}${resource}_annotation_${n}`] = v;
    out[`${PREFIX}${resource}_annotationpresent_${n}`] = "true";
  }
}

/** <role>_name plus the object's labels and annotations. */
export function addObjectMeta(out: LabelSet, meta: ObjectMeta | undefined, role: string): void {
  out[`${PREFIX}${role}_name`] = meta?.name ?? "";
  addLabelsAndAnnotations(out, meta, role);
}

/** The node's name, labels and annotations (attach_metadata.node). */
export function addNodeMeta(out: LabelSet, lookups: Lookups, nodeName: string | undefined): void {
  if (nodeName === undefined) return;
  const node = lookups.get("node", nodeName);
  if (node) addObjectMeta(out, node.metadata, "node");
}

/** The namespace's labels and annotations (attach_metadata.namespace). */
export function addNamespaceMeta(out: LabelSet, lookups: Lookups, namespace: string): void {
  if (!lookups.attach.namespace) return;
  const ns = lookups.get("namespace", namespace);
  if (ns) addLabelsAndAnnotations(out, ns.metadata, "namespace");
}

function podReady(pod: Pod): string {
  const cond = pod.status?.conditions?.find((c) => c.type === "Ready");
  return (cond?.status ?? "Unknown").toLowerCase();
}

/** The labels every target of a pod carries (without the namespace label). */
export function podLabels(pod: Pod, lookups: Lookups): LabelSet {
  const ls: LabelSet = {
    [`${PREFIX}pod_ip`]: pod.status?.podIP ?? "",
    [`${PREFIX}pod_ready`]: podReady(pod),
    [`${PREFIX}pod_phase`]: pod.status?.phase ?? "",
    [`${PREFIX}pod_node_name`]: pod.spec?.nodeName ?? "",
    [`${PREFIX}pod_host_ip`]: pod.status?.hostIP ?? "",
    [`${PREFIX}pod_uid`]: pod.metadata?.uid ?? "",
  };
  addObjectMeta(ls, pod.metadata, "pod");
  const owner = controllerOf(pod);
  if (!owner) return ls;
  if (owner.kind) ls[`${PREFIX}pod_controller_kind`] = owner.kind;
  if (owner.name) ls[`${PREFIX}pod_controller_name`] = owner.name;
  const ownerKey = `${pod.metadata?.namespace ?? ""}/${owner.name ?? ""}`;
  if (owner.kind === "ReplicaSet" && lookups.attach.deployment) {
    const rsOwner = controllerOf(lookups.get("replicaset", ownerKey) ?? {});
    if (rsOwner?.kind === "Deployment" && rsOwner.name) ls[`${PREFIX}pod_deployment_name`] = rsOwner.name;
  }
  if (owner.kind === "Job") {
    if (lookups.attach.job) ls[`${PREFIX}pod_job_name`] = owner.name ?? "";
    if (lookups.attach.cronjob) {
      const jobOwner = controllerOf(lookups.get("job", ownerKey) ?? {});
      if (jobOwner?.kind === "CronJob" && jobOwner.name) ls[`${PREFIX}pod_cronjob_name`] = jobOwner.name;
    }
  }
  return ls;
}
