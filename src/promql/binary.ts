// Binary operators: arithmetic, comparison (filtering or bool) and set operators, with
// Prometheus' vector matching (on/ignoring, group_left/group_right).
import { compareLabels, labelKeyPart, labelsKey, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { EvalError } from "./errors.js";
import { newSeries, type EvalValue, type StepSeries, type Steps } from "./eval-types.js";
import type { Evaluator } from "./evaluator.js";
import type { BinaryExpr, BinaryOp, VectorMatching } from "./parser/ast.js";
import { dropMetricName, mergeSameLabels, nameDroppingSeries, SAME_LABELSET } from "./series-set.js";

const SET_OPS = new Set<BinaryOp>(["and", "or", "unless"]);

/** Go's math.Pow differs from JS ** for a few special cases. */
function pow(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return a ** b;
}

type Arithmetic = (a: number, b: number) => number;
type Comparison = (a: number, b: number) => boolean;

// Operators resolve to their kernel once per expression node, never per sample.
const ARITHMETIC: ReadonlyMap<BinaryOp, Arithmetic> = new Map<BinaryOp, Arithmetic>([
  ["+", (a, b) => a + b],
  ["-", (a, b) => a - b],
  ["*", (a, b) => a * b],
  ["/", (a, b) => a / b],
  ["%", (a, b) => a % b],
  ["^", pow],
  ["atan2", Math.atan2],
]);

const COMPARISONS: ReadonlyMap<BinaryOp, Comparison> = new Map<BinaryOp, Comparison>([
  ["==", (a, b) => a === b],
  ["!=", (a, b) => a !== b],
  [">", (a, b) => a > b],
  ["<", (a, b) => a < b],
  [">=", (a, b) => a >= b],
  ["<=", (a, b) => a <= b],
]);

function arithmeticKernel(op: BinaryOp): Arithmetic {
  const f = ARITHMETIC.get(op);
  if (!f) throw new EvalError(`operator ${JSON.stringify(op)} not allowed for float operations`);
  return f;
}

export async function evalBinary(ev: Evaluator, e: BinaryExpr, steps: Steps): Promise<EvalValue> {
  const [lhs, rhs] = [await ev.eval(e.lhs, steps), await ev.eval(e.rhs, steps)];
  const n = steps.n;
  const delayed = ev.opts.delayedNameRemoval;
  if (lhs.kind === "scalar" && rhs.kind === "scalar") {
    const vals = new Float64Array(n);
    const test = COMPARISONS.get(e.op);
    if (test) for (let i = 0; i < n; i++) vals[i] = test(lhs.vals[i], rhs.vals[i]) ? 1 : 0;
    else {
      const f = arithmeticKernel(e.op);
      for (let i = 0; i < n; i++) vals[i] = f(lhs.vals[i], rhs.vals[i]);
    }
    return { kind: "scalar", vals };
  }
  if (lhs.kind === "vector" && rhs.kind === "scalar") return { kind: "vector", series: vectorScalar(e, lhs.series, rhs.vals, false, n, delayed) };
  if (lhs.kind === "scalar" && rhs.kind === "vector") return { kind: "vector", series: vectorScalar(e, rhs.series, lhs.vals, true, n, delayed) };
  if (lhs.kind === "vector" && rhs.kind === "vector") {
    const matching: VectorMatching = e.matching ?? { card: SET_OPS.has(e.op) ? "many-to-many" : "one-to-one", matchingLabels: [], on: false, include: [] };
    if (SET_OPS.has(e.op)) return { kind: "vector", series: setOperation(e.op, lhs.series, rhs.series, matching, n) };
    return { kind: "vector", series: vectorVector(e, lhs.series, rhs.series, matching, n, delayed) };
  }
  throw new EvalError(`binary expression must contain only scalar and instant vector types`);
}

function vectorScalar(e: BinaryExpr, series: StepSeries[], scalar: Float64Array, scalarLeft: boolean, n: number, delayed: boolean): StepSeries[] {
  const test = COMPARISONS.get(e.op);
  const f = test ? undefined : arithmeticKernel(e.op);
  const out: StepSeries[] = [];
  for (const s of series) {
    let r: StepSeries;
    if (test && !e.returnBool) {
      r = newSeries(s.metric, n);
      r.dropName = s.dropName;
    } else {
      r = nameDroppingSeries(s.metric, n, delayed);
    }
    const vals = s.vals;
    const has = s.has;
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!has[i]) continue;
      const a = scalarLeft ? scalar[i] : vals[i];
      const b = scalarLeft ? vals[i] : scalar[i];
      if (f) r.vals[i] = f(a, b);
      else if (test!(a, b)) r.vals[i] = e.returnBool ? 1 : vals[i];
      else if (e.returnBool) r.vals[i] = 0;
      else continue;
      r.has[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  }
  return mergeSameLabels(out, n);
}

/** The key two series match on: on(...) labels only, or all but ignoring(...) and __name__. */
function signatureFn(m: VectorMatching): (l: Labels) => string {
  const names = new Set(m.matchingLabels);
  return (labels) => {
    let s = "";
    for (const l of labels) {
      const inList = names.has(l.name);
      if (m.on ? inList : !inList && l.name !== METRIC_NAME) s += labelKeyPart(l.name, l.value);
    }
    return s;
  };
}

function matchLabels(labels: Labels, m: VectorMatching): Labels {
  const names = new Set(m.matchingLabels);
  return labels.filter((l) => (m.on ? names.has(l.name) : !names.has(l.name) && l.name !== METRIC_NAME));
}

/** Labels printed as Prometheus' labels.String(): {a="b", c="d"}, __name__ included. */
export function labelsString(labels: Labels): string {
  return "{" + labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ") + "}";
}

class SigIds {
  private readonly ids = new Map<string, number>();
  id(sig: string): number {
    let id = this.ids.get(sig);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(sig, id);
    }
    return id;
  }
  get size(): number {
    return this.ids.size;
  }
}

/**
 * The output side of a vector-vector operation: output series by label set, created the
 * first time a pair of input series (or a filled one) matches, and the checks Prometheus
 * makes per step (one match per signature, unique grouping, no two values per series).
 */
class VectorJoin {
  readonly out: StepSeries[] = [];
  /** Output index per (many, one) pair; filled pairs use negative keys. */
  private readonly pairOut = new Map<number, number>();
  private readonly outByKey = new Map<string, number>();
  // Per output series: the step and signature that last matched into it (whether or not a
  // comparison then filtered the sample), and the step it was last written at.
  private readonly claimStep: number[] = [];
  private readonly claimSig: number[] = [];
  private readonly outStep: number[] = [];
  /** Per signature, the step it was last matched at. */
  readonly matchedAt: Int32Array;
  private readonly f: Arithmetic | undefined;
  private readonly test: Comparison | undefined;

  constructor(
    private readonly e: BinaryExpr,
    private readonly m: VectorMatching,
    private readonly swapped: boolean,
    private readonly n: number,
    private readonly delayed: boolean,
    signatures: number,
  ) {
    this.matchedAt = new Int32Array(signatures).fill(-1);
    this.test = COMPARISONS.get(e.op);
    this.f = this.test ? undefined : arithmeticKernel(e.op);
  }

  outputFor(pairKey: number, manyMetric: Labels, oneMetric: Labels): number {
    let oi = this.pairOut.get(pairKey);
    if (oi !== undefined) return oi;
    const metric = resultMetric(manyMetric, oneMetric, this.e, this.m, this.test !== undefined, this.delayed);
    const key = labelsKey(metric);
    oi = this.outByKey.get(key);
    if (oi === undefined) {
      oi = this.out.length;
      this.outByKey.set(key, oi);
      const r = newSeries(metric, this.n);
      if (this.e.returnBool) r.dropName = true;
      this.out.push(r);
      this.claimStep.push(-1);
      this.claimSig.push(-1);
      this.outStep.push(-1);
    }
    this.pairOut.set(pairKey, oi);
    return oi;
  }

  apply(i: number, sid: number, oi: number, manyVal: number, oneVal: number): void {
    const fl = this.swapped ? oneVal : manyVal;
    const fr = this.swapped ? manyVal : oneVal;
    let value: number;
    let keep = true;
    if (this.f) value = this.f(fl, fr);
    else {
      keep = this.test!(fl, fr);
      if (this.e.returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      } else {
        value = fl;
      }
    }
    const card = this.m.card;
    // Matching errors come before a comparison filters the sample, as in Prometheus.
    if (card === "one-to-one" && this.matchedAt[sid] === i) {
      throw new EvalError("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
    }
    this.matchedAt[sid] = i;
    if (card !== "one-to-one" && this.claimStep[oi] === i && this.claimSig[oi] === sid) {
      throw new EvalError("multiple matches for labels: grouping labels must ensure unique matches");
    }
    this.claimStep[oi] = i;
    this.claimSig[oi] = sid;
    if (!keep) return;
    if (this.outStep[oi] === i) throw new EvalError(SAME_LABELSET);
    this.outStep[oi] = i;
    this.out[oi].vals[i] = value;
    this.out[oi].has[i] = 1;
  }
}

/**
 * Vector matching for arithmetic and comparisons, step by step over series whose match
 * signatures are computed once. With fill modifiers a missing side takes the fill value and
 * the present side's matching labels; as in Prometheus, fill_right applies to the side
 * matched against (the "one" side after group_right swaps the operands), fill_left to it.
 */
function vectorVector(e: BinaryExpr, lhs: StepSeries[], rhs: StepSeries[], m: VectorMatching, n: number, delayed: boolean): StepSeries[] {
  const swapped = m.card === "one-to-many";
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;
  const fillOne = m.fillValues?.rhs;
  const fillMany = m.fillValues?.lhs;
  const noFill = fillOne === undefined && fillMany === undefined;
  const sigOf = signatureFn(m);
  const ids = new SigIds();
  const manySig = many.map((s) => ids.id(sigOf(s.metric)));
  const oneSig = one.map((s) => ids.id(sigOf(s.metric)));
  const oneAt = new Int32Array(ids.size);
  const join = new VectorJoin(e, m, swapped, n, delayed, ids.size);
  const matchedAt = join.matchedAt;
  // A series usually meets the same partner at every step: its output index is kept and the
  // pair map consulted only when the partner changes (-2: none yet, -1: the fill value).
  const lastPartner = new Int32Array(many.length).fill(-2);
  const lastOut = new Int32Array(many.length);
  const fillOut = new Int32Array(one.length).fill(-1);

  for (let i = 0; i < n; i++) {
    let manyPresent = 0;
    let onePresent = 0;
    for (const s of many) manyPresent += s.has[i];
    for (const s of one) onePresent += s.has[i];
    if ((manyPresent === 0 && onePresent === 0) || ((manyPresent === 0 || onePresent === 0) && noFill)) continue;
    oneAt.fill(0);
    for (let j = 0; j < one.length; j++) {
      if (!one[j].has[i]) continue;
      const sid = oneSig[j];
      if (oneAt[sid] !== 0) {
        const dup = one[oneAt[sid] - 1];
        const [a, b] = compareLabels(dup.metric, one[j].metric) <= 0 ? [dup, one[j]] : [one[j], dup];
        throw new EvalError(
          `found duplicate series for the match group ${labelsString(matchLabels(one[j].metric, m))} on the ${swapped ? "left" : "right"} hand-side of the operation: [${labelsString(a.metric)}, ${labelsString(b.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      oneAt[sid] = j + 1;
    }
    for (let k = 0; k < many.length; k++) {
      if (!many[k].has[i]) continue;
      const sid = manySig[k];
      const j = oneAt[sid] - 1;
      if (j < 0 && fillOne === undefined) continue;
      if (lastPartner[k] !== j) {
        lastPartner[k] = j;
        lastOut[k] = j >= 0 ? join.outputFor(k * one.length + j, many[k].metric, one[j].metric) : join.outputFor(-1 - k, many[k].metric, matchLabels(many[k].metric, m));
      }
      join.apply(i, sid, lastOut[k], many[k].vals[i], j >= 0 ? one[j].vals[i] : fillOne!);
    }
    if (fillMany === undefined) continue;
    for (let j = 0; j < one.length; j++) {
      if (!one[j].has[i]) continue;
      const sid = oneSig[j];
      if (matchedAt[sid] === i) continue;
      if (fillOut[j] < 0) fillOut[j] = join.outputFor(-1 - many.length - j, matchLabels(one[j].metric, m), one[j].metric);
      join.apply(i, sid, fillOut[j], fillMany, one[j].vals[i]);
    }
  }
  return join.out.filter((s) => s.has.includes(1));
}

/** Arithmetic changes what is measured, so it drops the name at once even with delayed removal. */
function resultMetric(ls: Labels, rs: Labels, e: BinaryExpr, m: VectorMatching, cmp: boolean, delayed: boolean): Labels {
  const names = new Set(m.matchingLabels);
  let out: Label[] = ls.filter((l) => (m.card === "one-to-one" ? (m.on ? names.has(l.name) : !names.has(l.name)) : true));
  if (!cmp || (e.returnBool && !delayed)) out = dropMetricName(out).slice();
  if (m.include.length > 0) {
    const include = new Set(m.include);
    out = out.filter((l) => !include.has(l.name));
    for (const l of rs) if (include.has(l.name) && l.value !== "") out.push(l);
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return out;
}

function setOperation(op: BinaryOp, lhs: StepSeries[], rhs: StepSeries[], m: VectorMatching, n: number): StepSeries[] {
  const sigOf = signatureFn(m);
  const ids = new SigIds();
  const lSig = lhs.map((s) => ids.id(sigOf(s.metric)));
  const rSig = rhs.map((s) => ids.id(sigOf(s.metric)));
  const seenAt = new Int32Array(ids.size).fill(-1);
  const copy = (s: StepSeries) => {
    const r = newSeries(s.metric, n);
    r.dropName = s.dropName;
    return r;
  };
  const lOut = lhs.map(copy);
  const rOut = op === "or" ? rhs.map(copy) : [];
  for (let i = 0; i < n; i++) {
    if (op === "or") {
      for (let k = 0; k < lhs.length; k++) {
        if (!lhs[k].has[i]) continue;
        seenAt[lSig[k]] = i;
        lOut[k].has[i] = 1;
        lOut[k].vals[i] = lhs[k].vals[i];
      }
      for (let k = 0; k < rhs.length; k++) {
        if (!rhs[k].has[i] || seenAt[rSig[k]] === i) continue;
        rOut[k].has[i] = 1;
        rOut[k].vals[i] = rhs[k].vals[i];
      }
      continue;
    }
    for (let k = 0; k < rhs.length; k++) if (rhs[k].has[i]) seenAt[rSig[k]] = i;
    for (let k = 0; k < lhs.length; k++) {
      if (!lhs[k].has[i]) continue;
      if ((seenAt[lSig[k]] === i) !== (op === "and")) continue;
      lOut[k].has[i] = 1;
      lOut[k].vals[i] = lhs[k].vals[i];
    }
  }
  const out = lOut.concat(rOut).filter((s) => s.has.some((h) => h === 1));
  return mergeSameLabels(out, n);
}
