// static_configs: fixed groups, sent once.
import type { Discoverer, TargetGroup } from "./interface.js";

export interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export class StaticDiscoverer implements Discoverer {
  private readonly groups: TargetGroup[];

  constructor(opts: { configs: readonly StaticConfig[] }) {
    this.groups = opts.configs.map((c, i) => ({
      source: String(i),
      targets: c.targets.map((address) => ({ __address__: address })),
      labels: { ...(c.labels ?? {}) },
    }));
  }

  async run(_signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    emit(this.groups);
  }
}
