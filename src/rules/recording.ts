// A recording rule: evaluates its expression and renames the result, adding its labels.
import { labelsKey, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { RuleEvalError } from "./errors.js";
import { RuleStatus, type QueryFunc, type Rule, type RuleSample } from "./rule.js";

export interface RecordingRuleOptions {
  readonly name: string;
  readonly query: string;
  readonly labels: Labels;
}

/** Sets (or, for an empty value, removes) labels, returning a sorted set. */
export function setLabels(base: Labels, set: readonly Label[]): Labels {
  const m = new Map<string, string>();
  for (const l of base) m.set(l.name, l.value);
  for (const l of set) {
    if (l.value === "") m.delete(l.name);
    else m.set(l.name, l.value);
  }
  return [...m].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class RecordingRule implements Rule {
  readonly name: string;
  readonly query: string;
  readonly labels: Labels;
  readonly status = new RuleStatus();

  constructor(opts: RecordingRuleOptions) {
    this.name = opts.name;
    this.query = opts.query;
    this.labels = opts.labels;
  }

  async eval(ts: number, query: QueryFunc, limit: number, signal?: AbortSignal): Promise<RuleSample[]> {
    const res = await query(this.query, ts, signal);
    const set = [{ name: METRIC_NAME, value: this.name }, ...this.labels];
    const out: RuleSample[] = [];
    const seen = new Set<string>();
    for (const s of res) {
      const metric = setLabels(s.metric, set);
      const key = labelsKey(metric);
      if (seen.has(key)) throw new RuleEvalError("vector contains metrics with the same labelset after applying rule labels");
      seen.add(key);
      out.push({ metric, t: s.t, v: s.v });
    }
    if (limit > 0 && out.length > limit) throw new RuleEvalError(`exceeded limit of ${limit} with ${out.length} series`);
    return out;
  }
}
