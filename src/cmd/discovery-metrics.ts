// Service discovery self-metrics under Prometheus' names: per discovery manager ("scrape",
// "notify") the updates received, delayed and sent and the configs that failed; the
// Kubernetes provider's events and failed list/watch requests; Consul's RPC failures and
// durations.
import { Counter, CounterVec } from "../client/counter.js";
import { GaugeVec } from "../client/gauge.js";
import { SummaryVec } from "../client/summary.js";
import type { Registerer } from "../client/interface.js";
import type { ProviderMetrics } from "../discovery/from-config.js";
import type { DiscoveryManagerHooks } from "../discovery/manager.js";

export interface DiscoveryMetrics {
  readonly providers: Required<ProviderMetrics>;
  /** Hooks for the manager of that name ("scrape" or "notify"). */
  manager(name: string): DiscoveryManagerHooks;
}

const ROLES = ["endpointslice", "endpoints", "node", "pod", "service", "ingress"] as const;
const EVENTS = ["add", "delete", "update"] as const;

export function registerDiscoveryMetrics(registry: Registerer): DiscoveryMetrics {
  const registers = [registry];
  const failedConfigs = new GaugeVec({ name: "prometheus_sd_failed_configs", help: "Current number of service discovery configurations that failed to load.", labelNames: ["name"], registers });
  const received = new CounterVec({ name: "prometheus_sd_received_updates_total", help: "Total number of update events received from the SD providers.", labelNames: ["name"], registers });
  const delayed = new CounterVec({ name: "prometheus_sd_updates_delayed_total", help: "Total number of update events that couldn't be sent immediately.", labelNames: ["name"], registers });
  const sent = new CounterVec({ name: "prometheus_sd_updates_total", help: "Total number of update events sent to the SD consumers.", labelNames: ["name"], registers });
  const lastUpdate = new GaugeVec({ name: "prometheus_sd_last_update_timestamp_seconds", help: "Timestamp of the last update sent to the SD consumers.", labelNames: ["name"], registers });
  const events = new CounterVec({ name: "prometheus_sd_kubernetes_events_total", help: "The number of Kubernetes events handled.", labelNames: ["role", "event"], registers });
  const failures = new Counter({ name: "prometheus_sd_kubernetes_failures_total", help: "The number of failed WATCH/LIST requests.", registers });
  const consulFailures = new Counter({ name: "prometheus_sd_consul_rpc_failures_total", help: "The number of Consul RPC call failures.", registers });
  const consulDuration = new SummaryVec({
    name: "prometheus_sd_consul_rpc_duration_seconds",
    help: "The duration of a Consul RPC call in seconds.",
    labelNames: ["endpoint", "call"],
    objectives: { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 },
    registers,
  });
  // Present from the start, as Prometheus initialises them.
  for (const role of ROLES) for (const event of EVENTS) events.labels(role, event);
  for (const call of ["services", "service"]) consulDuration.labels("catalog", call);
  return {
    providers: {
      kubernetes: {
        event: (role, event) => events.labels(role, event).inc(),
        failure: () => failures.inc(),
      },
      consul: {
        rpcFailure: () => consulFailures.inc(),
        rpcDuration: (call, seconds) => consulDuration.labels("catalog", call).observe(seconds),
      },
    },
    manager: (name) => {
      failedConfigs.labels(name).set(0);
      received.labels(name);
      delayed.labels(name);
      sent.labels(name);
      return {
        received: () => received.labels(name).inc(),
        delayed: () => delayed.labels(name).inc(),
        sent: () => {
          sent.labels(name).inc();
          lastUpdate.labels(name).set(Date.now() / 1000);
        },
        failedConfigs: (n) => failedConfigs.labels(name).set(n),
      };
    },
  };
}
