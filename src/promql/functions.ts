// Function calls: argument evaluation and dispatch, plus the functions on instant vectors
// and scalars. Range-vector functions live in functions-range.ts, histograms and labels
// in their own files.
import { compareLabels, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { EvalError } from "./errors.js";
import { newSeries, type EvalValue, type RangeSource, type StepSeries, type Steps } from "./eval-types.js";
import type { Evaluator } from "./evaluator.js";
import { checkModeFunction } from "./extended-range.js";
import { histogramFraction, histogramQuantile } from "./functions-histogram.js";
import { evalInfo } from "./functions-info.js";
import { labelJoin, labelReplace } from "./functions-label.js";
import { evalRangeFunction, nonCounterName, RANGE_FUNCTIONS } from "./functions-range.js";
import { goCivilTime, goInt64, type GoCivilTime } from "./go-time.js";
import type { Call, Expr, VectorSelector } from "./parser/ast.js";
import { copySeries, dropMetricName, mergeSameLabels, nameDroppingSeries } from "./series-set.js";

const MATH: Readonly<Record<string, (x: number) => number>> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (x) => (x * 180) / Math.PI,
  rad: (x) => (x * Math.PI) / 180,
  sgn: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
};

const DATE: Readonly<Record<string, (t: GoCivilTime) => number>> = {
  year: (t) => t.year,
  month: (t) => t.month,
  day_of_month: (t) => t.day,
  day_of_week: (t) => t.weekday,
  day_of_year: (t) => t.yearDay,
  hour: (t) => t.hour,
  minute: (t) => t.minute,
  days_in_month: (t) => t.daysInMonth,
};

function unwrap(e: Expr): Expr {
  while (e.kind === "ParenExpr" || e.kind === "StepInvariantExpr") e = e.expr;
  return e;
}

function scalarArg(v: EvalValue, name: string): Float64Array {
  if (v.kind !== "scalar") throw new EvalError(`${name}: expected scalar argument, got ${v.kind}`);
  return v.vals;
}

function vectorArg(v: EvalValue, name: string): StepSeries[] {
  if (v.kind !== "vector") throw new EvalError(`${name}: expected instant vector argument, got ${v.kind}`);
  return v.series;
}

function stringArg(v: EvalValue, name: string): string {
  if (v.kind !== "string") throw new EvalError(`${name}: expected string argument, got ${v.kind}`);
  return v.v;
}

export async function evalCall(ev: Evaluator, call: Call, steps: Steps): Promise<EvalValue> {
  const name = call.func;
  const n = steps.n;
  if (name === "timestamp") {
    const arg = unwrap(call.args[0]);
    const series = arg.kind === "VectorSelector" ? await ev.evalVectorSelector(arg, steps, true) : timestampOfSteps(vectorArg(await ev.eval(arg, steps), name), steps);
    return { kind: "vector", series: mergeSameLabels(series.map((s) => copySeries(s, ev.opts.delayedNameRemoval ? s.metric : dropMetricName(s.metric), n, true)), n) };
  }
  if (name === "info") return { kind: "vector", series: await evalInfo(ev, call, steps) };
  const args: EvalValue[] = [];
  for (const a of call.args) args.push(await ev.eval(a, steps));
  for (const a of args) if (a.kind === "matrix" && a.source.mode) checkModeFunction(a.source.mode, name);

  const range = RANGE_FUNCTIONS[name];
  if (range) {
    const m = args[range.matrixArg];
    if (m.kind !== "matrix") throw new EvalError(`${name}: expected range vector argument, got ${m.kind}`);
    const scalars = args.filter((_, i) => i !== range.matrixArg).map((a) => scalarArg(a, name));
    if (name === "quantile_over_time") warnQuantile(ev, scalars[0], call.args[0], m.source, steps);
    const onSeries =
      name === "rate" || name === "increase"
        ? (metric: Labels) => {
            const bad = nonCounterName(metric);
            if (bad !== undefined) ev.annotations.info(`metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(bad)}`, call.args[0].pos);
          }
        : undefined;
    const dropName = range.keepName ? "keep" : ev.opts.delayedNameRemoval ? "flag" : "drop";
    return { kind: "vector", series: evalRangeFunction(m.source, steps, range.kernel, dropName, scalars, onSeries) };
  }

  const delayed = ev.opts.delayedNameRemoval;
  const math = MATH[name];
  if (math) return { kind: "vector", series: mapValues(vectorArg(args[0], name), n, delayed, math) };
  const date = DATE[name];
  if (date) {
    if (args.length === 0) {
      const vals = new Float64Array(n);
      // Go divides the step's ms by 1000 as integers: toward zero.
      for (let i = 0; i < n; i++) vals[i] = date(goCivilTime(BigInt(Math.trunc(steps.times[i] / 1000))));
      return { kind: "vector", series: [{ metric: [], vals, has: new Uint8Array(n).fill(1) }] };
    }
    return { kind: "vector", series: mapValues(vectorArg(args[0], name), n, delayed, (x) => date(goCivilTime(goInt64(x)))) };
  }

  switch (name) {
    case "time":
      return { kind: "scalar", vals: Float64Array.from(steps.times, (t) => t / 1000) };
    case "step":
      return { kind: "scalar", vals: new Float64Array(n).fill(ev.opts.queryStepMs / 1000) };
    case "range":
      return { kind: "scalar", vals: new Float64Array(n).fill((ev.opts.queryEnd - ev.opts.queryStart) / 1000) };
    case "start":
      return { kind: "scalar", vals: new Float64Array(n).fill(ev.opts.queryStart / 1000) };
    case "end":
      return { kind: "scalar", vals: new Float64Array(n).fill(ev.opts.queryEnd / 1000) };
    case "min_of":
    case "max_of": {
      const a = scalarArg(args[0], name);
      const b = scalarArg(args[1], name);
      return { kind: "scalar", vals: a.map((x, i) => (name === "min_of" ? goMin(x, b[i]) : goMax(x, b[i]))) };
    }
    case "pi":
      return { kind: "scalar", vals: new Float64Array(n).fill(Math.PI) };
    case "vector": {
      const vals = scalarArg(args[0], name);
      return { kind: "vector", series: [{ metric: [], vals: Float64Array.from(vals), has: new Uint8Array(n).fill(1) }] };
    }
    case "scalar": {
      const series = vectorArg(args[0], name);
      const vals = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let count = 0;
        let v = NaN;
        for (const s of series) {
          if (!s.has[i]) continue;
          count++;
          v = s.vals[i];
        }
        vals[i] = count === 1 ? v : NaN;
      }
      return { kind: "scalar", vals };
    }
    case "round": {
      const to = args.length > 1 ? scalarArg(args[1], name) : undefined;
      return { kind: "vector", series: mapValuesAt(vectorArg(args[0], name), n, delayed, (x, i) => {
        const inv = 1 / (to ? to[i] : 1);
        return Math.floor(x * inv + 0.5) / inv;
      }) };
    }
    case "clamp": {
      const lo = scalarArg(args[1], name);
      const hi = scalarArg(args[2], name);
      const series = vectorArg(args[0], name).map((s) => {
        const r = nameDroppingSeries(s.metric, n, delayed);
        for (let i = 0; i < n; i++) {
          if (!s.has[i] || hi[i] < lo[i]) continue;
          r.has[i] = 1;
          r.vals[i] = goMax(lo[i], goMin(hi[i], s.vals[i]));
        }
        return r;
      });
      return { kind: "vector", series: mergeSameLabels(series.filter((s) => s.has.some((h) => h === 1)), n) };
    }
    case "clamp_min": {
      const lo = scalarArg(args[1], name);
      return { kind: "vector", series: mapValuesAt(vectorArg(args[0], name), n, delayed, (x, i) => goMax(lo[i], x)) };
    }
    case "clamp_max": {
      const hi = scalarArg(args[1], name);
      return { kind: "vector", series: mapValuesAt(vectorArg(args[0], name), n, delayed, (x, i) => goMin(hi[i], x)) };
    }
    case "absent":
      return { kind: "vector", series: absent(vectorArg(args[0], name), call.args[0], n) };
    case "absent_over_time": {
      const m = args[0];
      if (m.kind !== "matrix") throw new EvalError(`${name}: expected range vector argument`);
      return { kind: "vector", series: absentOverTime(m.source, call.args[0], steps) };
    }
    case "sort":
    case "sort_desc":
    case "sort_by_label":
    case "sort_by_label_desc": {
      if (n > 1) ev.annotations.warn(`sort is ineffective for range queries since results are always ordered by labels`, call.pos);
      const series = vectorArg(args[0], name).slice();
      if (n === 1) sortSeries(name, series, args.slice(1).map((a) => stringArg(a, name)));
      return { kind: "vector", series };
    }
    case "label_replace":
      return {
        kind: "vector",
        series: labelReplace(vectorArg(args[0], name), stringArg(args[1], name), stringArg(args[2], name), stringArg(args[3], name), stringArg(args[4], name), n),
      };
    case "label_join":
      return { kind: "vector", series: labelJoin(vectorArg(args[0], name), stringArg(args[1], name), stringArg(args[2], name), args.slice(3).map((a) => stringArg(a, name)), n) };
    case "histogram_quantile":
      return { kind: "vector", series: histogramQuantile(ev.annotations, call, scalarArg(args[0], name), vectorArg(args[1], name), n) };
    case "histogram_fraction":
      return { kind: "vector", series: histogramFraction(ev.annotations, call, scalarArg(args[0], name), scalarArg(args[1], name), vectorArg(args[2], name), n) };
    case "histogram_count":
    case "histogram_sum":
    case "histogram_avg":
    case "histogram_stddev":
    case "histogram_stdvar":
      // Native histograms only: float samples give no result.
      vectorArg(args[0], name);
      return { kind: "vector", series: [] };
    default:
      throw new EvalError(`function ${JSON.stringify(name)} is not supported`);
  }
}

/** Go's math.Max/Min: NaN wins. */
function goMax(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
}

function goMin(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
}

function mapValues(series: StepSeries[], n: number, delayed: boolean, f: (x: number) => number): StepSeries[] {
  return mapValuesAt(series, n, delayed, (x) => f(x));
}

function mapValuesAt(series: StepSeries[], n: number, delayed: boolean, f: (x: number, i: number) => number): StepSeries[] {
  const out = series.map((s) => {
    const r = nameDroppingSeries(s.metric, n, delayed);
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      r.has[i] = 1;
      r.vals[i] = f(s.vals[i], i);
    }
    return r;
  });
  return mergeSameLabels(out, n);
}

function timestampOfSteps(series: StepSeries[], steps: Steps): StepSeries[] {
  return series.map((s) => {
    const r = newSeries(s.metric, steps.n);
    for (let i = 0; i < steps.n; i++) {
      if (!s.has[i]) continue;
      r.has[i] = 1;
      r.vals[i] = steps.times[i] / 1000;
    }
    return r;
  });
}

function warnQuantile(ev: Evaluator, q: Float64Array, arg: Expr, src: RangeSource, steps: Steps): void {
  if (src.series.length === 0) return;
  for (let i = 0; i < steps.n; i++) {
    if (!(q[i] >= 0 && q[i] <= 1)) {
      ev.annotations.warn(`quantile value should be between 0 and 1, got ${Number.isNaN(q[i]) ? "NaN" : String(q[i])}`, arg.pos);
      return;
    }
  }
}

/** Labels absent() reports: equality matchers of a plain selector argument. */
function absentLabels(arg: Expr): Labels {
  const e = unwrap(arg);
  let vs: VectorSelector | undefined;
  if (e.kind === "VectorSelector") vs = e;
  else if (e.kind === "MatrixSelector") vs = e.vector;
  if (!vs) return [];
  const set = new Map<string, string>();
  const seen = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === "=" && !seen.has(m.name)) {
      set.set(m.name, m.value);
      seen.add(m.name);
    } else {
      set.delete(m.name);
      seen.add(m.name);
    }
  }
  const out: Label[] = [];
  for (const [name, value] of set) if (value !== "") out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function absent(series: StepSeries[], arg: Expr, n: number): StepSeries[] {
  const r = newSeries(absentLabels(arg), n);
  for (let i = 0; i < n; i++) {
    if (series.some((s) => s.has[i] === 1)) continue;
    r.has[i] = 1;
    r.vals[i] = 1;
  }
  return r.has.some((h) => h === 1) ? [r] : [];
}

function absentOverTime(src: RangeSource, arg: Expr, steps: Steps): StepSeries[] {
  const present = evalRangeFunction(src, steps, () => 1, "drop", []);
  const r = newSeries(absentLabels(arg), steps.n);
  for (let i = 0; i < steps.n; i++) {
    if (present.some((s) => s.has[i] === 1)) continue;
    r.has[i] = 1;
    r.vals[i] = 1;
  }
  return r.has.some((h) => h === 1) ? [r] : [];
}

/** Natural order: digit runs compare as numbers. */
function natCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function sortSeries(name: string, series: StepSeries[], labels: string[]): void {
  if (name === "sort" || name === "sort_desc") {
    const desc = name === "sort_desc";
    series.sort((a, b) => {
      const va = a.vals[0];
      const vb = b.vals[0];
      if (Number.isNaN(va)) return Number.isNaN(vb) ? 0 : 1;
      if (Number.isNaN(vb)) return -1;
      return desc ? vb - va : va - vb;
    });
    return;
  }
  const desc = name === "sort_by_label_desc";
  const get = (s: StepSeries, l: string) => s.metric.find((x) => x.name === l)?.value ?? "";
  series.sort((a, b) => {
    for (const l of labels) {
      const x = get(a, l);
      const y = get(b, l);
      if (x === y) continue;
      const c = natCompare(x, y);
      return desc ? -c : c;
    }
    const c = compareLabels(a.metric, b.metric);
    return desc ? -c : c;
  });
}
