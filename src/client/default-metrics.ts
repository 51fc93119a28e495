// Registers the process and Node runtime collectors in one call.
import type { Registerer } from "./interface.js";
import { NodeCollector, type NodeCollectorOptions } from "./node-collector.js";
import { ProcessCollector } from "./process-collector.js";
import { defaultRegistry } from "./registry.js";

export interface DefaultMetricsOptions extends NodeCollectorOptions {
  /** Where to register (default registry when absent). */
  readonly registry?: Registerer;
}

export interface DefaultMetrics {
  readonly process: ProcessCollector;
  readonly node: NodeCollector;
  /** Unregisters both collectors and stops the runtime observers; idempotent. */
  close(): void;
}

export function collectDefaultMetrics(opts: DefaultMetricsOptions = {}): DefaultMetrics {
  const registry = opts.registry ?? defaultRegistry;
  const proc = new ProcessCollector({ prefix: opts.prefix });
  const node = new NodeCollector(opts);
  registry.register(proc);
  try {
    registry.register(node);
  } catch (err) {
    registry.unregister(proc);
    node.close();
    throw err;
  }
  return {
    process: proc,
    node,
    close() {
      registry.unregister(proc);
      registry.unregister(node);
      node.close();
    },
  };
}
