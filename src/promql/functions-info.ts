// info(v, {data label selector}) (experimental; upstream's test harness turns it on): adds
// the data labels of info series (target_info unless the selector names others) that share
// the identifying labels instance and job with a series of v.
import { getLabel, labelKeyPart, labelsFromList, labelsKey, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { Matcher } from "../model/matcher.js";
import { EvalError } from "./errors.js";
import { newSeries, type StepSeries, type Steps } from "./eval-types.js";
import type { Evaluator } from "./evaluator.js";
import { labelsString } from "./binary.js";
import type { Call, Expr, VectorSelector } from "./parser/ast.js";
import { SAME_LABELSET } from "./series-set.js";

const TARGET_INFO = "target_info";
const IDENTIFYING = ["instance", "job"];

/**
 * The time info series are looked up at for a step: the step time moved by the @ and offset
 * modifiers on the way down to the first selector in v (subqueries included), as v's samples are.
 */
function referenceTimes(ev: Evaluator, e: Expr, steps: Steps): Float64Array {
  const shifts: { at: number | undefined; offset: number }[] = [];
  for (;;) {
    if (e.kind === "VectorSelector" || e.kind === "MatrixSelector") {
      const vs = e.kind === "VectorSelector" ? e : e.vector;
      shifts.push({ at: ev.resolveAt(vs.at), offset: ev.dur(vs.offsetMs, vs.offsetExpr) });
      break;
    }
    if (e.kind === "NumberLiteral" || e.kind === "StringLiteral") break;
    if (e.kind === "SubqueryExpr") shifts.push({ at: ev.resolveAt(e.at), offset: ev.dur(e.offsetMs, e.offsetExpr) });
    let next: Expr | undefined;
    switch (e.kind) {
      case "BinaryExpr":
        next = hasSelector(e.lhs) ? e.lhs : e.rhs;
        break;
      case "AggregateExpr":
        next = e.param && hasSelector(e.param) ? e.param : e.expr;
        break;
      case "Call":
        next = e.args.find(hasSelector);
        break;
      default:
        next = e.expr;
    }
    if (!next) break;
    e = next;
  }
  return steps.times.map((t) => shifts.reduce((acc, s) => (s.at ?? acc) - s.offset, t));
}

function hasSelector(e: Expr): boolean {
  switch (e.kind) {
    case "VectorSelector":
    case "MatrixSelector":
      return true;
    case "NumberLiteral":
    case "StringLiteral":
      return false;
    case "BinaryExpr":
      return hasSelector(e.lhs) || hasSelector(e.rhs);
    case "AggregateExpr":
      return hasSelector(e.expr) || (e.param !== undefined && hasSelector(e.param));
    case "Call":
      return e.args.some(hasSelector);
    default:
      return hasSelector(e.expr);
  }
}

function unwrapSelector(e: Expr): VectorSelector {
  while (e.kind === "ParenExpr" || e.kind === "StepInvariantExpr") e = e.expr;
  if (e.kind !== "VectorSelector") throw new EvalError(`info: the data label selector must be a vector selector`);
  return e;
}

/** An info series' identity for matching: its name and identifying labels. */
function signature(name: string, metric: Labels): string {
  let s = name;
  for (const l of IDENTIFYING) {
    const v = getLabel(metric, l);
    if (v !== "") s += labelKeyPart(l, v);
  }
  return s;
}

export async function evalInfo(ev: Evaluator, call: Call, steps: Steps): Promise<StepSeries[]> {
  const v = await ev.eval(call.args[0], steps);
  if (v.kind !== "vector") throw new EvalError(`info: expected instant vector argument, got ${v.kind}`);
  const base = v.series;
  const selectorMatchers = call.args.length > 1 ? unwrapSelector(call.args[1]).matchers : [];
  const nameMatchers = call.args.length > 1 ? selectorMatchers.filter((m) => m.name === METRIC_NAME) : [new Matcher("=", METRIC_NAME, TARGET_INFO)];
  // Only excluding names still means info metrics, not every other metric.
  if (nameMatchers.length > 0 && !nameMatchers.some((m) => m.type === "=" || m.type === "=~")) nameMatchers.push(new Matcher("=~", METRIC_NAME, ".+_info"));
  // Data label matchers by label name; __name__ only picks the info metrics.
  const dataMatchers = new Map<string, Matcher[]>();
  for (const m of selectorMatchers) {
    if (m.name === METRIC_NAME) continue;
    const list = dataMatchers.get(m.name) ?? [];
    list.push(m);
    dataMatchers.set(m.name, list);
  }

  // Info series in v are passed through, not enriched.
  const ignored = base.map((s) => nameMatchers.length > 0 && nameMatchers.every((m) => m.matches(getLabel(s.metric, METRIC_NAME))));
  const idValues = new Map<string, Set<string>>();
  base.forEach((s, k) => {
    if (ignored[k]) return;
    for (const l of IDENTIFYING) {
      const val = getLabel(s.metric, l);
      if (val === "") continue;
      let set = idValues.get(l);
      if (!set) idValues.set(l, (set = new Set()));
      set.add(val);
    }
  });

  let info: StepSeries[] = [];
  if (idValues.size > 0) {
    const matchers = selectorMatchers.filter((m) => m.name !== METRIC_NAME).concat(nameMatchers.length > 0 ? nameMatchers : [new Matcher("=", METRIC_NAME, TARGET_INFO)]);
    const times = referenceTimes(ev, call.args[0], steps);
    const at: Steps = { start: times[0], end: times[times.length - 1], interval: steps.interval, n: steps.n, times };
    const infoSelector: VectorSelector = { kind: "VectorSelector", name: "", matchers, offsetMs: 0, at: undefined, pos: call.pos };
    // Values are the info samples' own timestamps (s): the newest one wins a conflict.
    const found = await ev.evalVectorSelector(infoSelector, at, true);
    info = found.filter((s) => [...idValues].every(([l, vals]) => vals.has(getLabel(s.metric, l))));
  }
  const infoNames = [...new Set(info.map((s) => getLabel(s.metric, METRIC_NAME)))];
  const infoSigs = info.map((s) => signature(getLabel(s.metric, METRIC_NAME), s.metric));
  const baseSigs = base.map((s) => infoNames.map((name) => signature(name, s.metric)));
  const dropWhenUnmatched = [...dataMatchers.values()].some((ms) => ms.some((m) => !m.matchesEmpty()));

  const n = steps.n;
  const out: StepSeries[] = [];
  const outByKey = new Map<string, number>();
  const outStep: number[] = [];
  const emit = (metric: Labels, from: StepSeries, i: number) => {
    const key = labelsKey(metric);
    let oi = outByKey.get(key);
    if (oi === undefined) {
      oi = out.length;
      outByKey.set(key, oi);
      const r = newSeries(metric, n);
      r.dropName = from.dropName;
      out.push(r);
      outStep.push(-1);
    }
    if (outStep[oi] === i) throw new EvalError(SAME_LABELSET);
    outStep[oi] = i;
    out[oi].vals[i] = from.vals[i];
    out[oi].has[i] = 1;
  };

  const bySig = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    bySig.clear();
    for (let j = 0; j < info.length; j++) {
      if (!info[j].has[i]) continue;
      const prev = bySig.get(infoSigs[j]);
      if (prev === undefined || info[prev].vals[i] < info[j].vals[i]) {
        bySig.set(infoSigs[j], j);
      } else if (info[prev].vals[i] === info[j].vals[i]) {
        const t = Math.round(info[j].vals[i] * 1000);
        throw new EvalError(`found duplicate series for info metric: existing ${labelsString(info[prev].metric)} @ ${t}, new ${labelsString(info[j].metric)} @ ${t}`);
      }
    }
    for (let k = 0; k < base.length; k++) {
      const bs = base[k];
      if (!bs.has[i]) continue;
      if (ignored[k]) {
        emit(bs.metric, bs, i);
        continue;
      }
      const added = new Map<string, string>();
      let seen = 0;
      for (const sig of baseSigs[k]) {
        const j = bySig.get(sig);
        if (j === undefined) continue;
        seen++;
        for (const l of info[j].metric) {
          if (l.name === METRIC_NAME) continue;
          if (dataMatchers.size > 0 && !dataMatchers.has(l.name)) continue;
          const have = added.get(l.name);
          if (have !== undefined && have !== l.value) throw new EvalError(`conflicting label: ${l.name}`);
          if (getLabel(bs.metric, l.name) !== "") continue;
          added.set(l.name, l.value);
        }
      }
      if (seen === 0 && dropWhenUnmatched) continue;
      if (added.size === 0) {
        emit(bs.metric, bs, i);
        continue;
      }
      const list: Label[] = bs.metric.slice();
      for (const [name, value] of added) list.push({ name, value });
      emit(labelsFromList(list), bs, i);
    }
  }
  return out;
}
