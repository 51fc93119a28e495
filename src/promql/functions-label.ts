// label_replace and label_join: new label sets per series; equal results at one step are an error.
import { RE2JS } from "re2js";
import { labelsFromList, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { expandTemplate } from "../relabel/expand.js";
import { EvalError } from "./errors.js";
import type { StepSeries } from "./eval-types.js";
import { mergeSameLabels } from "./series-set.js";

/** Valid UTF-8 (no stray bytes from the parser) and not empty, as Prometheus 3 accepts names. */
export function isValidLabelName(name: string): boolean {
  if (name === "") return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) return false;
  }
  return true;
}

function withLabel(metric: Labels, name: string, value: string): Labels {
  const list: Label[] = metric.filter((l) => l.name !== name);
  if (value !== "") list.push({ name, value });
  return labelsFromList(list);
}

function get(metric: Labels, name: string): string {
  for (const l of metric) if (l.name === name) return l.value;
  return "";
}

/** f returns undefined to leave a series as it is. Writing __name__ keeps it past a pending removal. */
function relabeled(series: StepSeries[], n: number, dst: string, f: (m: Labels) => Labels | undefined): StepSeries[] {
  const out = series.map((s) => {
    const metric = f(s.metric);
    const dropName = metric !== undefined && dst === METRIC_NAME ? false : s.dropName;
    return { metric: metric ?? s.metric, vals: Float64Array.from(s.vals), has: Uint8Array.from(s.has), dropName };
  });
  return mergeSameLabels(out, n);
}

export function labelReplace(series: StepSeries[], dst: string, replacement: string, src: string, regex: string, n: number): StepSeries[] {
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${regex})$`);
  } catch (cause) {
    throw new EvalError(`invalid regular expression in label_replace(): ${regex}`, { cause });
  }
  if (!isValidLabelName(dst)) throw new EvalError(`invalid destination label name in label_replace(): ${dst}`);
  const names = re.namedGroups();
  return relabeled(series, n, dst, (metric) => {
    const input = get(metric, src);
    const m = re.matcher(input);
    if (!m.matches()) return undefined;
    const spans: number[] = [];
    for (let i = 0; i <= m.groupCount(); i++) {
      const s = m.start(i);
      spans.push(s, s < 0 ? -1 : m.end(i));
    }
    return withLabel(metric, dst, expandTemplate(replacement, { input, spans, names }));
  });
}

export function labelJoin(series: StepSeries[], dst: string, sep: string, srcs: string[], n: number): StepSeries[] {
  if (!isValidLabelName(dst)) throw new EvalError(`invalid destination label name in label_join(): ${dst}`);
  for (const s of srcs) if (!isValidLabelName(s)) throw new EvalError(`invalid source label name in label_join(): ${s}`);
  return relabeled(series, n, dst, (metric) => withLabel(metric, dst, srcs.map((s) => get(metric, s)).join(sep)));
}
