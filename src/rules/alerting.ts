// An alerting rule: each result series becomes an alert that is pending, then firing after
// `for`, kept firing for `keep_firing_for` once it stops matching, and reported resolved for
// 15 minutes. While running it writes ALERTS and ALERTS_FOR_STATE series, as Prometheus does.
import { nopLogger, type Logger } from "../log/logger.js";
import { labelsKey, labelsToRecord, METRIC_NAME, type Labels } from "../model/labels.js";
import { Matcher } from "../model/matcher.js";
import { isStaleNaN } from "../model/sample.js";
import type { Querier } from "../storage/interface.js";
import { RuleEvalError } from "./errors.js";
import { setLabels } from "./recording.js";
import { RuleStatus, type QueryFunc, type Rule, type RuleSample } from "./rule.js";
import { expandTemplate } from "./template.js";

export type AlertState = "inactive" | "pending" | "firing";

const STATE_RANK: Record<AlertState, number> = { inactive: 0, pending: 1, firing: 2 };

/** Resolved alerts are still sent (as resolved) for this long. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export const ALERT_METRIC = "ALERTS";
export const ALERT_FOR_STATE_METRIC = "ALERTS_FOR_STATE";

export interface ActiveAlert {
  state: AlertState;
  readonly labels: Labels;
  annotations: Labels;
  value: number;
  /** ms; 0 means unset (Go's zero time). */
  activeAtMs: number;
  firedAtMs: number;
  resolvedAtMs: number;
  lastSentAtMs: number;
  validUntilMs: number;
  keepFiringSinceMs: number;
}

export interface AlertingRuleOptions {
  readonly name: string;
  readonly query: string;
  readonly holdDurationMs: number;
  readonly keepFiringForMs: number;
  /** Label templates, sorted by name. */
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly externalLabels: Labels;
  readonly externalUrl: string;
  /** False until for-state restoration ran; ALERTS series are written only once restored. */
  readonly restored?: boolean;
  readonly logger?: Logger;
}

export class AlertingRule implements Rule {
  readonly name: string;
  readonly query: string;
  readonly holdDurationMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly status = new RuleStatus();
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalUrl: string;
  private readonly logger: Logger;
  restored: boolean;
  /** By label-set key. */
  active = new Map<string, ActiveAlert>();

  constructor(opts: AlertingRuleOptions) {
    this.name = opts.name;
    this.query = opts.query;
    this.holdDurationMs = opts.holdDurationMs;
    this.keepFiringForMs = opts.keepFiringForMs;
    this.labels = opts.labels;
    this.annotations = opts.annotations;
    this.externalLabels = labelsToRecord(opts.externalLabels);
    this.externalUrl = opts.externalUrl;
    this.restored = opts.restored ?? true;
    this.logger = opts.logger ?? nopLogger;
  }

  async eval(ts: number, query: QueryFunc, limit: number, signal?: AbortSignal): Promise<RuleSample[]> {
    const res = await query(this.query, ts, signal);
    const templateQuery = async (q: string, t: number) => (await query(q, t, signal)).map((s) => ({ labels: labelsToRecord(s.metric), value: s.v }));
    const current = new Map<string, ActiveAlert>();
    for (const s of res) {
      const data = { labels: labelsToRecord(s.metric), externalLabels: this.externalLabels, externalUrl: this.externalUrl, value: s.v };
      const expand = async (text: string): Promise<string> => {
        try {
          return await expandTemplate(text, { alertName: this.name, data, timeMs: ts, query: templateQuery });
        } catch (err) {
          this.logger.warn("Expanding alert template failed", { alert: this.name, err });
          return `<error expanding template: ${(err as Error).message}>`;
        }
      };
      const set = [];
      for (const l of this.labels) set.push({ name: l.name, value: await expand(l.value) });
      set.push({ name: "alertname", value: this.name });
      const labels = setLabels(s.metric.filter((l) => l.name !== METRIC_NAME), set);
      const annotations = [];
      for (const a of this.annotations) annotations.push({ name: a.name, value: await expand(a.value) });
      const key = labelsKey(labels);
      if (current.has(key)) throw new RuleEvalError("vector contains metrics with the same labelset after applying alert labels");
      current.set(key, {
        state: "pending",
        labels,
        annotations,
        value: s.v,
        activeAtMs: ts,
        firedAtMs: 0,
        resolvedAtMs: 0,
        lastSentAtMs: 0,
        validUntilMs: 0,
        keepFiringSinceMs: 0,
      });
    }
    for (const [key, a] of current) {
      const existing = this.active.get(key);
      if (existing && existing.state !== "inactive") {
        existing.value = a.value;
        existing.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }
    const out: RuleSample[] = [];
    let numActive = 0;
    for (const [key, a] of this.active) {
      if (!current.has(key)) {
        let keepFiring = false;
        if (a.state === "firing" && this.keepFiringForMs > 0) {
          if (a.keepFiringSinceMs === 0) a.keepFiringSinceMs = ts;
          if (ts - a.keepFiringSinceMs < this.keepFiringForMs) keepFiring = true;
        }
        // A resolved alert stays for a while so that Alertmanager hears it resolved.
        if (a.state === "pending" || (a.resolvedAtMs !== 0 && ts - a.resolvedAtMs > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (a.state !== "inactive" && !keepFiring) {
          a.state = "inactive";
          a.resolvedAtMs = ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSinceMs = 0;
      }
      numActive++;
      if (a.state === "pending" && ts - a.activeAtMs >= this.holdDurationMs) {
        a.state = "firing";
        a.firedAtMs = ts;
      }
      if (this.restored) {
        out.push({ metric: setLabels(a.labels, [{ name: METRIC_NAME, value: ALERT_METRIC }, { name: "alertstate", value: a.state }]), t: ts, v: 1 });
        out.push({ metric: setLabels(a.labels, [{ name: METRIC_NAME, value: ALERT_FOR_STATE_METRIC }]), t: ts, v: Math.floor(a.activeAtMs / 1000) });
      }
    }
    if (limit > 0 && numActive > limit) {
      this.active = new Map();
      throw new RuleEvalError(`exceeded limit of ${limit} with ${numActive} alerts`);
    }
    return out;
  }

  /** The highest state of any alert ("inactive" when none). */
  state(): AlertState {
    let s: AlertState = "inactive";
    for (const a of this.active.values()) if (STATE_RANK[a.state] > STATE_RANK[s]) s = a.state;
    return s;
  }

  /** Pending and firing alerts. */
  activeAlerts(): ActiveAlert[] {
    return [...this.active.values()].filter((a) => a.state !== "inactive");
  }

  /**
   * Alerts due to be sent at ts: firing ones not sent within resendDelayMs and ones resolved
   * since their last send. Marks them sent and valid for four intervals (two missed
   * evaluations or sends are tolerated).
   */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const a of this.active.values()) {
      if (a.state === "pending") continue;
      const due = a.resolvedAtMs > a.lastSentAtMs || a.lastSentAtMs + resendDelayMs < ts;
      if (!due) continue;
      a.lastSentAtMs = ts;
      a.validUntilMs = ts + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({ ...a });
    }
    return out;
  }

  /**
   * Restores each active alert's activeAt from the last ALERTS_FOR_STATE sample, so that a
   * restart does not reset `for`. Alerts with a `for` shorter than the grace period are left as is.
   */
  async restoreForState(querier: Querier, ts: number, gracePeriodMs: number): Promise<void> {
    if (this.holdDurationMs < gracePeriodMs) {
      this.restored = true;
      return;
    }
    for (const a of this.active.values()) {
      const matchers = [new Matcher("=", METRIC_NAME, ALERT_FOR_STATE_METRIC), ...a.labels.map((l) => new Matcher("=", l.name, l.value))];
      const series = await querier.select(false, undefined, matchers);
      const s = series.find((x) => x.labels.length === a.labels.length + 1);
      if (!s) continue;
      const { ts: times, vs } = s.samples();
      if (times.length === 0) continue;
      const t = times[times.length - 1];
      const v = vs[vs.length - 1];
      if (isStaleNaN(v)) continue;
      const downAt = Math.floor(t / 1000) * 1000;
      let activeAt = Math.trunc(v) * 1000;
      const remaining = this.holdDurationMs - (downAt - activeAt);
      if (remaining <= 0) {
        // It was firing when we went down; the next evaluation fires it again if it still matches.
      } else if (remaining < gracePeriodMs) {
        activeAt = ts + gracePeriodMs - this.holdDurationMs;
      } else {
        activeAt += ts - downAt;
      }
      a.activeAtMs = activeAt;
    }
    this.restored = true;
  }
}
