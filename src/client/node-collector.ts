// nodejs_* runtime metrics: event loop delay and utilisation, V8 heap and heap spaces, GC pauses
// (a histogram fed by perf_hooks), active handles/requests/resources and the Node version.
import { monitorEventLoopDelay, PerformanceObserver, performance, type EventLoopUtilization, type IntervalHistogram } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { Desc } from "./desc.js";
import { newConstMetric } from "./const-metric.js";
import { HistogramVec } from "./histogram.js";
import type { Collector, MetricFamily } from "./interface.js";

export interface NodeCollectorOptions {
  /** Prepended to every name (default none). */
  readonly prefix?: string;
  /** Buckets of nodejs_gc_duration_seconds (default 1ms .. 5s). */
  readonly gcDurationBuckets?: readonly number[];
  /** Sampling resolution of the event loop delay monitor (default 10 ms). */
  readonly eventLoopResolutionMs?: number;
}

const GC_KINDS: Readonly<Record<number, string>> = { 1: "minor", 2: "major", 4: "major", 8: "incremental", 16: "weakcb" };

type ProcessInternals = { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };

export class NodeCollector implements Collector {
  private readonly d: Record<string, Desc>;
  private readonly gc: HistogramVec;
  private readonly loopDelay: IntervalHistogram;
  private readonly gcObserver: PerformanceObserver;
  private lastElu: EventLoopUtilization;
  private closed = false;

  constructor(opts: NodeCollectorOptions = {}) {
    const p = opts.prefix ?? "";
    const desc = (name: string, help: string, variableLabels: string[] = []) => new Desc({ fqName: p + name, help, variableLabels });
    this.d = {
      lag: desc("nodejs_eventloop_lag_seconds", "Mean event loop delay since the last scrape in seconds."),
      lagMin: desc("nodejs_eventloop_lag_min_seconds", "Minimum event loop delay since the last scrape in seconds."),
      lagMax: desc("nodejs_eventloop_lag_max_seconds", "Maximum event loop delay since the last scrape in seconds."),
      lagP50: desc("nodejs_eventloop_lag_p50_seconds", "Median event loop delay since the last scrape in seconds."),
      lagP90: desc("nodejs_eventloop_lag_p90_seconds", "90th percentile of event loop delay since the last scrape in seconds."),
      lagP99: desc("nodejs_eventloop_lag_p99_seconds", "99th percentile of event loop delay since the last scrape in seconds."),
      elu: desc("nodejs_eventloop_utilization_ratio", "Share of time the event loop was busy since the last scrape."),
      heapTotal: desc("nodejs_heap_size_total_bytes", "Process heap size from Node.js in bytes."),
      heapUsed: desc("nodejs_heap_size_used_bytes", "Process heap size used from Node.js in bytes."),
      external: desc("nodejs_external_memory_bytes", "Node.js external memory size in bytes."),
      spaceTotal: desc("nodejs_heap_space_size_total_bytes", "Process heap space size total from Node.js in bytes.", ["space"]),
      spaceUsed: desc("nodejs_heap_space_size_used_bytes", "Process heap space size used from Node.js in bytes.", ["space"]),
      spaceAvail: desc("nodejs_heap_space_size_available_bytes", "Process heap space size available from Node.js in bytes.", ["space"]),
      handles: desc("nodejs_active_handles", "Number of active libuv handles."),
      requests: desc("nodejs_active_requests", "Number of active libuv requests."),
      resources: desc("nodejs_active_resources", "Active resources keeping the event loop alive, by type.", ["type"]),
      version: desc("nodejs_version_info", "Node.js version info.", ["version", "major", "minor", "patch"]),
    };
    this.gc = new HistogramVec({
      name: p + "nodejs_gc_duration_seconds",
      help: "Garbage collection duration by kind, one of major, minor, incremental or weakcb.",
      labelNames: ["kind"],
      buckets: opts.gcDurationBuckets ?? [0.001, 0.01, 0.1, 1, 2, 5],
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: opts.eventLoopResolutionMs ?? 10 });
    this.loopDelay.enable();
    this.lastElu = performance.eventLoopUtilization();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
        const kind = GC_KINDS[detail?.kind ?? 0] ?? "unknown";
        this.gc.labels(kind).observe(entry.duration / 1000);
      }
    });
    this.gcObserver.observe({ entryTypes: ["gc"] });
  }

  describe(): Iterable<Desc> {
    return [...Object.values(this.d), ...this.gc.describe()];
  }

  *collect(): Iterable<MetricFamily> {
    const { d } = this;
    const h = this.loopDelay;
    // The monitor reports nanoseconds; with no sample yet, min is a huge sentinel, so report 0s.
    const s = (ns: number) => (h.count > 0 && Number.isFinite(ns) ? ns / 1e9 : 0);
    yield newConstMetric(d.lag, "gauge", s(h.mean));
    yield newConstMetric(d.lagMin, "gauge", s(h.min));
    yield newConstMetric(d.lagMax, "gauge", s(h.max));
    yield newConstMetric(d.lagP50, "gauge", s(h.percentile(50)));
    yield newConstMetric(d.lagP90, "gauge", s(h.percentile(90)));
    yield newConstMetric(d.lagP99, "gauge", s(h.percentile(99)));
    h.reset();
    const elu = performance.eventLoopUtilization();
    yield newConstMetric(d.elu, "gauge", performance.eventLoopUtilization(elu, this.lastElu).utilization);
    this.lastElu = elu;
    const mem = process.memoryUsage();
    yield newConstMetric(d.heapTotal, "gauge", mem.heapTotal);
    yield newConstMetric(d.heapUsed, "gauge", mem.heapUsed);
    yield newConstMetric(d.external, "gauge", mem.external);
    for (const sp of getHeapSpaceStatistics()) {
      const space = sp.space_name.replace(/_space$/, "");
      yield newConstMetric(d.spaceTotal, "gauge", sp.space_size, [space]);
      yield newConstMetric(d.spaceUsed, "gauge", sp.space_used_size, [space]);
      yield newConstMetric(d.spaceAvail, "gauge", sp.space_available_size, [space]);
    }
    const internals = process as unknown as ProcessInternals;
    if (internals._getActiveHandles) yield newConstMetric(d.handles, "gauge", internals._getActiveHandles().length);
    if (internals._getActiveRequests) yield newConstMetric(d.requests, "gauge", internals._getActiveRequests().length);
    const byType = new Map<string, number>();
    for (const t of process.getActiveResourcesInfo()) byType.set(t, (byType.get(t) ?? 0) + 1);
    for (const [type, n] of byType) yield newConstMetric(d.resources, "gauge", n, [type]);
    const [major, minor, patch] = process.versions.node.split(".");
    yield newConstMetric(d.version, "gauge", 1, [process.version, major, minor, patch]);
    yield* this.gc.collect();
  }

  /** Stops the event loop monitor and the GC observer; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.loopDelay.disable();
    this.gcObserver.disconnect();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
