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

function needScalar(p: Float64Array | undefined, e: AggregateExpr): Float64Array {
  if (!p) throw new EvalError(`${e.op} needs a scalar parameter`);
  return p;
}

/** Accumulator cells (group x step) per tile: at 5 arrays, about 2 MiB, so a tile stays in cache. */
const TILE_CELLS = 1 << 16;

/**
 * Folds series into groups tile by tile: each tile holds accumulators for every group and a
 * run of steps, and each series' steps are read in order, one series after another. Every
 * (group, step) cell still receives its series in input order, so sums, means and variances
 * come out exactly as a step-by-step fold gives them.
 */
function fold(op: AggregateExpr["op"], input: StepSeries[], groupOf: Int32Array, groups: Labels[], n: number, delayed: boolean): StepSeries[] {
  const g = groups.length;
  const out = groups.map((labels) => newSeries(labels, n));
  const tile = Math.max(1, Math.min(n, Math.floor(TILE_CELLS / Math.max(1, g))));
  const cells = g * tile;
  const count = new Float64Array(cells);
  const value = new Float64Array(cells);
  const comp = new Float64Array(cells);
  const mean = new Float64Array(cells);
  const incremental = new Uint8Array(cells);
  // With delayed name removal: the last step each group has a value at (see markDropNames).
  const lastStep = delayed ? new Int32Array(g).fill(-1) : undefined;
  for (let i0 = 0; i0 < n; i0 += tile) {
    const i1 = Math.min(n, i0 + tile);
    count.fill(0);
    value.fill(0);
    comp.fill(0);
    mean.fill(0);
    incremental.fill(0);
    for (let k = 0; k < input.length; k++) {
      const has = input[k].has;
      const vals = input[k].vals;
      // Cell of step i: base + i.
      const base = groupOf[k] * tile - i0;
      switch (op) {
        case "sum":
          for (let i = i0; i < i1; i++) {
            if (!has[i]) continue;
            const c = base + i;
            count[c]++;
            const r = kahanSumInc(vals[i], value[c], comp[c]);
            value[c] = r.sum;
            comp[c] = r.c;
          }
          break;
        case "avg":
          for (let i = i0; i < i1; i++) {
            if (!has[i]) continue;
            const c = base + i;
            avgStep(vals[i], c, ++count[c], value, comp, mean, incremental);
          }
          break;
        case "min":
          for (let i = i0; i < i1; i++) {
            if (!has[i]) continue;
            const c = base + i;
            const f = vals[i];
            if (++count[c] === 1 || value[c] > f || Number.isNaN(value[c])) value[c] = f;
          }
          break;
        case "max":
          for (let i = i0; i < i1; i++) {
            if (!has[i]) continue;
            const c = base + i;
            const f = vals[i];
            if (++count[c] === 1 || value[c] < f || Number.isNaN(value[c])) value[c] = f;
          }
          break;
        case "stddev":
        case "stdvar":
          for (let i = i0; i < i1; i++) {
            if (!has[i]) continue;
            const c = base + i;
            const f = vals[i];
            const delta = f - mean[c];
            mean[c] += delta / ++count[c];
            value[c] += delta * (f - mean[c]);
          }
          break;
        default:
          for (let i = i0; i < i1; i++) if (has[i]) count[base + i]++;
      }
    }
    for (let gi = 0; gi < g; gi++) {
      const r = out[gi];
      for (let i = i0; i < i1; i++) {
        const c = gi * tile + i - i0;
        const cnt = count[c];
        if (cnt === 0) continue;
        let v: number;
        switch (op) {
          case "sum":
            v = value[c] + comp[c];
            break;
          case "avg":
            v = incremental[c] ? mean[c] + comp[c] : (value[c] + comp[c]) / cnt;
            break;
          case "count":
            v = cnt;
            break;
          case "group":
            v = 1;
            break;
          case "stdvar":
            v = value[c] / cnt;
            break;
          case "stddev":
            v = Math.sqrt(value[c] / cnt);
            break;
          default:
            v = value[c];
        }
        r.vals[i] = v;
        r.has[i] = 1;
        if (lastStep) lastStep[gi] = i;
      }
    }
  }
  if (lastStep) markDropNames(input, groupOf, out, lastStep);
  return out.filter((s) => s.has.some((h) => h === 1));
}

/**
 * With delayed name removal, a group's name is removed later when any series aggregated
 * into it at the group's last step carries a pending removal (Prometheus keeps the flag of
 * the last step it wrote).
 */
function markDropNames(input: StepSeries[], groupOf: Int32Array, out: StepSeries[], lastStep: Int32Array): void {
  for (let gi = 0; gi < out.length; gi++) if (lastStep[gi] >= 0) out[gi].dropName = false;
  for (let k = 0; k < input.length; k++) {
    const i = lastStep[groupOf[k]];
    if (i >= 0 && input[k].has[i] && input[k].dropName) out[groupOf[k]].dropName = true;
  }
}

/** Sums while the sum stays finite, then switches to an incremental mean, as Prometheus does. */
function avgStep(f: number, cell: number, c: number, sum: Float64Array, comp: Float64Array, mean: Float64Array, incremental: Uint8Array): void {
  if (!incremental[cell]) {
    const r = kahanSumInc(f, sum[cell], comp[cell]);
    if (Number.isFinite(r.sum) || c === 1) {
      sum[cell] = r.sum;
      comp[cell] = r.c;
      return;
    }
    incremental[cell] = 1;
    mean[cell] = sum[cell] / (c - 1);
    comp[cell] /= c - 1;
  }
  const m = mean[cell];
  if (!Number.isFinite(m) && !Number.isNaN(m)) {
    if (!Number.isFinite(f) && !Number.isNaN(f) && m > 0 === f > 0) return;
    if (Number.isFinite(f)) return;
  }
  const current = m + comp[cell];
  const r = kahanSumInc(f / c - current / c, m, comp[cell]);
  mean[cell] = r.sum;
  comp[cell] = r.c;
}

function quantiles(an: Annotations, e: AggregateExpr, input: StepSeries[], groupOf: Int32Array, groups: Labels[], q: Float64Array, n: number, delayed: boolean): StepSeries[] {
  const out = groups.map((labels) => newSeries(labels, n));
  const lastStep = delayed ? new Int32Array(groups.length).fill(-1) : undefined;
  const buckets: number[][] = groups.map(() => []);
  for (let i = 0; i < n; i++) {
    if (!(q[i] >= 0 && q[i] <= 1) && input.some((s) => s.has[i])) an.warn(`quantile value should be between 0 and 1, got ${formatGo(q[i])}`, e.param!.pos);
    for (const b of buckets) b.length = 0;
    for (let k = 0; k < input.length; k++) if (input[k].has[i]) buckets[groupOf[k]].push(input[k].vals[i]);
    for (let gi = 0; gi < groups.length; gi++) {
      if (buckets[gi].length === 0) continue;
      out[gi].vals[i] = quantileOf(q[i], buckets[gi]);
      out[gi].has[i] = 1;
      if (lastStep) lastStep[gi] = i;
    }
  }
  if (lastStep) markDropNames(input, groupOf, out, lastStep);
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
