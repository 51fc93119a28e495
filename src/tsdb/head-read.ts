// The head's read path: postings for matchers (set operations in WASM), label names
// and values, and series whose samples are decoded in bulk when first asked for.
import type { Labels } from "../model/labels.js";
import { compareLabelSets, compareStrings } from "./encoding/strings.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Querier, SelectHints, Series } from "../storage/interface.js";
import { differencePostings, intersectPostings, unionPostings } from "../wasm/index.js";
import type { Head } from "./head.js";

const EMPTY = new Uint32Array(0);

/** Ids of head series matching all matchers, ascending (Prometheus' PostingsForMatchers). */
export function headPostingsForMatchers(head: Head, matchers: readonly Matcher[]): Uint32Array {
  const its: Uint32Array[] = [];
  const nots: Uint32Array[] = [];
  for (const m of matchers) {
    const byValue = head.registry.values(m.name);
    if (m.matchesEmpty()) {
      // Series without the label match too, so remove those whose value does not match.
      if (!byValue) continue;
      const lists: Uint32Array[] = [];
      for (const [value, list] of byValue) if (!m.matches(value)) lists.push(list.view());
      if (lists.length) nots.push(lists.length === 1 ? lists[0] : unionPostings(lists));
      continue;
    }
    if (!byValue) return EMPTY;
    if (m.type === "=") {
      const list = byValue.get(m.value);
      if (!list) return EMPTY;
      its.push(list.view());
      continue;
    }
    const lists: Uint32Array[] = [];
    for (const [value, list] of byValue) if (m.matches(value)) lists.push(list.view());
    if (lists.length === 0) return EMPTY;
    its.push(lists.length === 1 ? lists[0] : unionPostings(lists));
  }
  let result = its.length === 0 ? head.registry.allIds() : its.length === 1 ? its[0] : intersectPostings(its);
  for (const n of nots) {
    if (result.length === 0) break;
    result = differencePostings(result, n);
  }
  return result;
}

class HeadSeries implements Series {
  private cached: SampleBatch | undefined;
  constructor(
    readonly labels: Labels,
    private readonly head: Head,
    private readonly id: number,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  samples(): SampleBatch {
    if (!this.cached) this.cached = this.head.seriesSamples(this.id, this.mint, this.maxt);
    return this.cached;
  }
}

/** A querier over the head's committed samples in [mint, maxt]. */
export class HeadQuerier implements Querier {
  constructor(
    private readonly head: Head,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  /** True when the series may hold samples inside [mint, maxt]. */
  private overlaps(id: number, mint: number, maxt: number): boolean {
    const s = this.head.series;
    return this.head.registry.isAlive(id) && s.mint[id] <= maxt && (s.maxt[id] >= mint || this.head.ooo.has(id));
  }

  async select(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    return this.selectSync(sorted, hints, matchers);
  }

  selectSync(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Series[] {
    const mint = hints ? Math.max(this.mint, hints.start) : this.mint;
    const maxt = hints ? Math.min(this.maxt, hints.end) : this.maxt;
    const refs = headPostingsForMatchers(this.head, matchers);
    const out: HeadSeries[] = [];
    for (let i = 0; i < refs.length; i++) {
      const id = refs[i];
      if (!this.overlaps(id, mint, maxt)) continue;
      const series = new HeadSeries(this.head.labelsOf(id), this.head, id, mint, maxt);
      if (series.samples().ts.length === 0) continue;
      out.push(series);
    }
    if (sorted) out.sort((a, b) => compareLabelSets(a.labels, b.labels));
    return out;
  }

  async labelNames(matchers: readonly Matcher[]): Promise<string[]> {
    const names = new Set<string>();
    if (matchers.length === 0 && this.coversHead()) {
      for (const name of this.head.registry.names()) if ((this.head.registry.values(name)?.size ?? 0) > 0) names.add(name);
    } else {
      const refs = headPostingsForMatchers(this.head, matchers);
      for (let i = 0; i < refs.length; i++) {
        if (!this.overlaps(refs[i], this.mint, this.maxt)) continue;
        for (const l of this.head.labelsOf(refs[i])) names.add(l.name);
      }
    }
    return [...names].sort(compareStrings);
  }

  async labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    const values = new Set<string>();
    if (matchers.length === 0 && this.coversHead()) {
      const byValue = this.head.registry.values(name);
      if (byValue) for (const v of byValue.keys()) values.add(v);
    } else {
      const refs = headPostingsForMatchers(this.head, matchers);
      for (let i = 0; i < refs.length; i++) {
        if (!this.overlaps(refs[i], this.mint, this.maxt)) continue;
        const v = this.head.labelValueOf(refs[i], name);
        if (v !== "") values.add(v);
      }
    }
    return [...values].sort(compareStrings);
  }

  /** With the whole head in range, the postings index answers without touching series. */
  private coversHead(): boolean {
    return this.mint <= this.head.minTime && this.maxt >= this.head.maxTime;
  }

  close(): void {}
}
