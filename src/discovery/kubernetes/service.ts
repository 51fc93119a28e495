// role: service. One target per service port, addressed by the service's cluster DNS name.
import type { TargetGroup } from "../interface.js";
import { joinHostPort } from "../meta-labels.js";
import { addNamespaceMeta, addObjectMeta, NAMESPACE_LABEL, PREFIX, type LabelSet, type Lookups } from "./labels.js";
import type { Service } from "./objects.js";

export function serviceSource(key: string): string {
  return `svc/${key}`;
}

/** The labels a service gives its own targets and, in the endpoints roles, its endpoints'. */
export function serviceLabels(svc: Service): LabelSet {
  const ls: LabelSet = { [NAMESPACE_LABEL]: svc.metadata?.namespace ?? "" };
  addObjectMeta(ls, svc.metadata, "service");
  return ls;
}

/** status.loadBalancer.ingress IPs, comma-separated, else the deprecated spec.loadBalancerIP. */
function loadBalancerIPs(svc: Service): string {
  const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? "").filter((ip) => ip !== "");
  return ips.length > 0 ? ips.join(",") : (svc.spec?.loadBalancerIP ?? "");
}

export function buildService(key: string, svc: Service, lookups: Lookups): TargetGroup {
  const labels = serviceLabels(svc);
  const ns = svc.metadata?.namespace ?? "";
  addNamespaceMeta(labels, lookups, ns);
  const type = svc.spec?.type ?? "";
  const targets = (svc.spec?.ports ?? []).map((p) => {
    const port = String(p.port ?? 0);
    const t: LabelSet = {
      __address__: joinHostPort(`${svc.metadata?.name ?? ""}.${ns}.svc`, port),
      [`${PREFIX}service_port_name`]: p.name ?? "",
      [`${PREFIX}service_port_number`]: port,
      [`${PREFIX}service_port_protocol`]: p.protocol ?? "",
      [`${PREFIX}service_type`]: type,
    };
    if (type === "ExternalName") t[`${PREFIX}service_external_name`] = svc.spec?.externalName ?? "";
    else t[`${PREFIX}service_cluster_ip`] = svc.spec?.clusterIP ?? "";
    if (type === "LoadBalancer") t[`${PREFIX}service_loadbalancer_ip`] = loadBalancerIPs(svc);
    return t;
  });
  return { source: serviceSource(key), targets, labels };
}
