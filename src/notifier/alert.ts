// An alert as it is sent to Alertmanager: the rule manager produces these, the notifier sends them.
import type { Labels } from "../model/labels.js";

export interface Alert {
  readonly labels: Labels;
  readonly annotations: Labels;
  /** ms since the epoch; 0 when unknown. */
  readonly startsAtMs: number;
  /** When the alert stops being valid (ValidUntil) or resolved; 0 when unknown. */
  readonly endsAtMs: number;
  readonly generatorUrl: string;
}

/** Prometheus' strutil.TableLinkForExpression: the graph page with the table tab open. */
export function tableLinkForExpression(expr: string): string {
  return `/graph?g0.expr=${encodeURIComponent(expr).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())}&g0.tab=1`;
}
