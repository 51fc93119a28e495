// The Graph tab's chart, drawn by uPlot as Prometheus 3 does: a tooltip with the hovered
// series' labels, value and time; a legend where a click isolates a series (Ctrl/Cmd-click
// toggles it); drag to zoom (the panel's range and end follow); lines or stacked areas.
import uPlot from "uplot";
import { h, replace } from "./dom.js";
import { formatTime, formatValue } from "./format.js";
import { colorOf } from "./chart.js";

export interface PlotSeries {
  readonly name: string;
  /** ms */
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

export interface PlotOptions {
  readonly startMs: number;
  readonly endMs: number;
  readonly stacked: boolean;
  /** Used when the container is not laid out yet (it is filled before being attached). */
  readonly widthPx: number;
  /** A drag selected [startMs, endMs]. */
  readonly onZoom: (startMs: number, endMs: number) => void;
}

type Column = (number | null)[];

/** One x column (seconds, as uPlot's time scale takes them) shared by all series; null where a series has no point. */
function align(series: readonly PlotSeries[]): { xs: number[]; ys: Column[] } {
  const times = new Set<number>();
  for (const s of series) for (const t of s.ts) times.add(t);
  const xsMs = [...times].sort((a, b) => a - b);
  const at = new Map(xsMs.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const col: Column = new Array<number | null>(xsMs.length).fill(null);
    // Stale markers (NaN) and infinities cannot be drawn: they leave a gap.
    s.ts.forEach((t, i) => (col[at.get(t)!] = Number.isFinite(s.vs[i]) ? s.vs[i] : null));
    return col;
  });
  return { xs: xsMs.map((t) => t / 1000), ys };
}

/** Running sums over the shown series, bottom first; a missing point adds nothing but stays missing. */
function stack(ys: readonly Column[], shown: readonly boolean[]): Column[] {
  const sum = new Array<number>(ys[0]?.length ?? 0).fill(0);
  return ys.map((col, i) =>
    col.map((v, x) => {
      if (v === null || !shown[i]) return v;
      sum[x] += v;
      return sum[x];
    }),
  );
}

export function renderPlot(container: HTMLElement, series: readonly PlotSeries[], opts: PlotOptions): void {
  const { xs, ys } = align(series);
  const shown = series.map(() => true);
  const drawn = (): uPlot.AlignedData => [xs, ...(opts.stacked ? stack(ys, shown) : ys)];
  const tooltip = h("div", { class: "plot-tooltip", role: "tooltip" });
  tooltip.hidden = true;
  const legendItems = series.map((s, i) =>
    h("li", { "data-series": i, "aria-pressed": "true", title: "Click to show only this series, Ctrl/Cmd-click to toggle it" }, h("span", { class: "swatch", style: `background:${colorOf(i)}` }), h("span", { class: "series-name" }, s.name)),
  );
  const legend = h("ul", { class: "legend plot-legend" }, ...legendItems);
  const box = h("div", { class: "plot" });
  replace(container, box, legend);

  const showTooltip = (u: uPlot): void => {
    const idx = u.cursor.idx;
    const top = u.cursor.top ?? -1;
    if (idx === null || idx === undefined || top < 0) {
      tooltip.hidden = true;
      return;
    }
    // The shown series whose drawn point at this time is nearest the pointer.
    const yAtPointer = u.posToVal(top, "y");
    let best = -1;
    let bestDist = Infinity;
    for (let i = 0; i < series.length; i++) {
      const v = u.data[i + 1][idx];
      if (!shown[i] || v === null || v === undefined) continue;
      const d = Math.abs(v - yAtPointer);
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    if (best < 0) {
      tooltip.hidden = true;
      return;
    }
    const tMs = Math.round(xs[idx] * 1000);
    const value = ys[best][idx]!;
    tooltip.setAttribute("data-series", String(best));
    tooltip.setAttribute("data-t", String(tMs));
    replace(
      tooltip,
      h("div", { class: "plot-tooltip-time" }, formatTime(tMs)),
      h("div", { class: "plot-tooltip-series" }, h("span", { class: "swatch", style: `background:${colorOf(best)}` }), h("span", { class: "series-name" }, series[best].name)),
      h("div", { class: "plot-tooltip-value" }, formatValue(value)),
    );
    tooltip.hidden = false;
    const left = u.cursor.left ?? 0;
    // Keep it inside the plot: flip to the pointer's left in the right half.
    tooltip.style.left = left > u.over.clientWidth / 2 ? `${left - tooltip.offsetWidth - 12}px` : `${left + 12}px`;
    tooltip.style.top = `${top + 12}px`;
  };

  const width = Math.max(320, container.clientWidth || opts.widthPx || 900);
  const plot = new uPlot(
    {
      width,
      height: 360,
      // Times read in UTC, like the rest of the UI.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      scales: { x: { time: true, min: opts.startMs / 1000, max: opts.endMs / 1000 } },
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: true } },
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.name,
          stroke: colorOf(i),
          width: 1.5,
          fill: opts.stacked ? `${colorOf(i)}55` : undefined,
          points: { show: false },
        })),
      ],
      // Stacked areas fill down to the series below, not to zero.
      bands: opts.stacked ? series.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] })) : [],
      hooks: {
        setCursor: [showTooltip],
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const from = u.posToVal(u.select.left, "x") * 1000;
            const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            opts.onZoom(Math.round(from), Math.round(to));
          },
        ],
        setScale: [
          (u, key) => {
            if (key === "y") box.setAttribute("data-y-max", String(u.scales.y.max));
          },
        ],
      },
    },
    drawn(),
    box,
  );
  plot.over.appendChild(tooltip);
  plot.over.addEventListener("mouseleave", () => (tooltip.hidden = true));

  const apply = (): void => {
    series.forEach((_, i) => {
      plot.setSeries(i + 1, { show: shown[i] });
      legendItems[i].setAttribute("aria-pressed", String(shown[i]));
    });
    if (opts.stacked) plot.setData(drawn());
  };
  legendItems.forEach((li, i) =>
    li.addEventListener("click", (e) => {
      if (e.ctrlKey || e.metaKey) shown[i] = !shown[i];
      else {
        const onlyThis = shown.every((s, j) => s === (j === i));
        shown.fill(onlyThis);
        shown[i] = true;
      }
      apply();
    }),
  );
}
