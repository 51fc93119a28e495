// The raw view: fetches the stored XOR chunks of a selector (api/v1/promwasm/chunks) and
// decodes them here, in the browser, with the same WASM codec the server uses; then
// plots the samples and shows what they cost in bytes.
import type * as Codec from "../../../wasm/api.js";
import { apiGet, type ApiResult } from "./api.js";
import { renderChart, type ChartSeries } from "./chart.js";
import { h, messages, replace, table } from "./dom.js";
import { formatTime, formatValue, seriesName, type Metric } from "./format.js";

type CodecModule = typeof Codec;

interface ChunkJSON {
  readonly mint: number;
  readonly maxt: number;
  readonly source: string;
  readonly encoding: string;
  readonly samples: number;
  readonly data: string;
}

interface SeriesChunksJSON {
  readonly metric: Metric;
  readonly chunks: readonly ChunkJSON[];
}

/** How many series one raw request asks for; the rest is reported as truncated. */
const SERIES_LIMIT = 100;
/** Samples further apart are drawn unjoined: beyond the default lookback a query sees no value between them. */
const LOOKBACK_MS = 5 * 60_000;

let codecPromise: Promise<CodecModule> | undefined;

/** The browser codec (build/browser/codec.js), loaded once; the import resolves when its WASM is ready. */
export function loadCodec(): Promise<CodecModule> {
  const url = new URL("ui/codec/codec.js", document.baseURI).href;
  codecPromise ??= (import(url) as Promise<CodecModule>).catch((err: unknown) => {
    codecPromise = undefined;
    throw new Error(`load the WASM codec from ${url}: ${(err as Error).message}`);
  });
  return codecPromise;
}

function base64Bytes(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

interface DecodedSeries {
  readonly name: string;
  readonly chunks: readonly (ChunkJSON & { readonly bytes: number; readonly decoded: number })[];
  /** Samples inside the range, in chunk order. */
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly bytes: number;
  readonly decodedSamples: number;
}

function decodeSeries(codec: CodecModule, s: SeriesChunksJSON, startMs: number, endMs: number): DecodedSeries {
  const tss: Float64Array[] = [];
  const vss: Float64Array[] = [];
  const chunks = [];
  let bytes = 0;
  let decodedSamples = 0;
  for (const c of s.chunks) {
    const raw = base64Bytes(c.data);
    // One WASM call per chunk; the result is a copy owned by this page.
    const d = codec.decodeXor(raw);
    bytes += raw.length;
    decodedSamples += d.ts.length;
    chunks.push({ ...c, bytes: raw.length, decoded: d.ts.length });
    let a = 0;
    while (a < d.ts.length && d.ts[a] < startMs) a++;
    let b = a;
    while (b < d.ts.length && d.ts[b] <= endMs) b++;
    tss.push(d.ts.subarray(a, b));
    vss.push(d.vs.subarray(a, b));
  }
  const n = tss.reduce((k, t) => k + t.length, 0);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let o = 0;
  for (let i = 0; i < tss.length; i++) {
    ts.set(tss[i], o);
    vs.set(vss[i], o);
    o += tss[i].length;
  }
  return { name: seriesName(s.metric), chunks, ts, vs, bytes, decodedSamples };
}

function perSample(bytes: number, samples: number): string {
  return samples > 0 ? (bytes / samples).toFixed(2) : "-";
}

/** Runs the raw view for a selector over [startMs, endMs] into out (widthPx: the chart width to use). */
export async function runRaw(out: HTMLElement, selector: string, startMs: number, endMs: number, widthPx: number): Promise<void> {
  const t0 = performance.now();
  let res: ApiResult<SeriesChunksJSON[]>;
  let codec: CodecModule;
  try {
    [res, codec] = await Promise.all([
      apiGet<SeriesChunksJSON[]>("promwasm/chunks", { "match[]": selector, start: String(startMs / 1000), end: String(endMs / 1000), limit: String(SERIES_LIMIT) }),
      loadCodec(),
    ]);
  } catch (err) {
    replace(out, messages((err as Error).message));
    return;
  }
  const t1 = performance.now();
  let decoded: DecodedSeries[];
  try {
    decoded = res.data.map((s) => decodeSeries(codec, s, startMs, endMs));
  } catch (err) {
    replace(out, messages(`decode chunks in the browser: ${(err as Error).message}`));
    return;
  }
  const decodeMs = performance.now() - t1;
  const totalBytes = decoded.reduce((k, s) => k + s.bytes, 0);
  const totalSamples = decoded.reduce((k, s) => k + s.decodedSamples, 0);
  const totalChunks = decoded.reduce((k, s) => k + s.chunks.length, 0);
  const chart = h("div", { class: "chart-box" });
  const summary = table(
    ["Series", "Chunks", "Samples (in chunks)", "Samples (in range)", "Bytes", "Bytes/sample"],
    decoded.map((s) => [s.name, s.chunks.length, s.decodedSamples, s.ts.length, s.bytes, perSample(s.bytes, s.decodedSamples)]),
    { class: "data raw-summary" },
  );
  replace(
    out,
    messages(undefined, res.warnings, res.infos),
    h(
      "p",
      { class: "stats", id: "raw-stats" },
      `${decoded.length} series, ${totalChunks} chunks, ${totalSamples} samples, ${totalBytes} bytes: `,
      h("strong", { id: "bytes-per-sample" }, perSample(totalBytes, totalSamples)),
      ` bytes/sample. Fetched in ${(t1 - t0).toFixed(0)} ms, decoded in the browser (WASM) in ${decodeMs.toFixed(1)} ms.`,
    ),
    chart,
    summary,
    ...decoded.map(samplesDetails),
  );
  renderChart(chart, decoded as ChartSeries[], { startMs, endMs, gapMs: LOOKBACK_MS, dots: true, widthPx });
}

/** Per-series chunk list and samples, built only when opened (a series may hold many). */
function samplesDetails(s: DecodedSeries): HTMLElement {
  const body = h("div");
  const details = h("details", { class: "raw-series" }, h("summary", {}, `${s.name}: ${s.ts.length} samples`), body);
  details.addEventListener("toggle", () => {
    if (!details.open || body.childElementCount > 0) return;
    const chunks = table(
      ["Source", "First sample", "Last sample", "Samples", "Bytes", "Bytes/sample"],
      s.chunks.map((c) => [c.source, formatTime(c.mint), formatTime(c.maxt), c.decoded, c.bytes, perSample(c.bytes, c.decoded)]),
      { class: "data raw-chunks" },
    );
    const rows = h("tbody");
    for (let i = 0; i < s.ts.length; i++) {
      rows.appendChild(h("tr", { "data-t": s.ts[i] }, h("td", {}, formatTime(s.ts[i])), h("td", { class: "num" }, formatValue(s.vs[i]))));
    }
    body.append(chunks, h("table", { class: "data raw-samples" }, h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Value"))), rows));
  });
  return details;
}
