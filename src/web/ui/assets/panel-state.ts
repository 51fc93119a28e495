// The query page's state in the URL, in Prometheus' g<N>.* parameters, so that links made
// by Prometheus (alerts, rules), Grafana and Alertmanager open the same panels here, and a
// promwasm page link opens in Prometheus as far as Prometheus knows its settings.
import { formatDuration, parseDuration, parseTime } from "./format.js";

export type Tab = "graph" | "table" | "explain" | "raw";
export type DisplayMode = "lines" | "stacked";

export interface PanelState {
  expr: string;
  tab: Tab;
  /** Range text as typed, e.g. "1h". */
  range: string;
  /** End (graph, raw) or evaluation time (table) as typed; "" is now. */
  end: string;
  /** Graph resolution as typed, e.g. "15s"; "" is automatic. */
  step: string;
  mode: DisplayMode;
}

export function defaultPanel(): PanelState {
  return { expr: "", tab: "table", range: "1h", end: "", step: "", mode: "lines" };
}

// Prometheus numbers its tabs (0 graph, 1 table, 2 explain); Prometheus 3 also writes names.
const TAB_CODES: Readonly<Record<string, Tab>> = { "0": "graph", "1": "table", "2": "explain", graph: "graph", table: "table", explain: "explain", raw: "raw" };
const TAB_OUT: Readonly<Record<Tab, string>> = { graph: "0", table: "1", explain: "2", raw: "raw" };

/** Panels g0, g1, … in order; stops at the first index without an expr, as Prometheus does. */
export function decodePanels(search: string): PanelState[] {
  const p = new URLSearchParams(search);
  const out: PanelState[] = [];
  for (let i = 0; p.has(`g${i}.expr`); i++) {
    const get = (k: string): string | null => p.get(`g${i}.${k}`);
    const panel = defaultPanel();
    panel.expr = get("expr") ?? "";
    panel.tab = TAB_CODES[get("tab") ?? ""] ?? "table";
    const range = get("range_input");
    if (range !== null && parseDuration(range) !== undefined) panel.range = range;
    // moment_input is Prometheus 2's name for the table's evaluation time.
    const end = get("end_input") ?? get("moment_input");
    if (end !== null && parseTime(end) !== undefined) panel.end = end;
    const step = get("step_input");
    if (step !== null && step.trim() !== "") panel.step = stepText(step);
    panel.mode = get("display_mode") === "stacked" || get("stacked") === "1" ? "stacked" : "lines";
    out.push(panel);
  }
  return out;
}

/** Prometheus writes step_input in seconds ("15" or "0.5"); a duration is taken as it is. */
function stepText(s: string): string {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return formatDuration(Math.round(Number(t) * 1000));
  return t;
}

export function encodePanels(panels: readonly PanelState[]): string {
  const q = new URLSearchParams();
  panels.forEach((panel, i) => {
    const set = (k: string, v: string): void => q.set(`g${i}.${k}`, v);
    set("expr", panel.expr);
    set("tab", TAB_OUT[panel.tab]);
    set("range_input", panel.range);
    const endMs = panel.end.trim() === "" ? undefined : parseTime(panel.end);
    if (endMs !== undefined) set("end_input", endInput(endMs));
    const stepMs = panel.step.trim() === "" ? undefined : parseDuration(panel.step);
    if (stepMs !== undefined) set("step_input", String(stepMs / 1000));
    if (panel.mode === "stacked") set("display_mode", "stacked");
  });
  return q.toString();
}

/** Prometheus' end_input: "YYYY-MM-DD HH:mm:ss" in UTC (with milliseconds when there are any). */
function endInput(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 19).replace("T", " ") + (ms % 1000 === 0 ? "" : iso.slice(19, 23));
}

/** A relative link to the query page with one panel for expr (pages link relatively to keep a route prefix). */
export function graphLink(expr: string, tab: Tab = "table"): string {
  return `graph?${encodePanels([{ ...defaultPanel(), expr, tab }])}`;
}
