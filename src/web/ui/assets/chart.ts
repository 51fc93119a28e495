// A line chart on a <canvas>: time on x, value on y, one colour per series, a legend
// below. Lines break at gaps wider than gapMs and at NaN (stale markers).
import { h, replace } from "./dom.js";
import { formatValue } from "./format.js";

export interface ChartSeries {
  readonly name: string;
  /** ms */
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

export interface ChartOptions {
  readonly startMs: number;
  readonly endMs: number;
  /** Points further apart than this are not joined. */
  readonly gapMs: number;
  /** Marks every sample with a dot (the raw view). */
  readonly dots?: boolean;
  readonly heightPx?: number;
  /** Used when the container is not laid out yet (it is filled before being attached). */
  readonly widthPx?: number;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const PAD = { left: 70, right: 16, top: 12, bottom: 28 };

export function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length];
}

export function renderChart(container: HTMLElement, series: readonly ChartSeries[], opts: ChartOptions): void {
  const width = Math.max(320, container.clientWidth || opts.widthPx || 900);
  const height = opts.heightPx ?? 360;
  const dpr = window.devicePixelRatio || 1;
  const canvas = h("canvas", { class: "chart", width: Math.round(width * dpr), height: Math.round(height * dpr) });
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const legend = h(
    "ul",
    { class: "legend" },
    ...series.map((s, i) => h("li", {}, h("span", { class: "swatch", style: `background:${colorOf(i)}` }), h("span", { class: "series-name" }, s.name))),
  );
  replace(container, canvas, legend);
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.scale(dpr, dpr);

  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.vs.length; i++) {
      const v = s.vs[i];
      if (!Number.isFinite(v) || s.ts[i] < opts.startMs || s.ts[i] > opts.endMs) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) {
    lo = 0;
    hi = 1;
  } else if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const yTicks = niceTicks(lo, hi, 6);
  lo = Math.min(lo, yTicks[0]);
  hi = Math.max(hi, yTicks[yTicks.length - 1]);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const span = Math.max(1, opts.endMs - opts.startMs);
  const x = (t: number): number => PAD.left + ((t - opts.startMs) / span) * plotW;
  const y = (v: number): number => PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;

  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#555";
  ctx.strokeStyle = "#e3e3e3";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of yTicks) {
    const py = Math.round(y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(PAD.left, py);
    ctx.lineTo(width - PAD.right, py);
    ctx.stroke();
    ctx.fillText(shortNumber(v), PAD.left - 6, py);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of timeTicks(opts.startMs, opts.endMs, Math.max(2, Math.floor(plotW / 110)))) {
    const px = Math.round(x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, PAD.top);
    ctx.lineTo(px, PAD.top + plotH);
    ctx.stroke();
    ctx.fillText(timeLabel(t, span), px, PAD.top + plotH + 6);
  }
  ctx.strokeStyle = "#999";
  ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, plotW, plotH);

  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.left, PAD.top, plotW, plotH);
  ctx.clip();
  series.forEach((s, si) => {
    ctx.strokeStyle = colorOf(si);
    ctx.fillStyle = colorOf(si);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let prevT = -Infinity;
    for (let i = 0; i < s.ts.length; i++) {
      const v = s.vs[i];
      if (!Number.isFinite(v)) {
        prevT = -Infinity;
        continue;
      }
      const t = s.ts[i];
      if (t - prevT > opts.gapMs) ctx.moveTo(x(t), y(v));
      else ctx.lineTo(x(t), y(v));
      prevT = t;
    }
    ctx.stroke();
    if (opts.dots) {
      for (let i = 0; i < s.ts.length; i++) {
        if (!Number.isFinite(s.vs[i])) continue;
        ctx.fillRect(x(s.ts[i]) - 1.5, y(s.vs[i]) - 1.5, 3, 3);
      }
    }
  });
  ctx.restore();
}

/** About n round numbers covering [lo, hi]. */
function niceTicks(lo: number, hi: number, n: number): number[] {
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30].map((s) => s * 1000).concat([1, 2, 5, 10, 15, 30].map((m) => m * 60_000), [1, 2, 3, 6, 12].map((hr) => hr * 3600_000), [1, 2, 7, 14, 30].map((d) => d * 86400_000));

function timeTicks(start: number, end: number, n: number): number[] {
  const step = TIME_STEPS.find((s) => (end - start) / s <= n) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const out: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

function timeLabel(t: number, spanMs: number): string {
  const iso = new Date(t).toISOString();
  if (spanMs > 2 * 86400_000) return iso.slice(5, 16).replace("T", " ");
  return spanMs > 120_000 ? iso.slice(11, 16) : iso.slice(11, 19);
}

function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(4))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(4))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(4))}k`;
  return formatValue(Number(v.toPrecision(6)));
}
