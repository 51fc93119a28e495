// /federate: the latest sample of each matching series in the text exposition format,
// with external labels added after the series' own where the series lacks them.
import type { Context } from "koa";
import { formatFloat, escapeLabelValue } from "../client/format.js";
import { compareLabels, labelsKey, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import { isStaleNaN } from "../model/sample.js";
import type { Queryable } from "../storage/interface.js";
import { badData } from "./api-error.js";
import { Params } from "./params.js";
import type { PromQLParser } from "./sources.js";

export interface FederateOptions {
  readonly queryable: Queryable;
  readonly parser: PromQLParser;
  readonly lookbackDeltaMs: number;
  readonly externalLabels: () => Labels;
  readonly now?: () => number;
}

export async function federate(ctx: Context, opts: FederateOptions): Promise<void> {
  const p = await Params.from(ctx);
  const sets: Matcher[][] = p.getAll("match[]").map((s) => {
    try {
      return opts.parser.parseMetricSelector(s);
    } catch (err) {
      throw badData((err as Error).message, err);
    }
  });
  const maxt = (opts.now ?? Date.now)();
  const mint = maxt - opts.lookbackDeltaMs;
  const latest = new Map<string, { labels: Labels; t: number; v: number }>();
  if (sets.length > 0) {
    const q = await opts.queryable.querier(mint, maxt);
    try {
      for (const ms of sets) {
        for (const s of await q.select(false, { start: mint, end: maxt, func: "series" }, ms)) {
          const { ts, vs } = s.samples();
          const i = ts.length - 1;
          if (i < 0 || ts[i] < mint || ts[i] > maxt || isStaleNaN(vs[i])) continue;
          const key = labelsKey(s.labels);
          latest.set(key, { labels: s.labels, t: ts[i], v: vs[i] });
        }
      }
    } finally {
      q.close();
    }
  }
  const external = opts.externalLabels();
  const rows = [...latest.values()].sort((a, b) => compareByName(a.labels, b.labels)).map((r) => ({ ...r, labels: withExternal(r.labels, external) }));
  let out = "";
  let family = "";
  for (const r of rows) {
    const name = r.labels.find((l) => l.name === METRIC_NAME)?.value ?? "";
    if (name !== family) {
      out += `# TYPE ${name} untyped\n`;
      family = name;
    }
    const rest = r.labels.filter((l) => l.name !== METRIC_NAME);
    const labelText = rest.length === 0 ? "" : `{${rest.map((l) => `${l.name}="${escapeLabelValue(l.value)}"`).join(",")}}`;
    out += `${name}${labelText} ${formatFloat(r.v)} ${r.t}\n`;
  }
  ctx.type = "text/plain; version=0.0.4; charset=utf-8";
  ctx.body = out;
}

/** The series' own labels, then the external labels it lacks: Prometheus appends, not sorts. */
function withExternal(labels: Labels, external: Labels): Labels {
  if (external.length === 0) return labels;
  const have = new Set(labels.map((l) => l.name));
  const extra: Label[] = external.filter((l) => !have.has(l.name));
  return extra.length === 0 ? labels : [...labels, ...extra];
}

function compareByName(a: Labels, b: Labels): number {
  const an = a.find((l) => l.name === METRIC_NAME)?.value ?? "";
  const bn = b.find((l) => l.name === METRIC_NAME)?.value ?? "";
  return an < bn ? -1 : an > bn ? 1 : compareLabels(a, b);
}
