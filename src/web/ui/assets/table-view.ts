// The Table tab: an instant query at the panel's evaluation time, one row per series.
import { apiGet } from "./api.js";
import { h, messages, replace, table } from "./dom.js";
import { formatTime, seriesName, type Metric } from "./format.js";

type SampleJSON = [number, string];
interface HistogramJSON {
  readonly count: string;
  readonly sum: string;
}
export interface QueryData {
  readonly resultType: "vector" | "matrix" | "scalar" | "string";
  readonly result: unknown;
}
interface VectorItem {
  readonly metric: Metric;
  readonly value?: SampleJSON;
  readonly histogram?: [number, HistogramJSON];
}
export interface MatrixItem {
  readonly metric: Metric;
  readonly values?: SampleJSON[];
  readonly histograms?: [number, HistogramJSON][];
}

export async function runTable(out: HTMLElement, query: string, timeMs: number): Promise<void> {
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
    rows.length === 0 ? h("p", { class: "empty" }, "Empty query result") : table(["Series", "Value"], rows, { class: "data result-table" }),
  );
}

function histogramText(hv: HistogramJSON): string {
  return `histogram count=${hv.count} sum=${hv.sum}`;
}
