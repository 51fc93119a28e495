// One Querier over several: the TSDB's head and blocks (whose ranges overlap after a
// crash or with out-of-order data), and the fanout's local TSDB plus remote-read
// endpoints. Series with equal labels become one, samples sorted by time with one sample
// per timestamp (the first source's). A failing secondary does not fail the query: its
// error is logged and its series left out, as Prometheus turns them into warnings.
import { compareLabels, labelsKey, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Logger } from "../log/logger.js";
import type { Querier, SelectHints, Series } from "./interface.js";

/** Merges time-sorted batches; on equal timestamps the earlier batch in the list wins. */
export function mergeBatches(batches: readonly SampleBatch[]): SampleBatch {
  const nonEmpty = batches.filter((b) => b.ts.length > 0);
  if (nonEmpty.length === 0) return { ts: new Float64Array(0), vs: new Float64Array(0) };
  if (nonEmpty.length === 1) return nonEmpty[0];
  let total = 0;
  for (const b of nonEmpty) total += b.ts.length;
  const ts = new Float64Array(total);
  const vs = new Float64Array(total);
  // Common case: sources cover disjoint time ranges (blocks, then head), so they only
  // need concatenating in time order; no timestamp repeats, so no winner to pick.
  const byStart = [...nonEmpty].sort((a, b) => a.ts[0] - b.ts[0]);
  let disjoint = true;
  for (let i = 1; i < byStart.length && disjoint; i++) disjoint = byStart[i].ts[0] > byStart[i - 1].ts[byStart[i - 1].ts.length - 1];
  if (disjoint) {
    let o = 0;
    for (const b of byStart) {
      ts.set(b.ts, o);
      vs.set(b.vs, o);
      o += b.ts.length;
    }
    return { ts, vs };
  }
  const pos = new Array<number>(nonEmpty.length).fill(0);
  let n = 0;
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    for (let i = 0; i < nonEmpty.length; i++) {
      const b = nonEmpty[i];
      if (pos[i] < b.ts.length && b.ts[pos[i]] < bestT) {
        bestT = b.ts[pos[i]];
        best = i;
      }
    }
    if (best < 0) break;
    ts[n] = bestT;
    vs[n++] = nonEmpty[best].vs[pos[best]];
    for (let i = 0; i < nonEmpty.length; i++) {
      const b = nonEmpty[i];
      while (pos[i] < b.ts.length && b.ts[pos[i]] === bestT) pos[i]++;
    }
  }
  return { ts: ts.subarray(0, n), vs: vs.subarray(0, n) };
}

class MergedSeries implements Series {
  private cached: SampleBatch | undefined;
  constructor(
    readonly labels: Labels,
    private readonly parts: readonly Series[],
  ) {}
  samples(): SampleBatch {
    this.cached ??= mergeBatches(this.parts.map((p) => p.samples()));
    return this.cached;
  }
}

export interface MergeQuerierOptions {
  /** Queriers whose errors fail the call (the local TSDB's head and blocks). */
  readonly primaries: readonly Querier[];
  /** Queriers whose errors are logged and skipped (remote read). */
  readonly secondaries?: readonly Querier[];
  readonly logger?: Logger;
  /** Called once when the querier is closed, after its parts are. */
  readonly onClose?: () => void;
}

export class MergeQuerier implements Querier {
  private readonly primaries: readonly Querier[];
  private readonly secondaries: readonly Querier[];
  private readonly logger: Logger | undefined;
  private readonly onClose: (() => void) | undefined;
  private closed = false;

  constructor(opts: MergeQuerierOptions) {
    this.primaries = opts.primaries;
    this.secondaries = opts.secondaries ?? [];
    this.logger = opts.logger;
    this.onClose = opts.onClose;
  }

  /** Results in source order: primaries first, then the secondaries that answered. */
  private async all<T>(what: string, call: (q: Querier) => Promise<T>): Promise<T[]> {
    const secondary = this.secondaries.map((q) =>
      call(q).catch((err: unknown) => {
        this.logger?.warn(`remote ${what} failed; result is partial`, { err });
        return undefined;
      }),
    );
    const [p, s] = await Promise.all([Promise.all(this.primaries.map(call)), Promise.all(secondary)]);
    return [...p, ...s.filter((x): x is Awaited<T> => x !== undefined)];
  }

  async select(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    const only = this.primaries.length + this.secondaries.length === 1;
    if (only && this.primaries.length === 1) return this.primaries[0].select(sorted, hints, matchers);
    const lists = await this.all("select", (q) => q.select(false, hints, matchers));
    const byKey = new Map<string, Series[]>();
    for (const list of lists) {
      for (const s of list) {
        const k = labelsKey(s.labels);
        const parts = byKey.get(k);
        if (parts) parts.push(s);
        else byKey.set(k, [s]);
      }
    }
    const out: Series[] = [];
    for (const parts of byKey.values()) out.push(parts.length === 1 ? parts[0] : new MergedSeries(parts[0].labels, parts));
    if (sorted) out.sort((a, b) => compareLabels(a.labels, b.labels));
    return out;
  }

  async labelNames(matchers: readonly Matcher[]): Promise<string[]> {
    return unionSorted(await this.all("label names", (q) => q.labelNames(matchers)));
  }

  async labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    return unionSorted(await this.all("label values", (q) => q.labelValues(name, matchers)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const q of this.primaries) q.close();
    for (const q of this.secondaries) q.close();
    this.onClose?.();
  }
}

function unionSorted(lists: readonly string[][]): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const s of l) set.add(s);
  return [...set].sort();
}
