// One query panel: an expression, its Table / Graph / Raw chunks tabs and their range, end
// and step controls. The panel owns its DOM; the page owns the list of panels and the URL.
import { apiGet } from "./api.js";
import { h, messages, replace } from "./dom.js";
import { createEditor, type ExprEditor } from "./editor.js";
import { formatDuration, parseDuration, parseTime } from "./format.js";
import { runGraph } from "./graph-view.js";
import type { DisplayMode, PanelState, Tab } from "./panel-state.js";
import { queryHistory, remember } from "./query-history.js";
import { runRaw } from "./raw-chunks.js";
import { runTable } from "./table-view.js";

const TABS: readonly [Tab, string][] = [["table", "Table"], ["graph", "Graph"], ["raw", "Raw chunks"]];

export interface PanelHooks {
  /** The panel's state changed (the page rewrites the URL). */
  changed(): void;
  remove(panel: Panel): void;
  duplicate(panel: Panel): void;
}

export class Panel {
  readonly el: HTMLElement;
  private readonly state: PanelState;
  private readonly hooks: PanelHooks;
  private readonly expr: ExprEditor;
  private readonly editorMessages: HTMLElement;
  private readonly historyList: HTMLElement;
  private readonly tabBar: HTMLElement;
  private readonly result: HTMLElement;
  private generation = 0;

  constructor(state: PanelState, hooks: PanelHooks) {
    this.state = state;
    this.hooks = hooks;
    this.expr = createEditor(state.expr, () => void this.run());
    this.editorMessages = h("div", { class: "editor-messages" });
    this.historyList = h("ul", { class: "history-list" });
    const historyMenu = h("details", { class: "history" }, h("summary", { title: "Expressions run before in this browser" }, "History"), this.historyList);
    historyMenu.addEventListener("toggle", () => {
      if (historyMenu.open) this.drawHistory(historyMenu);
    });
    const input = (cls: string, key: "range" | "end" | "step", attrs: Record<string, string | number>): HTMLInputElement => {
      const el = h("input", { class: cls, name: key, value: state[key], ...attrs });
      el.addEventListener("change", () => {
        this.state[key] = el.value;
        void this.run();
      });
      return el;
    };
    const controls = h(
      "div",
      { class: "controls" },
      h("label", {}, "Range ", input("range", "range", { size: 6, title: "Range, e.g. 1h or 30m" })),
      h("label", {}, "End / eval time ", input("end", "end", { size: 22, placeholder: "now", title: "End (graph, raw) or evaluation time (table): unix seconds or RFC3339; empty is now" })),
      h("label", {}, "Step ", input("step", "step", { size: 6, placeholder: "auto", title: "Resolution step of the graph, e.g. 15s" })),
      h("label", {}, "Graph ", this.modeSelect()),
    );
    this.tabBar = h("div", { class: "tabs", role: "tablist" });
    this.result = h("div", { class: "result" });
    this.el = h(
      "section",
      { class: "panel" },
      h(
        "div",
        { class: "query" },
        this.expr.el,
        h("button", { type: "button", class: "primary execute", onclick: () => void this.run() }, "Execute"),
        h("button", { type: "button", class: "format", title: "Format the expression (api/v1/format_query)", onclick: () => void this.format() }, "Format"),
        historyMenu,
        h("button", { type: "button", class: "duplicate", title: "Duplicate this panel", onclick: () => hooks.duplicate(this) }, "Duplicate"),
        h("button", { type: "button", class: "remove", title: "Remove this panel", onclick: () => hooks.remove(this) }, "Remove"),
      ),
      this.editorMessages,
      controls,
      this.tabBar,
      this.result,
    );
    this.drawTabs();
  }

  /** A copy of the panel's state, with the expression as currently typed. */
  snapshot(): PanelState {
    return { ...this.state, expr: this.expr.value() };
  }

  private modeSelect(): HTMLSelectElement {
    const modes: [DisplayMode, string][] = [["lines", "Lines"], ["stacked", "Stacked"]];
    const el = h("select", { class: "display-mode", name: "display_mode" }, ...modes.map(([m, label]) => h("option", { value: m, selected: m === this.state.mode }, label)));
    el.addEventListener("change", () => {
      this.state.mode = el.value === "stacked" ? "stacked" : "lines";
      void this.run();
    });
    return el;
  }

  /** A drag on the graph: the range and end follow the selection, as in Prometheus' UI. */
  private zoom(startMs: number, endMs: number): void {
    const rangeMs = Math.max(1000, Math.round((endMs - startMs) / 1000) * 1000);
    const end = new Date(Math.round(endMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
    this.state.range = formatDuration(rangeMs);
    this.state.end = end;
    this.el.querySelector<HTMLInputElement>("input.range")!.value = this.state.range;
    this.el.querySelector<HTMLInputElement>("input.end")!.value = end;
    void this.run();
  }

  private drawHistory(menu: HTMLDetailsElement): void {
    const list = queryHistory();
    replace(
      this.historyList,
      ...(list.length > 0
        ? list.map((e) =>
            h("li", {}, h("button", { type: "button", title: "Run this expression", onclick: () => {
              menu.open = false;
              this.expr.setValue(e);
              void this.run();
            } }, e)),
          )
        : [h("li", { class: "empty" }, "No expressions run yet.")]),
    );
  }

  /** Replaces the expression with the server's formatting of it (Prometheus' format_query). */
  private async format(): Promise<void> {
    try {
      const { data } = await apiGet<string>("format_query", { query: this.expr.value() });
      this.expr.setValue(data);
      replace(this.editorMessages);
      this.hooks.changed();
    } catch (err) {
      replace(this.editorMessages, messages(`format: ${(err as Error).message}`));
    }
  }

  private drawTabs(): void {
    replace(
      this.tabBar,
      ...TABS.map(([t, label]) =>
        h(
          "button",
          { type: "button", role: "tab", class: t === this.state.tab ? "tab active" : "tab", "data-tab": t, "aria-selected": String(t === this.state.tab), onclick: () => this.selectTab(t) },
          label,
        ),
      ),
    );
  }

  private selectTab(t: Tab): void {
    this.state.tab = t;
    this.drawTabs();
    void this.run();
  }

  /** Evaluates the expression in the current tab; a newer run's output replaces an older one's. */
  async run(): Promise<void> {
    this.state.expr = this.expr.value();
    this.hooks.changed();
    replace(this.editorMessages);
    const { expr, tab, range, end, step } = this.state;
    const q = expr.trim();
    const result = this.result;
    if (q === "") return replace(result);
    remember(q);
    const rangeMs = parseDuration(range);
    const endMs = end.trim() === "" ? Date.now() : parseTime(end);
    const my = ++this.generation;
    const target = h("div");
    result.setAttribute("aria-busy", "true");
    try {
      if (endMs === undefined) replace(target, messages(`invalid end time ${JSON.stringify(end)}: use unix seconds or RFC3339`));
      else if (tab === "table") await runTable(target, q, endMs);
      else if (rangeMs === undefined) replace(target, messages(`invalid range ${JSON.stringify(range)}: use a duration such as 1h`));
      else if (tab === "graph") await runGraph(target, q, endMs - rangeMs, endMs, step, { stacked: this.state.mode === "stacked", widthPx: result.clientWidth, onZoom: (a, b) => this.zoom(a, b) });
      else await runRaw(target, q, endMs - rangeMs, endMs, result.clientWidth);
    } finally {
      if (my === this.generation) {
        replace(result, target);
        result.removeAttribute("aria-busy");
        result.setAttribute("data-done", String(my));
      }
    }
  }
}
