// Queriers over several sources (head and blocks, whose ranges may overlap after a
// crash or with out-of-order data): series with equal labels are merged into one,
// samples sorted by time with duplicate timestamps dropped.
import { labelsKey, type Labels } from "../model/labels.js";
import { compareLabelSets, compareStrings } from "./encoding/strings.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Querier, SelectHints, Series } from "../storage/interface.js";

/** Merges sorted sample batches, keeping the first sample for each timestamp. */
export function mergeSampleBatches(batches: readonly SampleBatch[]): SampleBatch {
  const nonEmpty = batches.filter((b) => b.ts.length > 0);
  if (nonEmpty.length === 0) return batches[0] ?? { ts: new Float64Array(0), vs: new Float64Array(0) };
  if (nonEmpty.length === 1) return nonEmpty[0];
  // Common case: sources cover disjoint, ordered time ranges, so concatenation suffices.
  const ordered = [...nonEmpty].sort((a, b) => a.ts[0] - b.ts[0]);
  let disjoint = true;
  let total = 0;
  for (let i = 0; i < ordered.length; i++) {
    total += ordered[i].ts.length;
    if (i > 0 && ordered[i].ts[0] <= ordered[i - 1].ts[ordered[i - 1].ts.length - 1]) disjoint = false;
  }
  const ts = new Float64Array(total);
  const vs = new Float64Array(total);
  if (disjoint) {
    let o = 0;
    for (const b of ordered) {
      ts.set(b.ts, o);
      vs.set(b.vs, o);
      o += b.ts.length;
    }
    return { ts, vs };
  }
  const pos = new Array<number>(ordered.length).fill(0);
  let n = 0;
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    for (let i = 0; i < ordered.length; i++) {
      if (pos[i] < ordered[i].ts.length && ordered[i].ts[pos[i]] < bestT) {
        bestT = ordered[i].ts[pos[i]];
        best = i;
      }
    }
    if (best < 0) break;
    ts[n] = bestT;
    vs[n++] = ordered[best].vs[pos[best]];
    for (let i = 0; i < ordered.length; i++) while (pos[i] < ordered[i].ts.length && ordered[i].ts[pos[i]] === bestT) pos[i]++;
  }
  return { ts: ts.subarray(0, n), vs: vs.subarray(0, n) };
}

class MergedSeries implements Series {
  private cached: SampleBatch | undefined;
  constructor(
    readonly labels: Labels,
    private readonly parts: Series[],
  ) {}

  samples(): SampleBatch {
    if (!this.cached) this.cached = mergeSampleBatches(this.parts.map((p) => p.samples()));
    return this.cached;
  }
}

export interface MergeQuerierOptions {
  readonly queriers: readonly Querier[];
  /** Called once when the querier is closed (after the parts are closed). */
  readonly onClose?: () => void;
}

/** One Querier over many: select merges same-labelled series, label calls take the union. */
export class MergeQuerier implements Querier {
  private readonly queriers: readonly Querier[];
  private readonly onClose: (() => void) | undefined;
  private closed = false;

  constructor(opts: MergeQuerierOptions) {
    this.queriers = opts.queriers;
    this.onClose = opts.onClose;
  }

  async select(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    if (this.queriers.length === 1) return this.queriers[0].select(sorted, hints, matchers);
    const results = await Promise.all(this.queriers.map((q) => q.select(false, hints, matchers)));
    const byKey = new Map<string, Series[]>();
    for (const list of results) {
      for (const s of list) {
        const key = labelsKey(s.labels);
        const parts = byKey.get(key);
        if (parts) parts.push(s);
        else byKey.set(key, [s]);
      }
    }
    const out: Series[] = [];
    for (const parts of byKey.values()) out.push(parts.length === 1 ? parts[0] : new MergedSeries(parts[0].labels, parts));
    if (sorted) out.sort((a, b) => compareLabelSets(a.labels, b.labels));
    return out;
  }

  async labelNames(matchers: readonly Matcher[]): Promise<string[]> {
    const all = await Promise.all(this.queriers.map((q) => q.labelNames(matchers)));
    return unionSorted(all);
  }

  async labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    const all = await Promise.all(this.queriers.map((q) => q.labelValues(name, matchers)));
    return unionSorted(all);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const q of this.queriers) q.close();
    this.onClose?.();
  }
}

function unionSorted(lists: readonly string[][]): string[] {
  if (lists.length === 1) return lists[0];
  const set = new Set<string>();
  for (const l of lists) for (const v of l) set.add(v);
  return [...set].sort(compareStrings);
}
