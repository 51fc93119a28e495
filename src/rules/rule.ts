// What recording and alerting rules share: health, last error, timings and the query function.
import type { Labels } from "../model/labels.js";
import type { Engine } from "../promql/engine.js";
import type { Queryable } from "../storage/interface.js";
import { RuleEvalError } from "./errors.js";

export type RuleHealth = "ok" | "err" | "unknown";

export interface RuleSample {
  readonly metric: Labels;
  readonly t: number;
  readonly v: number;
}

/** Evaluates an expression at one instant; a scalar becomes one sample without labels. */
export type QueryFunc = (expr: string, timeMs: number, signal?: AbortSignal) => Promise<RuleSample[]>;

/** Prometheus' EngineQueryFunc over our engine. */
export function engineQueryFunc(engine: Pick<Engine, "instantQuery">, queryable: Queryable): QueryFunc {
  return async (expr, timeMs, signal) => {
    const res = await engine.instantQuery(queryable, expr, timeMs, { signal });
    const v = res.value;
    if (v.type === "vector") return v.samples;
    if (v.type === "scalar") return [{ metric: [], t: v.t, v: v.v }];
    throw new RuleEvalError("rule result is not a vector or scalar");
  };
}

/** Evaluation state kept per rule for /api/v1/rules. */
export class RuleStatus {
  health: RuleHealth = "unknown";
  lastError: string = "";
  /** Seconds the last evaluation took. */
  evaluationTimeS = 0;
  /** Wall-clock ms of the last evaluation start; 0 before the first. */
  lastEvaluationMs = 0;

  copyFrom(other: RuleStatus): void {
    this.health = other.health;
    this.lastError = other.lastError;
    this.evaluationTimeS = other.evaluationTimeS;
    this.lastEvaluationMs = other.lastEvaluationMs;
  }
}

export interface Rule {
  readonly name: string;
  readonly query: string;
  readonly labels: Labels;
  readonly status: RuleStatus;
  /** Evaluates at ts; returns the samples to write (recording results or ALERTS series). */
  eval(ts: number, query: QueryFunc, limit: number, signal?: AbortSignal): Promise<RuleSample[]>;
}

/** RFC 3339 with nanoseconds trimmed as Go prints time.Time; Go's zero time for 0. */
export function rfc3339(ms: number): string {
  if (ms === 0) return "0001-01-01T00:00:00Z";
  return new Date(ms).toISOString().replace(/\.?0*Z$/, "Z");
}
