// The graph page: a PromQL expression evaluated as a table (instant query), a graph
// (range query) or the raw stored samples (chunks decoded in the browser). The form's
// state lives in the URL so that a page can be linked and reloaded.
import { apiGet } from "./api.js";
import { renderChart, type ChartSeries } from "./chart.js";
import { h, messages, replace, table } from "./dom.js";
import { formatDuration, formatTime, parseDuration, parseTime, seriesName, type Metric } from "./format.js";
import { runRaw } from "./raw-chunks.js";

type Tab = "table" | "graph" | "raw";
const TABS: readonly [Tab, string][] = [["table", "Table"], ["graph", "Graph"], ["raw", "Raw chunks"]];

type SampleJSON = [number, string];
interface HistogramJSON {
  readonly count: string;
  readonly sum: string;
}
interface QueryData {
  readonly resultType: "vector" | "matrix" | "scalar" | "string";
  readonly result: unknown;
}
interface VectorItem {
  readonly metric: Metric;
  readonly value?: SampleJSON;
  readonly histogram?: [number, HistogramJSON];
}
interface MatrixItem {
  readonly metric: Metric;
  readonly values?: SampleJSON[];
  readonly histograms?: [number, HistogramJSON][];
}

export function graphPage(root: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  let tab: Tab = (["table", "graph", "raw"] as const).find((t) => t === params.get("tab")) ?? "table";
  const expr = h("textarea", { id: "expr", name: "expr", rows: 2, spellcheck: "false", placeholder: "Expression (Enter runs it, Shift+Enter adds a line)" });
  expr.value = params.get("expr") ?? "";
  const range = h("input", { id: "range", name: "range", size: 6, value: params.get("range") ?? "1h", title: "Range, e.g. 1h or 30m" });
  const end = h("input", { id: "end", name: "end", size: 22, value: params.get("end") ?? "", placeholder: "now", title: "End (graph, raw) or evaluation time (table): unix seconds or RFC3339; empty is now" });
  const step = h("input", { id: "step", name: "step", size: 6, value: params.get("step") ?? "", placeholder: "auto", title: "Resolution step of the graph, e.g. 15s" });
  const result = h("div", { id: "result" });
  const tabBar = h("div", { class: "tabs", role: "tablist" });
  const drawTabs = (): void =>
    replace(
      tabBar,
      ...TABS.map(([t, label]) =>
        h("button", { type: "button", role: "tab", class: t === tab ? "tab active" : "tab", "data-tab": t, "aria-selected": String(t === tab), onclick: () => selectTab(t) }, label),
      ),
    );
  const selectTab = (t: Tab): void => {
    tab = t;
    drawTabs();
    void run();
  };
  drawTabs();
  const form = h(
    "form",
    { id: "query-form", class: "query" },
    expr,
    h("button", { type: "submit", id: "execute", class: "primary" }, "Execute"),
  );
  const controls = h(
    "div",
    { class: "controls" },
    h("label", {}, "Range ", range),
    h("label", {}, "End / eval time ", end),
    h("label", {}, "Step ", step),
  );
  expr.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void run();
  });
  replace(root, h("h1", {}, "Graph"), form, controls, tabBar, result);

  let generation = 0;
  async function run(): Promise<void> {
    const q = expr.value.trim();
    const url = new URLSearchParams({ expr: q, tab, range: range.value, end: end.value, step: step.value });
    history.replaceState(null, "", `?${url}`);
    if (q === "") {
      replace(result);
      return;
    }
    const rangeMs = parseDuration(range.value);
    const endMs = end.value.trim() === "" ? Date.now() : parseTime(end.value);
    if (endMs === undefined) return replace(result, messages(`invalid end time ${JSON.stringify(end.value)}: use unix seconds or RFC3339`));
    if (tab !== "table" && rangeMs === undefined) return replace(result, messages(`invalid range ${JSON.stringify(range.value)}: use a duration such as 1h`));
    const my = ++generation;
    result.setAttribute("aria-busy", "true");
    const target = h("div");
    try {
      if (tab === "table") await runTable(target, q, endMs);
      else if (tab === "graph") await runGraph(target, q, endMs - rangeMs!, endMs, step.value, result.clientWidth);
      else await runRaw(target, q, endMs - rangeMs!, endMs, result.clientWidth);
    } finally {
      // A newer run replaced this one; its output wins.
      if (my === generation) {
        replace(result, target);
        result.removeAttribute("aria-busy");
        result.setAttribute("data-done", String(my));
      }
    }
  }
  if (expr.value.trim() !== "") void run();
}

async function runTable(out: HTMLElement, query: string, timeMs: number): Promise<void> {
  const t0 = performance.now();
  let data: QueryData;
  let warnings: readonly string[];
  let infos: readonly string[];
  try {
    ({ data, warnings, infos } = await apiGet<QueryData>("query", { query, time: String(timeMs / 1000) }));
  } catch (err) {
    replace(out, messages((err as Error).message));
    return;
  }
  const ms = performance.now() - t0;
  let rows: (string | Node)[][];
  switch (data.resultType) {
    case "vector":
      rows = (data.result as VectorItem[]).map((r) => [seriesName(r.metric), r.value ? r.value[1] : histogramText(r.histogram![1])]);
      break;
    case "matrix":
      rows = (data.result as MatrixItem[]).map((r) => [
        seriesName(r.metric),
        h("span", { class: "samples" }, ...(r.values ?? []).map(([t, v]) => h("div", {}, `${v} @${t}`)), ...(r.histograms ?? []).map(([t, hv]) => h("div", {}, `${histogramText(hv)} @${t}`))),
      ]);
      break;
    default: {
      const [, v] = data.result as SampleJSON;
      rows = [[data.resultType, v]];
    }
  }
  replace(
    out,
    messages(undefined, warnings, infos),
    h("p", { class: "stats" }, `Evaluated at ${formatTime(timeMs)} in ${ms.toFixed(0)} ms; ${rows.length} result${rows.length === 1 ? "" : "s"}.`),
    rows.length === 0 ? h("p", { class: "empty" }, "Empty query result") : table(["Series", "Value"], rows, { class: "data", id: "result-table" }),
  );
}

function histogramText(hv: HistogramJSON): string {
  return `histogram count=${hv.count} sum=${hv.sum}`;
}

async function runGraph(out: HTMLElement, query: string, startMs: number, endMs: number, stepText: string, widthPx: number): Promise<void> {
  // Prometheus' default: about 250 points across the range, at least one second apart.
  const stepMs = stepText.trim() === "" ? Math.max(1000, Math.floor((endMs - startMs) / 250 / 1000) * 1000) : parseDuration(stepText);
  if (stepMs === undefined) {
    replace(out, messages(`invalid step ${JSON.stringify(stepText)}: use a duration such as 15s`));
    return;
  }
  let data: QueryData;
  let warnings: readonly string[];
  let infos: readonly string[];
  try {
    ({ data, warnings, infos } = await apiGet<QueryData>("query_range", { query, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000) }));
  } catch (err) {
    replace(out, messages((err as Error).message));
    return;
  }
  const series: ChartSeries[] = (data.result as MatrixItem[]).map((r) => {
    const vals = r.values ?? [];
    const ts = new Float64Array(vals.length);
    const vs = new Float64Array(vals.length);
    vals.forEach(([t, v], i) => {
      ts[i] = Math.round(t * 1000);
      vs[i] = v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v);
    });
    return { name: seriesName(r.metric), ts, vs };
  });
  const chart = h("div", { class: "chart-box" });
  replace(
    out,
    messages(undefined, warnings, infos),
    h("p", { class: "stats" }, `${series.length} series from ${formatTime(startMs)} to ${formatTime(endMs)}, step ${formatDuration(stepMs)}.`),
    chart,
  );
  if (series.length > 0) renderChart(chart, series, { startMs, endMs, gapMs: stepMs * 1.5, widthPx });
  else replace(chart, h("p", { class: "empty" }, "Empty query result"));
}

