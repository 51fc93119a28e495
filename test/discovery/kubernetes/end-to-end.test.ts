// End to end: the promwasm server discovers pods through kubernetes_sd_configs (role pod)
// from a loopback API server, relabels them the way the Prometheus example config does
// (keep annotated pods, address from the prometheus.io/port annotation, pod labels mapped),
// scrapes the loopback exporter the pod stands for, and drops the target when the pod goes.
import { writeFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPromwasm, stopChild, waitForChild, type Server } from "../../helpers/process.js";
import { listen, tempDir } from "../../helpers/reference.js";
import { FakeApiServer } from "./fake-apiserver.js";

const PODS = "/api/v1/pods";

function pod(name: string, annotations: Record<string, string>, resourceVersion: string): object {
  return {
    metadata: { name, namespace: "shop", uid: `uid-${name}`, resourceVersion, labels: { app: "checkout", "app.kubernetes.io/version": "3.1" }, annotations },
    spec: { nodeName: "worker-1", containers: [{ name: "checkout", image: "registry.example/checkout:3.1", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] }] },
    status: { phase: "Running", podIP: "127.0.0.1", hostIP: "10.0.0.11", conditions: [{ type: "Ready", status: "True" }] },
  };
}

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

describe("kubernetes_sd role pod end to end", () => {
  const tmp = tempDir("k8s-e2e");
  const api = new FakeApiServer();
  let exporter: HttpServer;
  let exporterPort = 0;
  let prom: Server | undefined;

  beforeAll(async () => {
    exporter = createServer((_req, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end("# TYPE checkout_orders_total counter\ncheckout_orders_total 17\n");
    });
    exporterPort = await listen(exporter);
    const apiUrl = await api.start();
    api.setList(PODS, "700", [pod("checkout-0", { "prometheus.io/scrape": "true", "prometheus.io/port": String(exporterPort) }, "690"), pod("checkout-canary", {}, "695")]);
    writeFileSync(
      join(tmp.dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "scrape_configs:",
        "  - job_name: kubernetes-pods",
        "    kubernetes_sd_configs:",
        "      - role: pod",
        `        api_server: ${apiUrl}`,
        "    relabel_configs:",
        "      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]",
        "        action: keep",
        '        regex: "true"',
        "      - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]",
        "        regex: ([^:]+)(?::\\d+)?;(\\d+)",
        "        replacement: $1:$2",
        "        target_label: __address__",
        "      - action: labelmap",
        "        regex: __meta_kubernetes_pod_label_(.+)",
        "      - source_labels: [__meta_kubernetes_namespace]",
        "        target_label: namespace",
        "      - source_labels: [__meta_kubernetes_pod_name]",
        "        target_label: pod",
        "      - source_labels: [__meta_kubernetes_pod_container_name]",
        "        target_label: container",
        "",
      ].join("\n"),
    );
    prom = await startPromwasm(["--config.file=prometheus.yml", `--storage.tsdb.path=${join(tmp.dir, "data")}`], tmp.dir);
  });

  afterAll(async () => {
    await stopChild(prom);
    await api.close();
    await new Promise<void>((r) => exporter.close(() => r()));
    tmp.cleanup();
  });

  async function query(q: string): Promise<Series[]> {
    const res = await fetch(`${prom!.base}/api/v1/query?query=${encodeURIComponent(q)}`);
    return ((await res.json()) as { data: { result: Series[] } }).data.result;
  }

  it("scrapes the annotated pod with its relabeled labels, and stops when the pod is deleted", async () => {
    const [series] = await waitForChild(prom!, async () => {
      const r = await query('checkout_orders_total{job="kubernetes-pods"}');
      return r.length > 0 ? r : undefined;
    }, 30_000, "the pod's exporter to be scraped");
    expect(series!.metric).toEqual({
      __name__: "checkout_orders_total",
      job: "kubernetes-pods",
      instance: `127.0.0.1:${exporterPort}`,
      namespace: "shop",
      pod: "checkout-0",
      container: "checkout",
      app: "checkout",
      app_kubernetes_io_version: "3.1",
    });
    expect(series!.value[1]).toBe("17");
    // The pod without the annotation was discovered and dropped by relabeling.
    const targets = (await (await fetch(`${prom!.base}/api/v1/targets?state=any`)).json()) as { data: { activeTargets: unknown[]; droppedTargets: Array<{ discoveredLabels: Record<string, string> }> } };
    expect(targets.data.activeTargets).toHaveLength(1);
    expect(targets.data.droppedTargets.map((t) => t.discoveredLabels.__meta_kubernetes_pod_name)).toEqual(["checkout-canary"]);

    await api.watching(PODS, "700");
    api.event(PODS, "DELETED", pod("checkout-0", {}, "710"));
    await waitForChild(prom!, async () => {
      const t = (await (await fetch(`${prom!.base}/api/v1/targets`)).json()) as { data: { activeTargets: unknown[] } };
      return t.data.activeTargets.length === 0;
    }, 30_000, "the deleted pod's target to go");

    // Discovery's self-metrics under Prometheus' names.
    const metrics = await (await fetch(`${prom!.base}/metrics`)).text();
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(metrics)?.[1]);
    expect(value('prometheus_sd_kubernetes_events_total{event="add",role="pod"}')).toBe(2);
    expect(value('prometheus_sd_kubernetes_events_total{event="delete",role="pod"}')).toBe(1);
    expect(value('prometheus_sd_kubernetes_events_total{event="add",role="endpoints"}')).toBe(0);
    expect(value("prometheus_sd_kubernetes_failures_total")).toBe(0);
    expect(value('prometheus_sd_received_updates_total{name="scrape"}')).toBeGreaterThanOrEqual(2);
    expect(value('prometheus_sd_updates_total{name="scrape"}')).toBeGreaterThanOrEqual(2);
    expect(value('prometheus_sd_failed_configs{name="scrape"}')).toBe(0);
    expect(value('prometheus_sd_failed_configs{name="notify"}')).toBe(0);
  });
});
