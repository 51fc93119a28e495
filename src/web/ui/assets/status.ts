// Status pages: runtime and build information, command-line flags, the loaded
// configuration and TSDB head statistics, each from its api/v1/status endpoint.
import { apiGet } from "./api.js";
import { h, messages, replace, table } from "./dom.js";
import { formatTime } from "./format.js";

type Dict = Readonly<Record<string, string | number | boolean>>;

async function load<T>(root: HTMLElement, title: string, path: string): Promise<T | undefined> {
  replace(root, h("h1", {}, title), h("p", {}, "Loading…"));
  try {
    return (await apiGet<T>(path)).data;
  } catch (err) {
    replace(root, h("h1", {}, title), messages((err as Error).message));
    return undefined;
  }
}

const dictTable = (d: Dict, cls: string): HTMLTableElement =>
  table(
    ["Name", "Value"],
    Object.keys(d).map((k) => [k, String(d[k])]),
    { class: `data ${cls}` },
  );

export async function statusPage(root: HTMLElement): Promise<void> {
  const runtime = await load<Dict>(root, "Runtime & Build Information", "status/runtimeinfo");
  if (!runtime) return;
  const build = await load<Dict>(root, "Runtime & Build Information", "status/buildinfo");
  if (!build) return;
  replace(root, h("h1", {}, "Runtime Information"), dictTable(runtime, "runtime"), h("h1", {}, "Build Information"), dictTable(build, "build"));
}

export async function flagsPage(root: HTMLElement): Promise<void> {
  const flags = await load<Dict>(root, "Command-Line Flags", "status/flags");
  if (flags) replace(root, h("h1", {}, "Command-Line Flags"), dictTable(flags, "flags"));
}

export async function configPage(root: HTMLElement): Promise<void> {
  const cfg = await load<{ yaml: string }>(root, "Configuration", "status/config");
  if (cfg) replace(root, h("h1", {}, "Configuration"), h("pre", { class: "config", id: "config-yaml" }, cfg.yaml));
}

interface NameValue {
  readonly name: string;
  readonly value: number;
}

interface TSDBStatusJSON {
  readonly headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  readonly seriesCountByMetricName: readonly NameValue[];
  readonly labelValueCountByLabelName: readonly NameValue[];
  readonly memoryInBytesByLabelName: readonly NameValue[];
  readonly seriesCountByLabelValuePair: readonly NameValue[];
}

export async function tsdbStatusPage(root: HTMLElement): Promise<void> {
  const st = await load<TSDBStatusJSON>(root, "TSDB Status", "status/tsdb");
  if (!st) return;
  const hs = st.headStats;
  const time = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? formatTime(ms) : String(ms));
  const top = (title: string, list: readonly NameValue[], col: string): HTMLElement[] => [
    h("h2", {}, title),
    table(["Name", col], list.map((nv) => [nv.name, nv.value]), { class: "data" }),
  ];
  replace(
    root,
    h("h1", {}, "TSDB Status"),
    h("h2", {}, "Head Stats"),
    table(["Number of Series", "Number of Chunks", "Number of Label Pairs", "Current Min Time", "Current Max Time"], [[hs.numSeries, hs.chunkCount, hs.numLabelPairs, time(hs.minTime), time(hs.maxTime)]], { class: "data head-stats" }),
    ...top("Top 10 label names with value count", st.labelValueCountByLabelName, "Count"),
    ...top("Top 10 series count by metric names", st.seriesCountByMetricName, "Count"),
    ...top("Top 10 label names with high memory usage", st.memoryInBytesByLabelName, "Bytes"),
    ...top("Top 10 series count by label value pairs", st.seriesCountByLabelValuePair, "Count"),
  );
}
