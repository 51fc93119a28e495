// Aggregation operators. Groups are computed once per input series; per step, the series
// present are folded into their group's accumulators.
import { labelsKey, METRIC_NAME, type Labels } from "../model/labels.js";
import type { Annotations } from "./annotations.js";
import { EvalError } from "./errors.js";
import { newSeries, type EvalValue, type StepSeries, type Steps } from "./eval-types.js";
import type { Evaluator } from "./evaluator.js";
import { kahanSumInc, quantileOf } from "./float-math.js";
import { formatFloatF, quoteGo } from "../model/go-format.js";
import { isValidLabelName } from "./functions-label.js";
import { xxhash64 } from "./xxhash.js";
import type { AggregateExpr } from "./parser/ast.js";

function groupLabels(metric: Labels, e: AggregateExpr): Labels {
  if (!e.hasGrouping && e.grouping.length === 0) return [];
  const names = new Set(e.grouping);
  if (e.without) return metric.filter((l) => !names.has(l.name) && l.name !== METRIC_NAME);
  return metric.filter((l) => names.has(l.name));
}

export async function evalAggregate(ev: Evaluator, e: AggregateExpr, steps: Steps): Promise<EvalValue> {
  let param: EvalValue | undefined;
  if (e.param) param = await ev.eval(e.param, steps);
  const inner = await ev.eval(e.expr, steps);
  if (inner.kind !== "vector") throw new EvalError(`expected instant vector in aggregation, got ${inner.kind}`);
  const input = inner.series;
  const n = steps.n;
  const groupOf = new Int32Array(input.length);
  const groups: Labels[] = [];
  const byKey = new Map<string, number>();
  for (let k = 0; k < input.length; k++) {
    const g = groupLabels(input[k].metric, e);
    const key = labelsKey(g);
    let id = byKey.get(key);
    if (id === undefined) {
      id = groups.length;
      byKey.set(key, id);
      groups.push(g);
    }
    groupOf[k] = id;
  }
  const scalarParam = param?.kind === "scalar" ? param.vals : undefined;
  switch (e.op) {
    case "topk":
    case "bottomk":
    case "limitk":
    case "limit_ratio":
      return { kind: "vector", series: selectSeries(ev.annotations, e, input, groupOf, groups.length, needScalar(scalarParam, e), n) };
    case "count_values":
      if (param?.kind !== "string") throw new EvalError("count_values needs a string parameter");
      return { kind: "vector", series: countValues(param.v, input, groupOf, groups, n) };
    case "quantile":
      return { kind: "vector", series: quantiles(ev.annotations, e, input, groupOf, groups, needScalar(scalarParam, e), n, ev.opts.delayedNameRemoval) };
    default:
      return { kind: "vector", series: fold(e.op, input, groupOf, groups, n, ev.opts.delayedNameRemoval) };
  }
}

/**
 * With delayed name removal, a group's name is removed later when any series aggregated
 * into it at the group's last step carries a pending removal (Prometheus keeps the flag of
 * the last step it wrote). seenAt[gi] is the last step group gi was reset at.
 */
function markDropName(input: StepSeries[], groupOf: Int32Array, out: StepSeries[], i: number, seenAt: Int32Array): void {
  for (let k = 0; k < input.length; k++) {
    if (!input[k].has[i]) continue;
    const gi = groupOf[k];
    if (seenAt[gi] !== i) {
      seenAt[gi] = i;
      out[gi].dropName = false;
    }
    if (input[k].dropName) out[gi].dropName = true;
  }
}

function needScalar(p: Float64Array | undefined, e: AggregateExpr): Float64Array {
  if (!p) throw new EvalError(`${e.op} needs a scalar parameter`);
  return p;
}

function fold(op: AggregateExpr["op"], input: StepSeries[], groupOf: Int32Array, groups: Labels[], n: number, delayed: boolean): StepSeries[] {
  const g = groups.length;
  // Without delayed name removal the flags are never read, so they are not kept per step.
  const seenAt = delayed ? new Int32Array(g).fill(-1) : undefined;
  const out = groups.map((labels) => newSeries(labels, n));
  const count = new Float64Array(g);
  const value = new Float64Array(g);
  const comp = new Float64Array(g);
  const mean = new Float64Array(g);
  const incremental = new Uint8Array(g);
  for (let i = 0; i < n; i++) {
    count.fill(0);
    value.fill(0);
    comp.fill(0);
    mean.fill(0);
    incremental.fill(0);
    for (let k = 0; k < input.length; k++) {
      const s = input[k];
      if (!s.has[i]) continue;
      const gi = groupOf[k];
      const f = s.vals[i];
      const c = ++count[gi];
      switch (op) {
        case "sum": {
          const r = kahanSumInc(f, value[gi], comp[gi]);
          value[gi] = r.sum;
          comp[gi] = r.c;
          break;
        }
        case "avg":
          avgStep(f, gi, c, value, comp, mean, incremental);
          break;
        case "min":
          if (c === 1 || value[gi] > f || Number.isNaN(value[gi])) value[gi] = f;
          break;
        case "max":
          if (c === 1 || value[gi] < f || Number.isNaN(value[gi])) value[gi] = f;
          break;
        case "stddev":
        case "stdvar": {
          const delta = f - mean[gi];
          mean[gi] += delta / c;
          value[gi] += delta * (f - mean[gi]);
          break;
        }
        default:
          break;
      }
    }
    if (seenAt) markDropName(input, groupOf, out, i, seenAt);
    for (let gi = 0; gi < g; gi++) {
      const c = count[gi];
      if (c === 0) continue;
      let v: number;
      switch (op) {
        case "sum":
          v = value[gi] + comp[gi];
          break;
        case "avg":
          v = incremental[gi] ? mean[gi] + comp[gi] : (value[gi] + comp[gi]) / c;
          break;
        case "count":
          v = c;
          break;
        case "group":
          v = 1;
          break;
        case "stdvar":
          v = value[gi] / c;
          break;
        case "stddev":
          v = Math.sqrt(value[gi] / c);
          break;
        default:
          v = value[gi];
      }
      out[gi].vals[i] = v;
      out[gi].has[i] = 1;
    }
  }
  return out.filter((s) => s.has.some((h) => h === 1));
}

/** Sums while the sum stays finite, then switches to an incremental mean, as Prometheus does. */
function avgStep(f: number, gi: number, c: number, sum: Float64Array, comp: Float64Array, mean: Float64Array, incremental: Uint8Array): void {
  if (!incremental[gi]) {
    const r = kahanSumInc(f, sum[gi], comp[gi]);
    if (Number.isFinite(r.sum) || c === 1) {
      sum[gi] = r.sum;
      comp[gi] = r.c;
      return;
    }
    incremental[gi] = 1;
    mean[gi] = sum[gi] / (c - 1);
    comp[gi] /= c - 1;
  }
  const m = mean[gi];
  if (!Number.isFinite(m) && !Number.isNaN(m)) {
    if (!Number.isFinite(f) && !Number.isNaN(f) && m > 0 === f > 0) return;
    if (Number.isFinite(f)) return;
  }
  const current = m + comp[gi];
  const r = kahanSumInc(f / c - current / c, m, comp[gi]);
  mean[gi] = r.sum;
  comp[gi] = r.c;
}

function quantiles(an: Annotations, e: AggregateExpr, input: StepSeries[], groupOf: Int32Array, groups: Labels[], q: Float64Array, n: number, delayed: boolean): StepSeries[] {
  const out = groups.map((labels) => newSeries(labels, n));
  const seenAt = delayed ? new Int32Array(groups.length).fill(-1) : undefined;
  const buckets: number[][] = groups.map(() => []);
  for (let i = 0; i < n; i++) {
    if (!(q[i] >= 0 && q[i] <= 1) && input.some((s) => s.has[i])) an.warn(`quantile value should be between 0 and 1, got ${formatGo(q[i])}`, e.param!.pos);
    for (const b of buckets) b.length = 0;
    for (let k = 0; k < input.length; k++) if (input[k].has[i]) buckets[groupOf[k]].push(input[k].vals[i]);
    if (seenAt) markDropName(input, groupOf, out, i, seenAt);
    for (let gi = 0; gi < groups.length; gi++) {
      if (buckets[gi].length === 0) continue;
      out[gi].vals[i] = quantileOf(q[i], buckets[gi]);
      out[gi].has[i] = 1;
    }
  }
  return out.filter((s) => s.has.some((h) => h === 1));
}

/** Formats a float as Go's %v/%g does for the values messages show. */
export function formatGo(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function countValues(label: string, input: StepSeries[], groupOf: Int32Array, groups: Labels[], n: number): StepSeries[] {
  if (!isValidLabelName(label)) throw new EvalError(`invalid label name ${quoteGo(label)}`);
  const out = new Map<string, StepSeries>();
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < input.length; k++) {
      if (!input[k].has[i]) continue;
      const valueStr = formatFloatF(input[k].vals[i]);
      const base = groups[groupOf[k]].filter((l) => l.name !== label);
      base.push({ name: label, value: valueStr });
      base.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const key = labelsKey(base);
      let s = out.get(key);
      if (!s) {
        s = newSeries(base, n);
        out.set(key, s);
      }
      s.vals[i] = s.has[i] ? s.vals[i] + 1 : 1;
      s.has[i] = 1;
    }
  }
  return [...out.values()];
}

function selectSeries(an: Annotations, e: AggregateExpr, input: StepSeries[], groupOf: Int32Array, nGroups: number, param: Float64Array, n: number): StepSeries[] {
  const out = input.map((s) => {
    const r = newSeries(s.metric, n);
    r.dropName = s.dropName;
    return r;
  });
  const members: number[][] = Array.from({ length: nGroups }, () => []);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = param[i];
    if (e.op === "limit_ratio") {
      if (Number.isNaN(p)) throw new EvalError("Ratio value is NaN");
    } else if (Number.isNaN(p)) {
      throw new EvalError("Parameter value is NaN");
    }
    if (!input.some((s) => s.has[i])) continue;
    for (const m of members) m.length = 0;
    for (let k = 0; k < input.length; k++) if (input[k].has[i]) members[groupOf[k]].push(k);
    for (const m of members) {
      if (m.length === 0) continue;
      let chosen: number[];
      if (e.op === "limit_ratio") {
        let r = p;
        if (r > 1 || r < -1) {
          const capped = r > 1 ? 1 : -1;
          an.warn(`ratio value should be between -1 and 1, got ${formatGo(r)}, capping to ${capped}`, e.param!.pos);
          r = capped;
        }
        chosen = m.filter((k) => ratioSelected(r, input[k].metric));
      } else {
        const k = Math.min(Math.floor(p), m.length);
        if (k < 1) continue;
        if (e.op === "limitk") chosen = m.slice(0, k);
        else {
          const top = e.op === "topk";
          const sorted = m.slice().sort((a, b) => {
            const va = input[a].vals[i];
            const vb = input[b].vals[i];
            if (Number.isNaN(va)) return Number.isNaN(vb) ? 0 : 1;
            if (Number.isNaN(vb)) return -1;
            return top ? vb - va : va - vb;
          });
          chosen = sorted.slice(0, k);
        }
      }
      for (const k of chosen) {
        out[k].vals[i] = input[k].vals[i];
        out[k].has[i] = 1;
        if (n === 1) order.push(k);
      }
    }
  }
  if (n === 1) return order.map((k) => out[k]);
  return out.filter((s) => s.has.some((h) => h === 1));
}

/** limit_ratio keeps a series when its label hash falls in the ratio's slice of [0, 1). */
function ratioSelected(ratio: number, metric: Labels): boolean {
  const offset = labelsHashFraction(metric);
  return ratio >= 0 ? offset < ratio : offset >= 1 + ratio;
}

/** The label hash as a fraction of 2^64; Prometheus hashes name 0xff value 0xff with xxhash64. */
function labelsHashFraction(metric: Labels): number {
  const enc = new TextEncoder();
  const parts: number[] = [];
  for (const l of metric) {
    for (const b of enc.encode(l.name)) parts.push(b);
    parts.push(0xff);
    for (const b of enc.encode(l.value)) parts.push(b);
    parts.push(0xff);
  }
  return Number(xxhash64(Uint8Array.from(parts))) / 18446744073709551615;
}
