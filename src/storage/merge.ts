// Merging queriers over several storages (local TSDB plus remote-read endpoints):
// series with equal labels become one, samples sorted by time with one sample kept per
// timestamp (the first source's, primary first). A failing secondary does not fail the
// query: its error is logged and its series left out, as Prometheus turns them into warnings.
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
  /** Errors from this one fail the call; undefined when only secondaries exist. */
  readonly primary: Querier | undefined;
  readonly secondaries: readonly Querier[];
  readonly logger?: Logger;
}

export class MergeQuerier implements Querier {
  private readonly primary: Querier | undefined;
  private readonly secondaries: readonly Querier[];
  private readonly logger: Logger | undefined;
  private closed = false;

  constructor(opts: MergeQuerierOptions) {
    this.primary = opts.primary;
    this.secondaries = opts.secondaries;
    this.logger = opts.logger;
  }

  private async all<T>(what: string, call: (q: Querier) => Promise<T>): Promise<T[]> {
    const secondary = this.secondaries.map((q) =>
      call(q).catch((err: unknown) => {
        this.logger?.warn(`remote ${what} failed; result is partial`, { err });
        return undefined;
      }),
    );
    const primary = this.primary ? call(this.primary) : Promise.resolve(undefined);
    const [p, ...s] = await Promise.all([primary, ...secondary]);
    const out: T[] = [];
    if (p !== undefined) out.push(p);
    for (const x of s) if (x !== undefined) out.push(x);
    return out;
  }

  async select(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    if (this.secondaries.length === 0 && this.primary) return this.primary.select(sorted, hints, matchers);
    const lists = await this.all("select", (q) => q.select(false, hints, matchers));
    const byKey = new Map<string, Series[]>();
    for (const list of lists) {
      for (const s of list) {
        const key = labelsKey(s.labels);
        const parts = byKey.get(key);
        if (parts) parts.push(s);
        else byKey.set(key, [s]);
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
    this.primary?.close();
    for (const q of this.secondaries) q.close();
  }
}

function unionSorted(lists: readonly string[][]): string[] {
  if (lists.length === 1) return lists[0];
  const set = new Set<string>();
  for (const l of lists) for (const s of l) set.add(s);
  return [...set].sort();
}
