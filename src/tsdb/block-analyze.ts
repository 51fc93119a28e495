// `tsdb analyze`: label cardinality and churn of one block, in promtool's layout.
// Ties are ordered by key so that output is deterministic (promtool's order is random).
import { METRIC_NAME } from "../model/labels.js";
import type { Block } from "./block.js";
import { formatGoDurationMs } from "./encoding/go-format.js";

const utf8 = new TextEncoder();

export function analyzeBlock(block: Block, limit: number): string {
  const meta = block.meta;
  const ix = block.index;
  const span = meta.maxTime - meta.minTime;
  let out = `Block ID: ${meta.ulid}\nDuration: ${formatGoDurationMs(span)}\nSeries: ${meta.stats.numSeries}\n`;
  const names = ix.labelNames();
  out += `Label names: ${names.length}\n`;

  const labelsUncovered = new Map<string, number>();
  const pairsUncovered = new Map<string, number>();
  const pairsCount = new Map<string, number>();
  let entries = 0;
  for (const id of ix.allPostings()) {
    const s = ix.series(id);
    if (s.chunks.length === 0) continue;
    // Part of the block's range this series does not cover: high values mean churn.
    const uncovered = span - (s.chunks[s.chunks.length - 1].maxt - s.chunks[0].mint);
    for (const l of s.labels) {
      const key = `${l.name}=${l.value}`;
      labelsUncovered.set(l.name, (labelsUncovered.get(l.name) ?? 0) + uncovered);
      pairsUncovered.set(key, (pairsUncovered.get(key) ?? 0) + uncovered);
      pairsCount.set(key, (pairsCount.get(key) ?? 0) + 1);
      entries++;
    }
  }
  out += `Postings (unique label pairs): ${pairsUncovered.size}\n`;
  out += `Postings entries (total label pairs): ${entries}\n`;

  const top = (title: string, items: Iterable<[string, number]>): void => {
    const sorted = [...items].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out += `\n${title}:\n`;
    for (const [k, m] of sorted.slice(0, limit)) out += `${m} ${k}\n`;
  };
  const perSpan = (m: Map<string, number>): [string, number][] => [...m].map(([k, v]) => [k, Math.trunc(v / span)]);
  top("Label pairs most involved in churning", perSpan(pairsUncovered));
  top("Label names most involved in churning", perSpan(labelsUncovered));
  top("Most common label pairs", pairsCount);
  top(
    "Label names with highest cumulative label value length",
    names.map((n): [string, number] => [n, ix.labelValues(n).reduce((acc, v) => acc + utf8.encode(v).length, 0)]),
  );
  top("Highest cardinality labels", names.map((n): [string, number] => [n, ix.labelValues(n).length]));
  top("Highest cardinality metric names", ix.labelValues(METRIC_NAME).map((n): [string, number] => [n, ix.postings(METRIC_NAME, n).length]));
  return out;
}
