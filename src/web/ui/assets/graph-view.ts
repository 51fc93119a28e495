// The Graph tab: a range query over the panel's range, plotted.
import { apiGet } from "./api.js";
import { h, messages, replace } from "./dom.js";
import { formatDuration, formatTime, parseDuration, seriesName } from "./format.js";
import { renderPlot, type PlotSeries } from "./plot.js";
import type { MatrixItem, QueryData } from "./table-view.js";

export interface GraphOptions {
  readonly stacked: boolean;
  readonly widthPx: number;
  readonly onZoom: (startMs: number, endMs: number) => void;
}

export async function runGraph(out: HTMLElement, query: string, startMs: number, endMs: number, stepText: string, opts: GraphOptions): Promise<void> {
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
  const series: PlotSeries[] = (data.result as MatrixItem[]).map((r) => {
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
  if (series.length > 0) renderPlot(chart, series, { startMs, endMs, ...opts });
  else replace(chart, h("p", { class: "empty" }, "Empty query result"));
}
