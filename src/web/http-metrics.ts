// Self-monitoring of the HTTP server under Prometheus' metric names.
import { CounterVec } from "../client/counter.js";
import { HistogramVec } from "../client/histogram.js";
import type { Registerer } from "../client/interface.js";
import type { Middleware } from "koa";

export function httpMetricsMiddleware(registry: Registerer): Middleware {
  const requests = new CounterVec({
    name: "prometheus_http_requests_total",
    help: "Counter of HTTP requests.",
    labelNames: ["code", "handler"],
    registers: [registry],
  });
  const duration = new HistogramVec({
    name: "prometheus_http_request_duration_seconds",
    help: "Histogram of latencies for HTTP requests.",
    labelNames: ["handler"],
    buckets: [0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120],
    registers: [registry],
  });
  const size = new HistogramVec({
    name: "prometheus_http_response_size_bytes",
    help: "Histogram of response size for HTTP requests.",
    labelNames: ["handler"],
    buckets: [100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000],
    registers: [registry],
  });
  return async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      // Unrouted paths share one label so that scans cannot grow the series count.
      const handler = typeof ctx.state.handler === "string" ? ctx.state.handler : "other";
      requests.labels(String(ctx.status), handler).inc();
      duration.labels(handler).observe((performance.now() - start) / 1000);
      size.labels(handler).observe(ctx.length ?? 0);
    }
  };
}
