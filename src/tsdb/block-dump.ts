// `tsdb dump`: every sample of a data dir's blocks and head, series in label order
// (samples of a series merged across blocks and head, the earlier one winning on equal
// timestamps), printed exactly as promtool prints them.
import type { Labels } from "../model/labels.js";
import type { Querier, Series } from "../storage/interface.js";
import { formatFloatG as formatGoFloat, quoteGo } from "../model/go-format.js";
import { compareLabelSets } from "./encoding/strings.js";

/** Labels as Go's labels.Labels.String(): {a="b", c="d"}. */
export function labelsGoString(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${quoteGo(l.value)}`).join(", ")}}`;
}

/** Writes dump lines for every series of the queriers (blocks, then the head), in label order. */
export async function dumpQueriers(queriers: readonly Querier[], write: (text: string) => void): Promise<void> {
  const all: { labels: Labels; parts: Series[] }[] = [];
  const byKey = new Map<string, { labels: Labels; parts: Series[] }>();
  for (const q of queriers) {
    for (const s of await q.select(false, undefined, [])) {
      const key = JSON.stringify(s.labels);
      let e = byKey.get(key);
      if (!e) {
        byKey.set(key, (e = { labels: s.labels, parts: [] }));
        all.push(e);
      }
      e.parts.push(s);
    }
  }
  all.sort((a, b) => compareLabelSets(a.labels, b.labels));
  for (const e of all) {
    const prefix = labelsGoString(e.labels) + " ";
    let out = "";
    const batches = e.parts.map((p) => p.samples());
    const pos = batches.map(() => 0);
    let last = -Infinity;
    for (;;) {
      let pick = -1;
      for (let i = 0; i < batches.length; i++) {
        if (pos[i] < batches[i].ts.length && (pick < 0 || batches[i].ts[pos[i]] < batches[pick].ts[pos[pick]])) pick = i;
      }
      if (pick < 0) break;
      const t = batches[pick].ts[pos[pick]];
      const v = batches[pick].vs[pos[pick]++];
      if (t === last) continue;
      last = t;
      out += `${prefix}${formatGoFloat(v)} ${t}\n`;
      if (out.length > 1 << 16) {
        write(out);
        out = "";
      }
    }
    if (out) write(out);
  }
}
