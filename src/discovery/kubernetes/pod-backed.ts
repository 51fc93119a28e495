// The endpoints and endpointslice roles share how targets backed by a pod are completed: the
// pod's labels and the matching container port, then one more target for every container
// port of the pod that no endpoint port covers.
import { joinHostPort } from "../meta-labels.js";
import { PREFIX, podLabels, type LabelSet, type Lookups } from "./labels.js";
import type { ObjectReference, Pod } from "./objects.js";
import { podContainers } from "./pod.js";

export class PodBackedTargets {
  private readonly lookups: Lookups;
  /** Pods seen so far, with the endpoint ports already targeted on them. */
  private readonly seen = new Map<string, { pod: Pod; ports: Set<number> }>();

  constructor(lookups: Lookups) {
    this.lookups = lookups;
  }

  /** The pod a target reference points to, if it is a pod we know. */
  resolve(ref: ObjectReference | undefined): Pod | undefined {
    if (ref?.kind !== "Pod") return undefined;
    return this.lookups.get("pod", `${ref.namespace ?? ""}/${ref.name ?? ""}`);
  }

  /**
   * Adds the pod's labels and, when a container declares the endpoint's port, that container's.
   * The port protocol label is the endpoint port's when given (endpoints role), else the
   * container port's (endpointslice role), as Prometheus sets them.
   */
  complete(target: LabelSet, pod: Pod, port: number | undefined, endpointProtocol?: string): LabelSet {
    const key = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
    let entry = this.seen.get(key);
    if (!entry) this.seen.set(key, (entry = { pod, ports: new Set() }));
    const out = { ...target, ...podLabels(pod, this.lookups) };
    if (port === undefined) return out;
    entry.ports.add(port);
    for (const { container: c, init } of podContainers(pod)) {
      const cport = c.ports?.find((p) => p.containerPort === port);
      if (!cport) continue;
      out[`${PREFIX}pod_container_name`] = c.name ?? "";
      out[`${PREFIX}pod_container_image`] = c.image ?? "";
      out[`${PREFIX}pod_container_port_name`] = cport.name ?? "";
      out[`${PREFIX}pod_container_port_number`] = String(port);
      out[`${PREFIX}pod_container_port_protocol`] = endpointProtocol ?? cport.protocol ?? "";
      out[`${PREFIX}pod_container_init`] = String(init);
      break;
    }
    return out;
  }

  /** Targets for the container ports of seen pods that no endpoint port covered. */
  extraTargets(): LabelSet[] {
    const out: LabelSet[] = [];
    for (const { pod, ports } of this.seen.values()) {
      const ip = pod.status?.podIP ?? "";
      if (ip === "") continue;
      for (const { container: c, init } of podContainers(pod)) {
        for (const cport of c.ports ?? []) {
          const port = cport.containerPort ?? 0;
          if (ports.has(port)) continue;
          out.push({
            __address__: joinHostPort(ip, port),
            [`${PREFIX}pod_container_name`]: c.name ?? "",
            [`${PREFIX}pod_container_image`]: c.image ?? "",
            [`${PREFIX}pod_container_port_name`]: cport.name ?? "",
            [`${PREFIX}pod_container_port_number`]: String(port),
            [`${PREFIX}pod_container_port_protocol`]: cport.protocol ?? "",
            [`${PREFIX}pod_container_init`]: String(init),
            ...podLabels(pod, this.lookups),
          });
        }
      }
    }
    return out;
  }
}
