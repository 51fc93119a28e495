// prometheus_remote_storage_* self-metrics for /metrics, read from the queues' counters at
// each gather and labelled by remote_name and url as Prometheus labels them.
import { Desc } from "../client/desc.js";
import type { Collector, MetricFamily, MetricType } from "../client/interface.js";
import { labelsFromRecord } from "../model/labels.js";
import type { RemoteStorage } from "./storage.js";
import type { WriteQueueMetrics } from "./write-queue.js";

// [name, field, type, help]
const QUEUE_METRICS: readonly [string, keyof WriteQueueMetrics, MetricType, string][] = [
  ["prometheus_remote_storage_samples_total", "samplesSent", "counter", "Samples sent to the remote successfully."],
  ["prometheus_remote_storage_samples_failed_total", "samplesFailed", "counter", "Samples given up on after a non-recoverable error."],
  ["prometheus_remote_storage_samples_retried_total", "samplesRetried", "counter", "Samples in batches that failed recoverably and were sent again."],
  ["prometheus_remote_storage_samples_dropped_total", "samplesDropped", "counter", "Samples dropped by write_relabel_configs."],
  ["prometheus_remote_storage_samples_queue_full_dropped_total", "samplesDroppedQueueFull", "counter", "Samples dropped because the in-memory queue was full (promwasm only)."],
  ["prometheus_remote_storage_bytes_total", "bytesSent", "counter", "Compressed request bytes sent, samples included."],
  ["prometheus_remote_storage_samples_pending", "samplesPending", "gauge", "Samples waiting in the shards to be sent."],
  ["prometheus_remote_storage_shards", "shards", "gauge", "Shards currently sending in parallel."],
  ["prometheus_remote_storage_shards_desired", "shardsDesired", "gauge", "Shard count the last rate evaluation asked for."],
];

export class RemoteStorageCollector implements Collector {
  private readonly storage: RemoteStorage;
  private readonly descs: Desc[];

  constructor(storage: RemoteStorage) {
    this.storage = storage;
    this.descs = [
      ...QUEUE_METRICS.map(([fqName, , , help]) => new Desc({ fqName, help, variableLabels: ["remote_name", "url"] })),
      new Desc({ fqName: "prometheus_remote_storage_queue_highest_sent_timestamp_seconds", help: "Newest sample timestamp sent successfully.", variableLabels: ["remote_name", "url"] }),
    ];
  }

  describe(): Iterable<Desc> {
    return this.descs;
  }

  collect(): Iterable<MetricFamily> {
    const queues = this.storage.writeMetrics();
    const labels = queues.map((q) => labelsFromRecord({ remote_name: q.name, url: q.url }));
    const fams: MetricFamily[] = QUEUE_METRICS.map(([name, field, type, help]) => ({
      name,
      help,
      type,
      metrics: queues.map((q, i) => ({ labels: labels[i], value: q.metrics[field] })),
    }));
    fams.push({
      name: "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
      help: "Newest sample timestamp sent successfully.",
      type: "gauge",
      metrics: queues.map((q, i) => ({ labels: labels[i], value: q.metrics.highestSentTimestampMs / 1000 })),
    });
    return fams;
  }
}
