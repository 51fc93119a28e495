// The rule manager: loads rule files, runs one loop per group, and reports groups and alerts
// in the HTTP API's shape. A reload keeps unchanged groups running and hands the state of
// changed ones (alerts, series written) to their replacements.
import { resolve } from "node:path";
import { expandGlob } from "../config/glob.js";
import { nopLogger, type Logger } from "../log/logger.js";
import { labelsToRecord, type Label, type Labels } from "../model/labels.js";
import type { Alert } from "../notifier/alert.js";
import type { Engine } from "../promql/engine.js";
import type { Appendable, Queryable } from "../storage/interface.js";
import { AlertingRule, type ActiveAlert } from "./alerting.js";
import { RuleFileError } from "./errors.js";
import { Group } from "./group.js";
import { RecordingRule } from "./recording.js";
import { engineQueryFunc, rfc3339, type QueryFunc, type Rule } from "./rule.js";
import type { ParseOptions } from "../promql/parser/parse.js";
import { loadRuleFile, type RuleGroupSpec, type RuleSpec } from "./rule-file.js";

export interface RuleManagerOptions {
  readonly engine: Pick<Engine, "instantQuery">;
  readonly queryable: Queryable;
  readonly appendable: Appendable;
  /** Receives alerts due to be sent (firing, resent or resolved); typically Notifier.send. */
  readonly notify: (alerts: Alert[]) => void;
  readonly externalLabels?: Labels;
  readonly externalUrl?: string;
  readonly logger?: Logger;
  /** --rules.alert.resend-delay */
  readonly resendDelayMs?: number;
  /** --rules.alert.for-outage-tolerance */
  readonly outageToleranceMs?: number;
  /** --rules.alert.for-grace-period */
  readonly forGracePeriodMs?: number;
  /** Experimental PromQL syntax allowed in rule expressions (--enable-feature). */
  readonly parseOptions?: ParseOptions;
}

export const RULE_MANAGER_DEFAULTS = {
  resendDelayMs: 60_000,
  outageToleranceMs: 3_600_000,
  forGracePeriodMs: 600_000,
} as const;

/** An alert in /api/v1/alerts and in a rule's "alerts". */
export interface AlertJSON {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: string;
  readonly activeAt?: string;
  readonly keepFiringSince?: string;
  readonly value: string;
}

export interface RuleJSON {
  readonly name: string;
  readonly query: string;
  readonly health: string;
  readonly lastError?: string;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  readonly type: "alerting" | "recording";
  readonly labels?: Record<string, string>;
  readonly state?: string;
  readonly duration?: number;
  readonly keepFiringFor?: number;
  readonly annotations?: Record<string, string>;
  readonly alerts?: AlertJSON[];
}

/** A group in /api/v1/rules; interval in seconds. */
export interface RuleGroupJSON {
  readonly name: string;
  readonly file: string;
  readonly rules: RuleJSON[];
  readonly interval: number;
  readonly limit: number;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
}

/** Sorted by name, empty values kept: an empty rule label removes that label from results. */
function ruleLabels(pairs: readonly (readonly [string, string])[]): Labels {
  const m = new Map<string, string>(pairs);
  const out: Label[] = [...m].map(([name, value]) => ({ name, value }));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64), as the API prints alert values. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const [m, e] = v.toExponential().split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function alertJSON(a: ActiveAlert): AlertJSON {
  return {
    labels: labelsToRecord(a.labels),
    annotations: labelsToRecord(a.annotations),
    state: a.state,
    activeAt: rfc3339(a.activeAtMs),
    ...(a.keepFiringSinceMs !== 0 ? { keepFiringSince: rfc3339(a.keepFiringSinceMs) } : {}),
    value: formatValue(a.value),
  };
}

export class RuleManager {
  private readonly opts: RuleManagerOptions;
  private readonly logger: Logger;
  private readonly query: QueryFunc;
  private externalLabels: Labels;
  private groupMap = new Map<string, Group>();
  private restoredOnce = false;
  private stopped = false;
  private updating: Promise<void> = Promise.resolve();

  constructor(opts: RuleManagerOptions) {
    this.opts = opts;
    this.logger = (opts.logger ?? nopLogger).with({ component: "rule manager" });
    this.query = engineQueryFunc(opts.engine, opts.queryable);
    this.externalLabels = opts.externalLabels ?? [];
  }

  /**
   * Loads the rule files (globs allowed) and swaps in their groups. Every file is validated
   * first: on any error this throws (RuleFileError) and the running groups stay as they are.
   */
  update(intervalMs: number, files: readonly string[], externalLabels?: Labels): Promise<void> {
    // Reloads run one at a time, in call order.
    const run = this.updating.then(() => this.doUpdate(intervalMs, files, externalLabels));
    this.updating = run.catch(() => {});
    return run;
  }

  /**
   * The groups of the rule files, built but not running, with alerts counted as restored
   * (promtool's LoadGroups): the caller drives time with Group.eval, as rule unit tests do.
   */
  async loadGroups(intervalMs: number, files: readonly string[], externalLabels?: Labels): Promise<Group[]> {
    const { specs } = await this.loadSpecs(files);
    if (externalLabels) this.externalLabels = externalLabels;
    return specs.map((spec) => this.newGroup(spec, intervalMs, false));
  }

  /** Every group of the files (globs allowed); throws RuleFileError listing all problems. */
  private async loadSpecs(files: readonly string[]): Promise<{ specs: RuleGroupSpec[]; paths: string[] }> {
    const paths: string[] = [];
    for (const f of files) {
      const abs = resolve(f);
      // Like Prometheus' filepath.Glob: a path that matches nothing is skipped.
      for (const p of await expandGlob(abs)) if (!paths.includes(p)) paths.push(p);
    }
    const specs: RuleGroupSpec[] = [];
    const problems: RuleFileError[] = [];
    for (const p of paths) {
      try {
        specs.push(...(await loadRuleFile(p, this.opts.parseOptions)));
      } catch (err) {
        if (err instanceof RuleFileError) problems.push(err);
        else throw new Error(`load rule file ${p}`, { cause: err });
      }
    }
    if (problems.length > 0) {
      throw new RuleFileError(problems[0].file, problems.flatMap((e) => e.problems.map((p) => (e.file === problems[0].file ? p : `${e.file}: ${p}`))), { cause: problems[0] });
    }
    return { specs, paths };
  }

  private async doUpdate(intervalMs: number, files: readonly string[], externalLabels?: Labels): Promise<void> {
    if (this.stopped) throw new Error("rule manager is stopped");
    const { specs, paths } = await this.loadSpecs(files);
    if (externalLabels) this.externalLabels = externalLabels;
    const shouldRestore = !this.restoredOnce;
    const next = new Map<string, Group>();
    for (const spec of specs) next.set(groupKey(spec.file, spec.name), this.newGroup(spec, intervalMs, shouldRestore));

    const old = this.groupMap;
    const starts: Promise<void>[] = [];
    for (const [key, g] of next) {
      const prev = old.get(key);
      old.delete(key);
      if (prev && prev.equals(g)) {
        next.set(key, prev);
        continue;
      }
      starts.push(
        (async () => {
          if (prev) {
            await prev.stop();
            g.copyState(prev);
          }
          if (!this.stopped) g.start();
        })(),
      );
    }
    for (const g of old.values()) starts.push(g.stop(true));
    this.groupMap = next;
    await Promise.all(starts);
    this.restoredOnce = true;
    this.logger.info("Rule groups loaded", { groups: next.size, files: paths.length });
  }

  private newGroup(spec: RuleGroupSpec, defaultIntervalMs: number, shouldRestore: boolean): Group {
    const rules: Rule[] = spec.rules.map((r) => this.newRule(r, shouldRestore));
    return new Group({
      name: spec.name,
      file: spec.file,
      intervalMs: spec.intervalMs > 0 ? spec.intervalMs : defaultIntervalMs,
      limit: spec.limit,
      queryOffsetMs: spec.queryOffsetMs,
      rules,
      query: this.query,
      queryable: this.opts.queryable,
      appendable: this.opts.appendable,
      notify: this.opts.notify,
      externalUrl: this.opts.externalUrl ?? "",
      resendDelayMs: this.opts.resendDelayMs ?? RULE_MANAGER_DEFAULTS.resendDelayMs,
      outageToleranceMs: this.opts.outageToleranceMs ?? RULE_MANAGER_DEFAULTS.outageToleranceMs,
      forGracePeriodMs: this.opts.forGracePeriodMs ?? RULE_MANAGER_DEFAULTS.forGracePeriodMs,
      shouldRestore,
      logger: this.opts.logger,
    });
  }

  private newRule(r: RuleSpec, shouldRestore: boolean): Rule {
    if (r.record !== "") return new RecordingRule({ name: r.record, query: r.expr, labels: ruleLabels(r.labels) });
    return new AlertingRule({
      name: r.alert,
      query: r.expr,
      holdDurationMs: r.forMs,
      keepFiringForMs: r.keepFiringForMs,
      labels: ruleLabels(r.labels),
      annotations: ruleLabels(r.annotations),
      externalLabels: this.externalLabels,
      externalUrl: this.opts.externalUrl ?? "",
      restored: !shouldRestore,
      logger: this.logger,
    });
  }

  /** The running groups, ordered by file then name. */
  ruleGroupList(): Group[] {
    return [...this.groupMap.values()].sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** /api/v1/rules' groups. */
  groups(): RuleGroupJSON[] {
    return this.ruleGroupList().map((g) => ({
      name: g.name,
      file: g.file,
      rules: g.rules.map(ruleJSON),
      interval: g.intervalMs / 1000,
      limit: g.limit,
      evaluationTime: g.evaluationTimeS,
      lastEvaluation: rfc3339(g.lastEvaluationMs),
    }));
  }

  /** The web layer's RuleSource name for groups(). */
  ruleGroups(): RuleGroupJSON[] {
    return this.groups();
  }

  /** /api/v1/alerts: pending and firing alerts of every alerting rule. */
  alerts(): AlertJSON[] {
    const out: AlertJSON[] = [];
    for (const g of this.ruleGroupList()) for (const r of g.rules) if (r instanceof AlertingRule) out.push(...r.activeAlerts().map(alertJSON));
    return out;
  }

  /** Stops every group loop (without stale markers: the data stays valid until restart). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.updating;
    await Promise.all([...this.groupMap.values()].map((g) => g.stop()));
  }
}

function groupKey(file: string, name: string): string {
  return `${file};${name}`;
}

function ruleJSON(r: Rule): RuleJSON {
  const common = {
    health: r.status.health,
    ...(r.status.lastError !== "" ? { lastError: r.status.lastError } : {}),
    evaluationTime: r.status.evaluationTimeS,
    lastEvaluation: rfc3339(r.status.lastEvaluationMs),
  };
  if (r instanceof AlertingRule) {
    return {
      state: r.state(),
      name: r.name,
      query: r.query,
      duration: r.holdDurationMs / 1000,
      keepFiringFor: r.keepFiringForMs / 1000,
      labels: labelsToRecord(r.labels),
      annotations: labelsToRecord(r.annotations),
      alerts: r.activeAlerts().map(alertJSON),
      ...common,
      type: "alerting",
    };
  }
  return { name: r.name, query: r.query, ...(r.labels.length > 0 ? { labels: labelsToRecord(r.labels) } : {}), ...common, type: "recording" };
}
