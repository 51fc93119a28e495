// role: node. One target per node at its kubelet port, addressed by the first address of the
// preferred type; instance is the node name.
import type { TargetGroup } from "../interface.js";
import { joinHostPort, sanitizeLabelName as sanitize } from "../meta-labels.js";
import { addObjectMeta, PREFIX, type LabelSet } from "./labels.js";
import type { Node } from "./objects.js";

export function nodeSource(key: string): string {
  return `node/${key}`;
}

// The address types in the order Prometheus picks the target address from.
const ADDRESS_PREFERENCE = ["InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname"];

/** The node's group, or undefined when it has no usable address (Prometheus sends nothing then). */
export function buildNode(key: string, node: Node): TargetGroup | undefined {
  const labels: LabelSet = { [`${PREFIX}node_provider_id`]: node.spec?.providerID ?? "" };
  for (const c of node.status?.conditions ?? []) {
    labels[`${PREFIX}node_condition_${sanitize((c.type ?? "").toLowerCase())}`] = (c.status ?? "").toLowerCase();
  }
  addObjectMeta(labels, node.metadata, "node");
  const byType = new Map<string, string>();
  for (const a of node.status?.addresses ?? []) if (a.type !== undefined && !byType.has(a.type)) byType.set(a.type, a.address ?? "");
  const type = ADDRESS_PREFERENCE.find((t) => byType.has(t));
  if (type === undefined) return undefined;
  const target: LabelSet = {
    __address__: joinHostPort(byType.get(type)!, node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0),
    instance: node.metadata?.name ?? "",
  };
  for (const [t, address] of byType) target[sanitize(`${PREFIX}node_address_${t}`)] = address;
  return { source: nodeSource(key), targets: [target], labels };
}
