// The rule unit test file promtool reads (`promtool test rules`): rule files, evaluation
// interval, group order and test groups of input series with alert and PromQL expectations.
// Decoded strictly, with Go's type names in the complaints, as promtool's yaml.UnmarshalStrict.
import { readFile } from "node:fs/promises";
import type { Node } from "yaml";
import { ConfigError, ConfigUnmarshalError } from "../config/errors.js";
import { YamlReader } from "../config/yaml-reader.js";
import { labelsFromRecord, type Labels } from "../model/labels.js";

export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AlertTestCase {
  readonly evalTimeMs: number;
  readonly alertname: string;
  readonly expAlerts: readonly ExpectedAlert[];
}

export interface ExpectedSample {
  readonly labels: string;
  readonly value: number;
  readonly histogram: string;
}

export interface PromqlTestCase {
  readonly expr: string;
  readonly evalTimeMs: number;
  readonly expSamples: readonly ExpectedSample[];
}

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface TestGroup {
  /** 0 when not given: the file's evaluation interval then applies. */
  readonly intervalMs: number;
  readonly inputSeries: readonly InputSeries[];
  readonly alertRuleTests: readonly AlertTestCase[];
  readonly promqlExprTests: readonly PromqlTestCase[];
  readonly externalLabels: Labels;
  readonly externalUrl: string;
  readonly name: string;
  /** ms since the epoch; undefined starts the test at 0. */
  readonly startMs: number | undefined;
}

export interface UnitTestFile {
  readonly ruleFiles: readonly string[];
  /** 0 when not given (promtool then uses 1m). */
  readonly evaluationIntervalMs: number;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly TestGroup[];
  readonly fuzzyCompare: boolean;
}

/** A problem with the file itself, worded as promtool words it (no file:line suffix). */
export class UnitTestFileError extends Error {}

/** RFC 3339 or Unix seconds, as promtool's start_timestamp accepts. */
function parseStart(s: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

function decode(text: string, file: string, ignoreUnknownFields: boolean): UnitTestFile {
  const { root, reader: r } = YamlReader.parse(text, file);
  const opts = { ignoreUnknown: ignoreUnknownFields };
  let ruleFiles: string[] = [];
  let evaluationIntervalMs = 0;
  let groupEvalOrder: string[] = [];
  let fuzzyCompare = false;
  const tests: TestGroup[] = [];
  const record = (n: Node) => Object.fromEntries([...r.stringMap(n)].map(([k, v]) => [k, v.value]));
  const testGroup = (n: Node): TestGroup => {
    let intervalMs = 0;
    const inputSeries: InputSeries[] = [];
    const alertRuleTests: AlertTestCase[] = [];
    const promqlExprTests: PromqlTestCase[] = [];
    let externalLabels: Labels = [];
    let externalUrl = "";
    let name = "";
    let startMs: number | undefined;
    r.object(n, "main.testGroup", {
      interval: (v) => (intervalMs = r.duration(v)),
      input_series: (v) =>
        r.list(v, (item) => {
          let series = "";
          let values = "";
          r.object(item, "main.series", { series: (s) => (series = r.string(s)), values: (s) => (values = r.string(s)) }, opts);
          inputSeries.push({ series, values });
        }),
      alert_rule_test: (v) =>
        r.list(v, (item) => {
          let evalTimeMs = 0;
          let alertname = "";
          const expAlerts: ExpectedAlert[] = [];
          r.object(
            item,
            "main.alertTestCase",
            {
              eval_time: (s) => (evalTimeMs = r.duration(s)),
              alertname: (s) => (alertname = r.string(s)),
              exp_alerts: (s) =>
                r.list(s, (a) => {
                  let labels: Record<string, string> = {};
                  let annotations: Record<string, string> = {};
                  r.object(a, "main.alert", { exp_labels: (m) => (labels = record(m)), exp_annotations: (m) => (annotations = record(m)) }, opts);
                  expAlerts.push({ labels, annotations });
                }),
            },
            opts,
          );
          alertRuleTests.push({ evalTimeMs, alertname, expAlerts });
        }),
      promql_expr_test: (v) =>
        r.list(v, (item) => {
          let expr = "";
          let evalTimeMs = 0;
          const expSamples: ExpectedSample[] = [];
          r.object(
            item,
            "main.promqlTestCase",
            {
              expr: (s) => (expr = r.string(s)),
              eval_time: (s) => (evalTimeMs = r.duration(s)),
              exp_samples: (s) =>
                r.list(s, (smp) => {
                  let labels = "";
                  let value = 0;
                  let histogram = "";
                  r.object(smp, "main.sample", { labels: (x) => (labels = r.string(x)), value: (x) => (value = r.float(x)), histogram: (x) => (histogram = r.string(x)) }, opts);
                  expSamples.push({ labels, value, histogram });
                }),
            },
            opts,
          );
          promqlExprTests.push({ expr, evalTimeMs, expSamples });
        }),
      external_labels: (v) => (externalLabels = labelsFromRecord(record(v))),
      external_url: (v) => (externalUrl = r.string(v)),
      name: (v) => (name = r.string(v)),
      start_timestamp: (v) => {
        const s = r.string(v);
        startMs = parseStart(s);
        if (startMs === undefined) r.fail(v, `cannot parse ${JSON.stringify(s)} to a valid timestamp`);
      },
    }, opts);
    return { intervalMs, inputSeries, alertRuleTests, promqlExprTests, externalLabels, externalUrl, name, startMs };
  };
  r.object(root, "main.unitTestFile", {
    rule_files: (v) => (ruleFiles = r.stringList(v)),
    evaluation_interval: (v) => (evaluationIntervalMs = r.duration(v)),
    group_eval_order: (v) => (groupEvalOrder = r.stringList(v)),
    tests: (v) => r.list(v, (n) => tests.push(testGroup(n))),
    fuzzy_compare: (v) => (fuzzyCompare = r.bool(v)),
  }, opts);
  r.finish();
  return { ruleFiles, evaluationIntervalMs, groupEvalOrder, tests, fuzzyCompare };
}

/** Reads and decodes a unit test file; throws UnitTestFileError with promtool's wording. */
export async function loadUnitTestFile(path: string, ignoreUnknownFields = false): Promise<UnitTestFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UnitTestFileError(code === "ENOENT" ? `open ${path}: no such file or directory` : `open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return decode(text, path, ignoreUnknownFields);
  } catch (err) {
    if (err instanceof ConfigUnmarshalError) throw new UnitTestFileError("yaml: unmarshal errors:\n" + err.problems.map((p) => `  line ${p.line}: ${p.message}`).join("\n"), { cause: err });
    if (err instanceof ConfigError) throw new UnitTestFileError(err.message.replace(/ \([^()]*:\d+\)$/, ""), { cause: err });
    throw err;
  }
}
