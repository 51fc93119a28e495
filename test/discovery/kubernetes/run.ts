// Runs a KubernetesDiscoverer against a (fake) API server and keeps what it sends.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_HTTP_CLIENT, type KubernetesSDConfig } from "../../../src/config/types.js";
import type { TargetGroup } from "../../../src/discovery/interface.js";
import { KubernetesDiscoverer, type KubernetesSdOptions } from "../../../src/discovery/kubernetes/discoverer.js";
import { waitFor } from "../../helpers/reference.js";

export const RECORDED = join(import.meta.dirname, "..", "testdata", "kubernetes");

/** A recorded API response (a List) from testdata/kubernetes. */
export function recorded<T = Record<string, unknown>>(name: string): { metadata: { resourceVersion: string }; items: T[] } {
  return JSON.parse(readFileSync(join(RECORDED, name), "utf8")) as { metadata: { resourceVersion: string }; items: T[] };
}

export function sdConfig(overrides: Partial<KubernetesSDConfig> & Pick<KubernetesSDConfig, "role">): KubernetesSDConfig {
  return {
    apiServer: "",
    kubeconfigFile: "",
    namespaces: { ownNamespace: false, names: [] },
    selectors: [],
    attachMetadata: { node: false, namespace: false, deployment: false, job: false, cronjob: false },
    httpClientConfig: DEFAULT_HTTP_CLIENT,
    ...overrides,
  };
}

export interface Running {
  /** The latest group per source. */
  readonly groups: Map<string, TargetGroup>;
  /** Every emit, in order. */
  readonly emits: TargetGroup[][];
  /** Waits until the latest group of source satisfies ok. */
  group(source: string, ok?: (g: TargetGroup) => boolean): Promise<TargetGroup>;
  stop(): Promise<void>;
}

export function run(opts: KubernetesSdOptions): Running {
  const groups = new Map<string, TargetGroup>();
  const emits: TargetGroup[][] = [];
  const ac = new AbortController();
  const done = new KubernetesDiscoverer(opts).run(ac.signal, (update) => {
    emits.push(update);
    for (const g of update) groups.set(g.source, g);
  });
  let failed: unknown;
  done.catch((err: unknown) => (failed = err));
  return {
    groups,
    emits,
    group: (source, ok = () => true) =>
      waitFor(
        () => {
          if (failed) throw failed;
          const g = groups.get(source);
          return g && ok(g) ? g : undefined;
        },
        20_000,
        `group ${source}`,
      ),
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}
