// Parser and executor for Prometheus' PromQL test scripts (promql/promqltest/README.md):
// load/clear/eval commands, expect lines, series value expansion and result comparison.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseDuration } from "../../src/model/duration.js";
import { labelsFromList, labelsKey, labelsToString, type Label, type Labels } from "../../src/model/labels.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { Engine } from "../../src/promql/engine.js";
import { almostEqual } from "../../src/promql/float-math.js";
import type { Expr } from "../../src/promql/parser/ast.js";
import { ALL_FEATURES, parseExpr, parseMetricSelector } from "../../src/promql/parser/parse.js";
import type { QueryResult } from "../../src/promql/value.js";
import { MemoryStorage } from "./memory-storage.js";
import { skipReasonForCase, skipReasonForLoad, type LoadFlags } from "./skips.js";

/** One expanded point: a value, a stale marker, or nothing (`_`). */
export type Point = number | "stale" | undefined;

export interface SeriesLine {
  readonly labels: Labels;
  readonly points: Point[];
  /** Set when the values include native histograms ({{...}}). */
  readonly histogram: boolean;
}

export interface Expect {
  readonly type: "fail" | "warn" | "info" | "no_warn" | "no_info" | "ordered" | "string" | "range";
  readonly match?: "msg" | "regex";
  readonly text?: string;
}

export interface EvalCase {
  readonly line: number;
  readonly query: string;
  readonly instant: boolean;
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly expects: Expect[];
  readonly series: SeriesLine[];
  /** A bare number line: the expected scalar. */
  readonly scalar: number | undefined;
  readonly rangeVector?: { start: number; end: number; step: number };
}

export type Command =
  | { readonly kind: "load"; readonly line: number; readonly intervalMs: number; readonly nhcb: boolean; readonly series: SeriesLine[]; readonly startTimestamps: boolean }
  | { readonly kind: "clear"; readonly line: number }
  | { readonly kind: "eval"; readonly case: EvalCase };

/** The vendored upstream scripts (testdata/SOURCE.md names the commit); PROMQL_TESTS_DIR points at another copy. */
export const UPSTREAM_DIR = process.env.PROMQL_TESTS_DIR ?? join(import.meta.dirname, "testdata");

export function upstreamFiles(): string[] {
  return readdirSync(UPSTREAM_DIR).filter((f) => f.endsWith(".test")).sort();
}

export function parseTime(s: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  if (s.startsWith("-")) return -parseDuration(s.slice(1));
  return parseDuration(s);
}

/** Splits "metric{a="b"} values..." after the selector, honouring quoted strings. */
function splitSeriesLine(line: string): [string, string] {
  let i = 0;
  let depth = 0;
  let quote = "";
  for (; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) {
        i++;
        break;
      }
    } else if (depth === 0 && /\s/.test(c)) break;
  }
  return [line.slice(0, i), line.slice(i).trim()];
}

function parseLabels(selector: string): Labels {
  const list: Label[] = [];
  for (const m of parseMetricSelector(selector)) {
    if (m.type !== "=") throw new Error(`series ${selector}: only equality labels are allowed`);
    list.push({ name: m.name, value: m.value });
  }
  return labelsFromList(list);
}

function parseNumberToken(s: string): number {
  const t = s.toLowerCase();
  if (t === "nan") return NaN;
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  const v = Number(s);
  if (s.trim() === "" || Number.isNaN(v)) throw new Error(`invalid number ${JSON.stringify(s)}`);
  return v;
}

/** Splits on whitespace, keeping {{...}} histogram literals (which contain spaces) whole. */
function tokenize(spec: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (spec.startsWith("{{", i)) depth++;
    if (spec.startsWith("}}", i) && depth > 0) depth--;
    if (depth === 0 && /\s/.test(c)) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** Expands the value part of a series line: `1+2x3`, `_x2`, `stale`, `-1x3`, `{{...}}`. */
export function expandPoints(spec: string): { points: Point[]; histogram: boolean } {
  const points: Point[] = [];
  let histogram = false;
  for (const tok of tokenize(spec)) {
    if (tok.includes("{{")) {
      histogram = true;
      const m = /x(\d+)$/.exec(tok.slice(tok.lastIndexOf("}}")));
      const times = m ? Number(m[1]) + 1 : 1;
      for (let k = 0; k < times; k++) points.push(undefined);
      continue;
    }
    if (tok === "_") {
      points.push(undefined);
      continue;
    }
    if (tok === "stale") {
      points.push("stale");
      continue;
    }
    let m = /^_x(\d+)$/.exec(tok);
    if (m) {
      for (let k = 0; k < Number(m[1]); k++) points.push(undefined);
      continue;
    }
    m = /^([+-]?(?:[\d.]+(?:e[+-]?\d+)?|inf|nan))([+-])([\d.]+(?:e[+-]?\d+)?|inf|nan)x(\d+)$/i.exec(tok);
    if (m) {
      const start = parseNumberToken(m[1]);
      const delta = parseNumberToken(m[3]) * (m[2] === "-" ? -1 : 1);
      const times = Number(m[4]);
      // Accumulate like Prometheus does, so float rounding matches.
      let v = start;
      points.push(v);
      for (let k = 0; k < times; k++) {
        v += delta;
        points.push(v);
      }
      continue;
    }
    m = /^(.+)x(\d+)$/.exec(tok);
    if (m) {
      const v = parseNumberToken(m[1]);
      for (let k = 0; k <= Number(m[2]); k++) points.push(v);
      continue;
    }
    points.push(parseNumberToken(tok));
  }
  return { points, histogram };
}

function parseSeriesLine(line: string): SeriesLine {
  const [sel, spec] = splitSeriesLine(line.trim());
  const labels = parseLabels(sel);
  const { points, histogram } = expandPoints(spec);
  return { labels, points, histogram };
}

function parseExpectLine(body: string): Expect {
  const m = /^(fail|warn|info|no_warn|no_info|ordered)\b\s*(?:(msg|regex)\s*:\s?(.*))?$/.exec(body);
  if (m) return { type: m[1] as Expect["type"], match: m[2] as Expect["match"], text: m[3]?.trim() };
  const s = /^string\s+(.*)$/.exec(body);
  if (s) return { type: "string", text: unquote(s[1].trim()) };
  throw new Error(`unknown expect line: expect ${body}`);
}

function unquote(s: string): string {
  if (s.startsWith("`") && s.endsWith("`")) return s.slice(1, -1);
  if (s.startsWith('"')) return JSON.parse(s) as string;
  return s;
}

/** Parses a whole test script into commands. */
export function parseScript(text: string): Command[] {
  const lines = text.split("\n");
  const cmds: Command[] = [];
  let i = 0;
  const isBody = (l: string | undefined) => l !== undefined && l.trim() !== "" && !/^(load|clear|eval)/.test(l) && !l.trim().startsWith("#");
  while (i < lines.length) {
    const raw = lines[i];
    const line = raw.trim();
    const lineNo = i + 1;
    i++;
    if (line === "" || line.startsWith("#")) continue;
    if (line === "clear") {
      cmds.push({ kind: "clear", line: lineNo });
      continue;
    }
    let m = /^load(_with_nhcb)?\s+(\S+)$/.exec(line);
    if (m) {
      const series: SeriesLine[] = [];
      let startTimestamps = false;
      while (isBody(lines[i])) {
        const l = lines[i++].trim();
        if (/^\S*\}@st\s/.test(l) || /^[^{\s]*@st\s/.test(l)) {
          startTimestamps = true;
          continue;
        }
        series.push(parseSeriesLine(l));
      }
      cmds.push({ kind: "load", line: lineNo, intervalMs: parseDuration(m[2]), nhcb: m[1] !== undefined, series, startTimestamps });
      continue;
    }
    m = /^(eval(?:_fail|_warn|_info|_ordered)?)\s+(instant\s+at\s+(\S+)|range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+))\s+(.*)$/.exec(line);
    if (!m) throw new Error(`line ${lineNo}: cannot parse ${JSON.stringify(line)}`);
    const instant = m[3] !== undefined;
    const expects: Expect[] = [];
    const legacy = m[1].slice(5);
    if (legacy) expects.push({ type: legacy as Expect["type"] });
    const series: SeriesLine[] = [];
    let scalar: number | undefined;
    let rangeVector: EvalCase["rangeVector"];
    while (isBody(lines[i])) {
      const l = lines[i++].trim();
      if (l.startsWith("expect ")) {
        const body = l.slice(7).trim();
        const rv = /^range vector from (\S+) to (\S+) step (\S+)$/.exec(body);
        if (rv) rangeVector = { start: parseTime(rv[1]), end: parseTime(rv[2]), step: parseDuration(rv[3]) };
        else expects.push(parseExpectLine(body));
        continue;
      }
      const em = /^expected_fail_(message|regexp)\s+(.*)$/.exec(l);
      if (em) {
        const idx = expects.findIndex((e) => e.type === "fail");
        const e: Expect = { type: "fail", match: em[1] === "message" ? "msg" : "regex", text: em[2].trim() };
        if (idx >= 0) expects[idx] = e;
        else expects.push(e);
        continue;
      }
      if (/^[-+]?(\d|\.\d|inf|nan)/i.test(l) && !/[{\s]/.test(l)) {
        scalar = parseNumberToken(l);
        continue;
      }
      series.push(parseSeriesLine(l));
    }
    const start = instant ? parseTime(m[3]) : parseTime(m[4]);
    const end = instant ? start : parseTime(m[5]);
    const step = instant ? 0 : parseDuration(m[6]);
    cmds.push({ kind: "eval", case: { line: lineNo, query: m[7], instant, start, end, step, expects, series, scalar, rangeVector } });
  }
  return cmds;
}

export interface CaseOutcome {
  readonly line: number;
  readonly query: string;
  readonly status: "passed" | "failed" | "skipped";
  readonly reason?: string;
}

/** Runs a script's commands in order against a fresh in-memory storage. */
export async function runScript(text: string): Promise<CaseOutcome[]> {
  const storage = new MemoryStorage();
  // Options as upstream's test harness (promqltest.NewTestEngine) enables them.
  const engine = new Engine({ lookbackDeltaMs: 300_000, timeoutMs: 60_000, parseOptions: ALL_FEATURES, delayedNameRemoval: true });
  const flags: LoadFlags = { nativeSeries: [], startTimestamps: false };
  const outcomes: CaseOutcome[] = [];
  for (const cmd of parseScript(text)) {
    if (cmd.kind === "clear") {
      storage.clear();
      flags.nativeSeries = [];
      flags.startTimestamps = false;
      continue;
    }
    if (cmd.kind === "load") {
      skipReasonForLoad(cmd, flags);
      for (const s of cmd.series) {
        for (let k = 0; k < s.points.length; k++) {
          const p = s.points[k];
          if (p === undefined) continue;
          storage.add(s.labels, k * cmd.intervalMs, p === "stale" ? STALE_NAN : p);
        }
      }
      continue;
    }
    const c = cmd.case;
    let expr: Expr | undefined;
    try {
      expr = parseExpr(c.query, ALL_FEATURES);
    } catch {
      expr = undefined;
    }
    const skip = skipReasonForCase(c, expr, flags);
    if (skip) {
      outcomes.push({ line: c.line, query: c.query, status: "skipped", reason: skip });
      continue;
    }
    let failure: string | undefined;
    try {
      failure = await checkCase(engine, storage, c);
    } catch (err) {
      failure = `runner error: ${(err as Error).stack ?? String(err)}`;
    }
    outcomes.push({ line: c.line, query: c.query, status: failure ? "failed" : "passed", reason: failure });
  }
  engine.close();
  return outcomes;
}

async function checkCase(engine: Engine, storage: MemoryStorage, c: EvalCase): Promise<string | undefined> {
  let res: QueryResult | undefined;
  let error: Error | undefined;
  try {
    res = c.instant ? await engine.instantQuery(storage, c.query, c.start) : await engine.rangeQuery(storage, c.query, c.start, c.end, c.step);
  } catch (err) {
    error = err as Error;
  }
  const failExpects = c.expects.filter((e) => e.type === "fail");
  if (failExpects.length > 0) {
    if (!error) return `expected error, got result`;
    for (const e of failExpects) if (!textMatches(e, error.message)) return `expected error ${e.match} ${JSON.stringify(e.text)}, got ${JSON.stringify(error.message)}`;
    return undefined;
  }
  if (error) return `unexpected error: ${error.message}`;
  const r = res!;
  const annotationProblem = checkAnnotations(c.expects, "warn", "no_warn", r.warnings) ?? checkAnnotations(c.expects, "info", "no_info", r.infos);
  if (annotationProblem) return annotationProblem;
  return compareResult(c, r);
}

function textMatches(e: Expect, actual: string): boolean {
  if (e.text === undefined || e.match === undefined) return true;
  if (e.match === "msg") return actual === e.text || actual === unquoteLoose(e.text);
  return new RegExp(e.text).test(actual);
}

function unquoteLoose(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function checkAnnotations(expects: Expect[], type: "warn" | "info", none: "no_warn" | "no_info", got: string[]): string | undefined {
  const mine = expects.filter((e) => e.type === type);
  if (expects.some((e) => e.type === none) && got.length > 0) return `expected no ${type} annotations, got ${JSON.stringify(got)}`;
  if (mine.length === 0) return undefined;
  for (const e of mine) if (!got.some((g) => textMatches(e, g))) return `expected ${type} ${e.text ? JSON.stringify(e.text) : ""}, got ${JSON.stringify(got)}`;
  for (const g of got) if (!mine.some((e) => textMatches(e, g))) return `unexpected ${type} annotation ${JSON.stringify(g)}`;
  return undefined;
}

function valueEqual(expected: number, got: number): boolean {
  return almostEqual(expected, got, 1e-6);
}

function fmt(labels: Labels): string {
  return labelsToString(labels);
}

function compareResult(c: EvalCase, r: QueryResult): string | undefined {
  const v = r.value;
  const str = c.expects.find((e) => e.type === "string");
  if (str) {
    if (v.type !== "string") return `expected string, got ${v.type}`;
    return v.v === str.text ? undefined : `expected string ${JSON.stringify(str.text)}, got ${JSON.stringify(v.v)}`;
  }
  if (v.type === "scalar") {
    if (c.scalar === undefined) return `got scalar ${v.v}, expected ${c.series.length} series`;
    return valueEqual(c.scalar, v.v) ? undefined : `expected scalar ${c.scalar}, got ${v.v}`;
  }
  if (v.type === "string") return `unexpected string result ${JSON.stringify(v.v)}`;
  if (c.scalar !== undefined) return `expected scalar ${c.scalar}, got ${v.type}`;
  if (v.type === "vector") {
    if (!c.instant) return `range query returned a vector`;
    const ordered = c.expects.some((e) => e.type === "ordered");
    const exp = c.series.map((s) => ({ labels: s.labels, v: s.points[0] }));
    if (exp.length !== v.samples.length) return `expected ${exp.length} samples, got ${v.samples.length}: ${v.samples.map((s) => `${fmt(s.metric)} ${s.v}`).join(", ")}`;
    const byKey = new Map(exp.map((e, i) => [labelsKey(e.labels), i]));
    for (let i = 0; i < v.samples.length; i++) {
      const s = v.samples[i];
      const idx = byKey.get(labelsKey(s.metric));
      if (idx === undefined) return `unexpected series ${fmt(s.metric)} ${s.v}`;
      if (ordered && idx !== i) return `expected ${fmt(exp[i].labels)} at position ${i}, got ${fmt(s.metric)}`;
      const e = exp[idx].v;
      if (typeof e !== "number" || !valueEqual(e, s.v)) return `${fmt(s.metric)}: expected ${String(e)}, got ${s.v}`;
    }
    return undefined;
  }
  // Matrix: from a range query, or an instant query returning a range vector.
  const rv = c.rangeVector;
  const start = c.instant ? rv?.start : c.start;
  const step = c.instant ? rv?.step : c.step;
  if (start === undefined || step === undefined) return `got a range vector without an "expect range vector" line`;
  const exp = new Map<string, SeriesLine>();
  for (const s of c.series) exp.set(labelsKey(s.labels), s);
  const gotSeries = v.series.filter((s) => s.ts.length > 0);
  if (gotSeries.length !== c.series.filter((s) => s.points.some((p) => p !== undefined)).length) {
    return `expected ${c.series.length} series, got ${gotSeries.length}: ${gotSeries.map((s) => fmt(s.metric)).join(", ")}`;
  }
  for (const s of gotSeries) {
    const e = exp.get(labelsKey(s.metric));
    if (!e) return `unexpected series ${fmt(s.metric)}`;
    const want: [number, number][] = [];
    e.points.forEach((p, k) => {
      if (typeof p === "number") want.push([start + k * step, p]);
    });
    if (want.length !== s.ts.length) return `${fmt(s.metric)}: expected ${want.length} points ${JSON.stringify(want)}, got ${s.ts.length} ${JSON.stringify([...s.ts].map((t, k) => [t, s.vs[k]]))}`;
    for (let k = 0; k < want.length; k++) {
      if (want[k][0] !== s.ts[k] || !valueEqual(want[k][1], s.vs[k])) {
        return `${fmt(s.metric)}: expected ${JSON.stringify(want)}, got ${JSON.stringify([...s.ts].map((t, j) => [t, s.vs[j]]))}`;
      }
    }
  }
  return undefined;
}
