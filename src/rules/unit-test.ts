// Rule unit tests as `promtool test rules` runs them: each test group loads its input series
// into memory storage, evaluates the rule groups every evaluation_interval from the start up
// to the last eval_time, compares firing alerts at each alert test's time and PromQL results
// at the end. Failures are worded as promtool words them, since CI logs are read against them.
import { dirname, isAbsolute, join } from "node:path";
import { expandGlob } from "../config/glob.js";
import { formatDuration } from "../model/duration.js";
import { formatFloatG, quoteGo } from "../model/go-format.js";
import { compareLabels, labelsEqual, labelsFromRecord, type Labels } from "../model/labels.js";
import { Engine } from "../promql/engine.js";
import type { ParseOptions } from "../promql/parser/parse.js";
import { MemoryStorage } from "../storage/memory.js";
import { AlertingRule } from "./alerting.js";
import type { Group } from "./group.js";
import { RuleManager } from "./manager.js";
import { expandSeriesValues, parseSeriesLabels } from "./series-notation.js";
import { JUnitSuite, junitTimestamp } from "./unit-test-junit.js";
import { loadUnitTestFile, type TestGroup, type UnitTestFile } from "./unit-test-file.js";

export interface UnitTestOptions {
  /** Only test groups whose name matches (--run). */
  readonly run?: RegExp;
  readonly ignoreUnknownFields?: boolean;
  readonly parseOptions?: ParseOptions;
  /** Where warnings and --debug lines go (promtool writes them to stderr). */
  readonly warn: (line: string) => void;
  readonly debug?: boolean;
}

const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;
const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Go's labels.Labels.String(): {__name__="up", job="x"}. */
function goLabels(ls: Labels): string {
  return `{${ls.map((l) => `${LEGACY_NAME.test(l.name) ? l.name : quoteGo(l.name)}=${quoteGo(l.value)}`).join(", ")}}`;
}

/** strconv.FormatFloat(v, 'E', -1, 64): 1E+00, 2.5E-01. */
function formatFloatE(v: number): string {
  if (!Number.isFinite(v)) return formatFloatG(v);
  const [mant, exp] = v.toExponential().split("e");
  const n = Number(exp);
  return `${mant}E${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

/** Go's time.Duration String for whole milliseconds: 0s, 500ms, 1m0s, 1h2m3.5s. */
function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${a}ms`;
  const h = Math.floor(a / 3_600_000);
  const m = Math.floor((a % 3_600_000) / 60_000);
  const s = (a % 60_000) / 1000;
  return `${sign}${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
}

/** Each line after the first gets the indent (promtool's indentLines). */
function indentLines(text: string, indent: string): string {
  return text.split("\n").join("\n" + indent);
}

interface AlertView {
  readonly labels: Labels;
  readonly annotations: Labels;
}

function compareAlerts(a: AlertView, b: AlertView): number {
  return compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);
}

function alertsText(alerts: readonly AlertView[]): string {
  if (alerts.length === 0) return "[]";
  const items = alerts.map((a, i) => `${i}:` + indentLines(`\nLabels:${goLabels(a.labels)}\nAnnotations:${goLabels(a.annotations)}`, "  "));
  return `[\n${items.join(",\n")}\n]`;
}

interface SampleView {
  readonly labels: Labels;
  readonly value: number;
}

function samplesText(samples: readonly SampleView[]): string {
  return samples.length === 0 ? "nil" : samples.map((s) => `${goLabels(s.labels)} ${formatFloatE(s.value)}`).join(", ");
}

function floatsEqual(a: number, b: number, fuzzy: boolean): boolean {
  if (a === b) return true;
  if (!fuzzy || !Number.isFinite(a) || !Number.isFinite(b)) return false;
  // One ulp apart either way (math.Nextafter).
  const buf = new Float64Array([a]);
  const bits = new BigInt64Array(buf.buffer);
  const next = (d: bigint) => {
    const f = new Float64Array(1);
    new BigInt64Array(f.buffer)[0] = bits[0] + d;
    return f[0];
  };
  return next(1n) === b || next(-1n) === b;
}

/** Runs one test file; returns its failures (empty when it passed) and records them in suite. */
export async function runUnitTestFile(path: string, opts: UnitTestOptions, suite: JUnitSuite): Promise<string[]> {
  suite.timestamp = junitTimestamp(new Date());
  let file: UnitTestFile;
  let ruleFiles: string[];
  try {
    file = await loadUnitTestFile(path, opts.ignoreUnknownFields);
    ruleFiles = [];
    for (const f of file.ruleFiles) {
      const pattern = f !== "" && !isAbsolute(f) ? join(dirname(path), f) : f;
      const matched = await expandGlob(pattern);
      if (matched.length === 0) opts.warn(`  WARNING: no file match pattern ${pattern}`);
      ruleFiles.push(...matched);
    }
    const seen = new Set<string>();
    for (const g of file.groupEvalOrder) {
      if (seen.has(g)) throw new Error(`group name repeated in evaluation order: ${g}`);
      seen.add(g);
    }
  } catch (err) {
    suite.abort((err as Error).message);
    return [(err as Error).message];
  }
  const evalIntervalMs = file.evaluationIntervalMs || DEFAULT_EVALUATION_INTERVAL_MS;
  const errors: string[] = [];
  for (const [i, tg] of file.tests.entries()) {
    if (opts.run && !opts.run.test(tg.name)) continue;
    const name = tg.name || `unnamed#${i}`;
    suite.addCase(name);
    const started = Date.now();
    if (opts.debug) opts.warn(`DEBUG: Starting test ${name}`);
    const errs = await runTestGroup(tg, { ...opts, ruleFiles, evalIntervalMs, order: file.groupEvalOrder, fuzzy: file.fuzzyCompare, inputIntervalMs: tg.intervalMs || evalIntervalMs });
    if (opts.debug) opts.warn(`DEBUG: Test ${name} finished, took ${goDuration(Date.now() - started)}`);
    for (const e of errs) suite.fail(e);
    errors.push(...errs);
  }
  return errors;
}

interface GroupRun extends UnitTestOptions {
  readonly ruleFiles: readonly string[];
  readonly evalIntervalMs: number;
  readonly inputIntervalMs: number;
  readonly order: readonly string[];
  readonly fuzzy: boolean;
}

async function runTestGroup(tg: TestGroup, run: GroupRun): Promise<string[]> {
  const mint = tg.startMs ?? 0;
  const storage = new MemoryStorage();
  try {
    for (const s of tg.inputSeries) {
      const labels = parseSeriesLabels(s.series);
      expandSeriesValues(s.values).forEach((v, k) => v !== undefined && storage.add(labels, mint + k * run.inputIntervalMs, v));
    }
  } catch (err) {
    return [(err as Error).message];
  }
  const engine = new Engine({ noStepSubqueryIntervalMs: run.evalIntervalMs, parseOptions: run.parseOptions });
  try {
    const manager = new RuleManager({ engine, queryable: storage, appendable: storage, notify: () => {}, externalUrl: tg.externalUrl, parseOptions: run.parseOptions });
    let groups: Group[];
    try {
      groups = await manager.loadGroups(run.inputIntervalMs, run.ruleFiles, tg.externalLabels);
    } catch (err) {
      return [(err as Error).message];
    }
    // group_eval_order is a partial order: groups it does not name keep their place, first.
    const rank = (g: Group) => run.order.indexOf(g.name);
    groups = groups.map((g, i) => ({ g, i })).sort((a, b) => Math.max(rank(a.g), 0) - Math.max(rank(b.g), 0) || a.i - b.i).map((x) => x.g);
    return [...(await evaluate(tg, groups, mint, run)), ...(await checkExpressions(tg, engine, storage, mint, run))];
  } finally {
    engine.close();
  }
}

/** Evaluates the groups at every interval up to the last eval_time, checking alerts on the way. */
async function evaluate(tg: TestGroup, groups: readonly Group[], mint: number, run: GroupRun): Promise<string[]> {
  const errors: string[] = [];
  for (const a of tg.alertRuleTests) {
    if (a.alertname === "") {
      const where = tg.name !== "" ? ` (in TestGroup ${tg.name})` : "";
      return [`an item under alert_rule_test misses required attribute alertname at eval_time ${formatDuration(a.evalTimeMs)}${where}`];
    }
  }
  const evalTimes = [...new Set(tg.alertRuleTests.map((a) => a.evalTimeMs))].sort((x, y) => x - y);
  const maxt = mint + Math.max(0, ...tg.alertRuleTests.map((a) => a.evalTimeMs), ...tg.promqlExprTests.map((p) => p.evalTimeMs));
  let next = 0;
  for (let ts = mint; ts <= maxt; ts += run.evalIntervalMs) {
    const evalErrors: string[] = [];
    for (const g of groups) {
      await g.eval(ts);
      for (const r of g.rules) if (r.status.health === "err") evalErrors.push(`    rule: ${r.name}, time: ${goDuration(ts)}, err: ${r.status.lastError}`);
    }
    if (evalErrors.length > 0) return [...errors, ...evalErrors];
    // An alert test at eval_time t is checked after the evaluation at ts <= t < ts + interval.
    while (next < evalTimes.length && ts - mint <= evalTimes[next] && evalTimes[next] < ts + run.evalIntervalMs - mint) {
      const t = evalTimes[next++];
      for (const test of tg.alertRuleTests.filter((a) => a.evalTimeMs === t)) {
        const got: AlertView[] = [];
        for (const g of groups) {
          for (const r of g.rules) {
            if (!(r instanceof AlertingRule) || r.name !== test.alertname) continue;
            for (const a of r.active.values()) if (a.state === "firing") got.push({ labels: a.labels, annotations: a.annotations });
          }
        }
        const exp: AlertView[] = test.expAlerts.map((e) => ({ labels: labelsFromRecord({ ...e.labels, alertname: test.alertname }), annotations: labelsFromRecord(e.annotations) }));
        got.sort(compareAlerts);
        exp.sort(compareAlerts);
        const same = got.length === exp.length && got.every((g, i) => labelsEqual(g.labels, exp[i].labels) && labelsEqual(g.annotations, exp[i].annotations));
        if (same) continue;
        const name = tg.name !== "" ? `    name: ${tg.name},\n` : "";
        const indent = " ".repeat(12);
        errors.push(`${name}    alertname: ${test.alertname}, time: ${formatDuration(t)}, \n        exp:${indentLines(alertsText(exp), indent)}, \n        got:${indentLines(alertsText(got), indent)}`);
      }
    }
  }
  return errors;
}

async function checkExpressions(tg: TestGroup, engine: Engine, storage: MemoryStorage, mint: number, run: GroupRun): Promise<string[]> {
  const errors: string[] = [];
  for (const test of tg.promqlExprTests) {
    const head = `    expr: ${quoteGo(test.expr)}, time: ${formatDuration(test.evalTimeMs)}`;
    let got: SampleView[];
    try {
      const v = (await engine.instantQuery(storage, test.expr, mint + test.evalTimeMs)).value;
      if (v.type === "vector") got = v.samples.map((s) => ({ labels: s.metric, value: s.v }));
      else if (v.type === "scalar") got = [{ labels: [], value: v.v }];
      else throw new Error("rule result is not a vector or scalar");
    } catch (err) {
      errors.push(`${head}, err: ${(err as Error).message}`);
      continue;
    }
    let exp: SampleView[];
    try {
      exp = test.expSamples.map((s) => {
        try {
          if (s.histogram !== "") throw new Error("native histogram samples are not supported");
          return { labels: parseSeriesLabels(s.labels), value: s.value };
        } catch (err) {
          throw new Error(`labels ${quoteGo(s.labels)}: ${(err as Error).message}`);
        }
      });
    } catch (err) {
      errors.push(`${head}, err: ${(err as Error).message}`);
      continue;
    }
    exp.sort((a, b) => compareLabels(a.labels, b.labels));
    got.sort((a, b) => compareLabels(a.labels, b.labels));
    const same = exp.length === got.length && exp.every((e, i) => labelsEqual(e.labels, got[i].labels) && floatsEqual(e.value, got[i].value, run.fuzzy));
    if (!same) errors.push(`${head},\n        exp: ${samplesText(exp)}\n        got: ${samplesText(got)}`);
  }
  return errors;
}
