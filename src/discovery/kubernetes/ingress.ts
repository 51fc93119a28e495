// role: ingress. One target per path of each rule, addressed by the rule's host; the scheme
// is https when a TLS entry covers the host (wildcards match one leading label).
import type { TargetGroup } from "../interface.js";
import { addNamespaceMeta, addObjectMeta, NAMESPACE_LABEL, PREFIX, type LabelSet, type Lookups } from "./labels.js";
import type { Ingress } from "./objects.js";

export function ingressSource(key: string): string {
  return `ingress/${key}`;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  const p = pattern.split(".");
  const h = host.split(".");
  return p[0] === "*" && p.length === h.length && p.every((part, i) => i === 0 || part === h[i]);
}

export function buildIngress(key: string, ing: Ingress, lookups: Lookups): TargetGroup {
  const labels: LabelSet = { [NAMESPACE_LABEL]: ing.metadata?.namespace ?? "" };
  if (ing.spec?.ingressClassName !== undefined) labels[`${PREFIX}ingress_class_name`] = ing.spec.ingressClassName;
  addObjectMeta(labels, ing.metadata, "ingress");
  addNamespaceMeta(labels, lookups, ing.metadata?.namespace ?? "");
  const tlsHosts = (ing.spec?.tls ?? []).flatMap((t) => t.hosts ?? []);
  const targets: LabelSet[] = [];
  for (const rule of ing.spec?.rules ?? []) {
    const host = rule.host ?? "";
    const scheme = tlsHosts.some((p) => hostMatches(p, host)) ? "https" : "http";
    // A rule without http paths still yields one target at "/".
    const paths = rule.http ? (rule.http.paths ?? []).map((p) => p.path || "/") : ["/"];
    for (const path of paths) {
      targets.push({ __address__: host, [`${PREFIX}ingress_scheme`]: scheme, [`${PREFIX}ingress_host`]: host, [`${PREFIX}ingress_path`]: path });
    }
  }
  return { source: ingressSource(key), targets, labels };
}
