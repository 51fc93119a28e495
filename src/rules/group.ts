// A rule group: its rules evaluated in order at one interval, results appended to storage,
// stale markers for series a rule stopped producing, and alerts handed to the notifier.
import { errorText, nopLogger, type Logger } from "../log/logger.js";
import { labelsFromList, labelsHash, labelsKey, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import type { Alert } from "../notifier/alert.js";
import { tableLinkForExpression } from "../notifier/alert.js";
import { DuplicateSampleError, findCause, OutOfOrderSampleError, TooOldSampleError } from "../storage/errors.js";
import type { Appendable, Queryable } from "../storage/interface.js";
import { AlertingRule } from "./alerting.js";
import type { QueryFunc, Rule } from "./rule.js";

export interface GroupOptions {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly queryOffsetMs: number;
  readonly rules: readonly Rule[];
  readonly query: QueryFunc;
  readonly queryable: Queryable;
  readonly appendable: Appendable;
  readonly notify: (alerts: Alert[]) => void;
  readonly externalUrl: string;
  readonly resendDelayMs: number;
  readonly outageToleranceMs: number;
  readonly forGracePeriodMs: number;
  /** Restore alerts' for-state from ALERTS_FOR_STATE after the second evaluation (first load only). */
  readonly shouldRestore: boolean;
  readonly logger?: Logger;
}

export class Group {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly queryOffsetMs: number;
  readonly rules: readonly Rule[];
  /** Seconds the last evaluation of the whole group took. */
  evaluationTimeS = 0;
  lastEvaluationMs = 0;
  /** Self-monitoring counters, as prometheus_rule_* with rule_group="file;name". */
  readonly metrics = {
    evaluations: 0, // prometheus_rule_evaluations_total
    evaluationFailures: 0, // prometheus_rule_evaluation_failures_total
    iterations: 0, // prometheus_rule_group_iterations_total
    iterationsMissed: 0, // prometheus_rule_group_iterations_missed_total
  };
  private readonly opts: GroupOptions;
  private readonly logger: Logger;
  private seriesInPreviousEval: Map<string, Labels>[];
  private abort: AbortController | undefined;
  private done: Promise<void> | undefined;
  private markStale = false;
  /** Series of rules removed by a reload, marked stale at the next evaluation. */
  private staleSeries: Labels[] = [];

  constructor(opts: GroupOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.file = opts.file;
    this.intervalMs = opts.intervalMs;
    this.limit = opts.limit;
    this.queryOffsetMs = opts.queryOffsetMs;
    this.rules = opts.rules;
    this.logger = (opts.logger ?? nopLogger).with({ component: "rule manager", file: opts.file, group: opts.name });
    this.seriesInPreviousEval = opts.rules.map(() => new Map());
  }

  /** The group's evaluation times are start+offset+k*interval, with a per-group offset spreading load. */
  evalTimestamp(nowMs: number): number {
    const offset = labelsHash(labelsFromList([{ name: "name", value: this.name }, { name: "file", value: this.file }])) % this.intervalMs;
    const adj = nowMs - offset;
    return adj - (((adj % this.intervalMs) + this.intervalMs) % this.intervalMs) + offset;
  }

  /** Starts the evaluation loop. */
  start(): void {
    if (this.done) return;
    this.abort = new AbortController();
    this.done = this.run(this.abort.signal).catch((err: unknown) => this.logger.error("Rule group loop failed", { err }));
  }

  /** Stops the loop after the current evaluation; with markStale, writes stale markers for everything it wrote. */
  async stop(markStale = false): Promise<void> {
    this.markStale = markStale;
    this.abort?.abort();
    await this.done;
    this.done = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let evalTs = this.evalTimestamp(Date.now()) + this.intervalMs;
    if (!(await sleepUntil(evalTs, signal))) return this.finish();
    const iter = async () => {
      const start = Date.now();
      this.metrics.iterations++;
      await this.eval(evalTs, signal);
      this.evaluationTimeS = (Date.now() - start) / 1000;
      this.lastEvaluationMs = start;
    };
    const next = async (): Promise<boolean> => {
      if (!(await sleepUntil(evalTs + this.intervalMs, signal))) return false;
      const missed = Math.floor((Date.now() - evalTs) / this.intervalMs) - 1;
      if (missed > 0) {
        this.metrics.iterationsMissed += missed;
        this.logger.warn("Rule group evaluation missed iterations", { missed });
      }
      evalTs += (Math.max(missed, 0) + 1) * this.intervalMs;
      await iter();
      return true;
    };
    await iter();
    if (this.opts.shouldRestore) {
      // Wait one more evaluation: recording rules alerts depend on may need it.
      if (!(await next())) return this.finish();
      await this.restoreForState(Date.now());
    }
    while (await next());
    await this.finish();
  }

  private async finish(): Promise<void> {
    if (!this.markStale) return;
    const now = Date.now();
    const app = this.opts.appendable.appender();
    for (const series of this.seriesInPreviousEval) {
      for (const labels of series.values()) {
        try {
          app.append(0, labels, now, STALE_NAN);
        } catch (err) {
          if (!findCause(err, OutOfOrderSampleError) && !findCause(err, DuplicateSampleError)) this.logger.warn("Adding stale sample for removed rule failed", { err });
        }
      }
    }
    await app.commit();
  }

  /** Evaluates every rule once at ts (ms); exported for tests and for callers that drive time. */
  async eval(ts: number, signal?: AbortSignal): Promise<void> {
    const evalTs = ts - this.queryOffsetMs;
    for (let i = 0; i < this.rules.length; i++) {
      if (signal?.aborted) return;
      const rule = this.rules[i];
      const start = Date.now();
      try {
        await this.evalRule(i, rule, evalTs, signal);
      } finally {
        rule.status.evaluationTimeS = (Date.now() - start) / 1000;
        rule.status.lastEvaluationMs = start;
      }
    }
    if (this.staleSeries.length > 0) await this.cleanupStaleSeries(evalTs);
  }

  private async cleanupStaleSeries(ts: number): Promise<void> {
    const app = this.opts.appendable.appender();
    for (const labels of this.staleSeries) {
      try {
        app.append(0, labels, ts, STALE_NAN);
      } catch (err) {
        if (!findCause(err, OutOfOrderSampleError) && !findCause(err, DuplicateSampleError)) this.logger.warn("Adding stale sample for previous configuration failed", { err });
      }
    }
    await app.commit();
    this.staleSeries = [];
  }

  private async evalRule(i: number, rule: Rule, ts: number, signal: AbortSignal | undefined): Promise<void> {
    let samples;
    this.metrics.evaluations++;
    try {
      samples = await rule.eval(ts, this.opts.query, this.limit, signal);
    } catch (err) {
      this.metrics.evaluationFailures++;
      rule.status.health = "err";
      rule.status.lastError = errorText(err);
      if (!signal?.aborted) this.logger.warn("Evaluating rule failed", { rule: rule.name, err });
      return;
    }
    rule.status.health = "ok";
    rule.status.lastError = "";
    if (rule instanceof AlertingRule) this.sendAlerts(rule, ts);

    const app = this.opts.appendable.appender();
    const returned = new Map<string, Labels>();
    let outOfOrder = 0;
    let duplicates = 0;
    let tooOld = 0;
    for (const s of samples) {
      try {
        app.append(0, s.metric, s.t, s.v);
        returned.set(labelsKey(s.metric), s.metric);
      } catch (err) {
        // As in Prometheus, any rejected sample marks the rule unhealthy; known rejections are only counted.
        rule.status.health = "err";
        rule.status.lastError = errorText(err);
        if (findCause(err, OutOfOrderSampleError)) outOfOrder++;
        else if (findCause(err, DuplicateSampleError)) duplicates++;
        else if (findCause(err, TooOldSampleError)) tooOld++;
        else this.logger.warn("Rule evaluation result discarded", { rule: rule.name, err });
      }
    }
    if (outOfOrder > 0) this.logger.warn("Error on ingesting out-of-order result from rule evaluation", { rule: rule.name, numDropped: outOfOrder });
    if (tooOld > 0) this.logger.warn("Error on ingesting too old result from rule evaluation", { rule: rule.name, numDropped: tooOld });
    if (duplicates > 0) this.logger.warn("Error on ingesting results from rule evaluation with different value but same timestamp", { rule: rule.name, numDropped: duplicates });
    for (const [key, labels] of this.seriesInPreviousEval[i]) {
      if (returned.has(key)) continue;
      // The series went away: mark it stale so queries stop returning it at once.
      try {
        app.append(0, labels, ts, STALE_NAN);
      } catch (err) {
        if (!findCause(err, OutOfOrderSampleError) && !findCause(err, DuplicateSampleError)) this.logger.warn("Adding stale sample failed", { rule: rule.name, err });
      }
    }
    this.seriesInPreviousEval[i] = returned;
    try {
      await app.commit();
    } catch (err) {
      rule.status.health = "err";
      rule.status.lastError = errorText(err);
      this.logger.warn("Rule sample appending failed", { rule: rule.name, err });
    }
  }

  private sendAlerts(rule: AlertingRule, ts: number): void {
    const due = rule.alertsToSend(ts, this.opts.resendDelayMs, this.intervalMs);
    if (due.length === 0) return;
    const generatorUrl = this.opts.externalUrl + tableLinkForExpression(rule.query);
    const alerts: Alert[] = due.map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      startsAtMs: a.firedAtMs,
      endsAtMs: a.resolvedAtMs !== 0 ? a.resolvedAtMs : a.validUntilMs,
      generatorUrl,
    }));
    try {
      this.opts.notify(alerts);
    } catch (err) {
      this.logger.error("Sending alerts to the notifier failed", { rule: rule.name, err });
    }
  }

  /** Restores every alerting rule's pending time from ALERTS_FOR_STATE written before a restart. */
  async restoreForState(ts: number): Promise<void> {
    let querier;
    try {
      querier = await this.opts.queryable.querier(ts - this.opts.outageToleranceMs, ts);
    } catch (err) {
      this.logger.error("Failed to get Querier to restore for state of alerts", { err });
      for (const r of this.rules) if (r instanceof AlertingRule) r.restored = true;
      return;
    }
    try {
      for (const r of this.rules) {
        if (!(r instanceof AlertingRule)) continue;
        try {
          await r.restoreForState(querier, ts, this.opts.forGracePeriodMs);
        } catch (err) {
          r.restored = true;
          this.logger.error("Failed to restore 'for' state", { alert: r.name, err });
        }
      }
    } finally {
      querier.close();
    }
  }

  /** Same name, file, interval, limit, offset and rules (by definition), so a reload can keep it running. */
  equals(other: Group): boolean {
    if (this.name !== other.name || this.file !== other.file || this.intervalMs !== other.intervalMs || this.limit !== other.limit || this.queryOffsetMs !== other.queryOffsetMs) return false;
    if (this.rules.length !== other.rules.length) return false;
    return this.rules.every((r, i) => ruleKey(r) === ruleKey(other.rules[i]));
  }

  /** Takes over the state of the group this one replaces: series written, alerts and timings of matching rules. */
  copyState(from: Group): void {
    this.evaluationTimeS = from.evaluationTimeS;
    this.lastEvaluationMs = from.lastEvaluationMs;
    const byName = new Map<string, number[]>();
    const matched = new Set<number>();
    from.rules.forEach((r, i) => byName.set(r.name, [...(byName.get(r.name) ?? []), i]));
    this.rules.forEach((r, i) => {
      const idx = byName.get(r.name)?.shift();
      if (idx === undefined) return;
      matched.add(idx);
      const old = from.rules[idx];
      this.seriesInPreviousEval[i] = from.seriesInPreviousEval[idx];
      r.status.copyFrom(old.status);
      if (r instanceof AlertingRule && old instanceof AlertingRule) {
        r.active = old.active;
        r.restored = old.restored;
      }
    });
    // Series of rules that are gone get stale markers at the new group's next evaluation.
    this.staleSeries = [...from.staleSeries];
    from.rules.forEach((_rule, i) => {
      if (!matched.has(i)) this.staleSeries.push(...from.seriesInPreviousEval[i].values());
    });
  }
}

function ruleKey(r: Rule): string {
  const parts = [r.constructor.name, r.name, r.query, labelsKey(r.labels)];
  // Templates see the external labels and URL, so a change to them must rebuild the group.
  if (r instanceof AlertingRule) parts.push(String(r.holdDurationMs), String(r.keepFiringForMs), labelsKey(r.annotations), JSON.stringify(r.externalLabels), r.externalUrl);
  return parts.join("\x00");
}

/** Resolves true at the wall-clock time ms, or false if the signal aborts first. */
function sleepUntil(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, Math.max(0, ms - Date.now()));
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
