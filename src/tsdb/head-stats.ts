// Cardinality statistics of the head for /api/v1/status/tsdb, computed from postings.
import { METRIC_NAME } from "../model/labels.js";
import type { Head } from "./head.js";

export interface NameValue {
  readonly name: string;
  readonly value: number;
}

export interface TSDBStats {
  readonly headStats: {
    readonly numSeries: number;
    readonly numLabelPairs: number;
    readonly chunkCount: number;
    readonly minTime: number;
    readonly maxTime: number;
  };
  readonly seriesCountByMetricName: NameValue[];
  readonly labelValueCountByLabelName: NameValue[];
  readonly memoryInBytesByLabelName: NameValue[];
  readonly seriesCountByLabelValuePair: NameValue[];
}

/** Keeps the `limit` largest entries, largest first (ties by name). */
class Top {
  private readonly items: NameValue[] = [];
  constructor(private readonly limit: number) {}
  add(name: string, value: number): void {
    this.items.push({ name, value });
    if (this.items.length > this.limit * 4) this.trim();
  }
  private trim(): void {
    this.items.sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
    this.items.length = Math.min(this.items.length, this.limit);
  }
  result(): NameValue[] {
    this.trim();
    return this.items;
  }
}

export function headStats(head: Head, limit: number): TSDBStats {
  const byMetric = new Top(limit);
  const valueCount = new Top(limit);
  const memory = new Top(limit);
  const pairs = new Top(limit);
  let numLabelPairs = 0;
  for (const name of head.registry.names()) {
    const byValue = head.registry.values(name)!;
    let bytes = 0;
    for (const [value, list] of byValue) {
      numLabelPairs++;
      // As Prometheus: the bytes of the distinct values, each stored once.
      bytes += value.length;
      pairs.add(`${name}=${value}`, list.n);
      if (name === METRIC_NAME) byMetric.add(value, list.n);
    }
    valueCount.add(name, byValue.size);
    memory.add(name, bytes);
  }
  let openChunks = 0;
  for (const ref of head.registry.allIds()) if (head.open.count(ref) > 0) openChunks++;
  const empty = head.numSeries === 0;
  return {
    headStats: {
      numSeries: head.numSeries,
      numLabelPairs,
      chunkCount: head.chunks.count() + openChunks,
      minTime: empty ? 0 : head.minTime,
      maxTime: empty ? 0 : head.maxTime,
    },
    seriesCountByMetricName: byMetric.result(),
    labelValueCountByLabelName: valueCount.result(),
    memoryInBytesByLabelName: memory.result(),
    seriesCountByLabelValuePair: pairs.result(),
  };
}
