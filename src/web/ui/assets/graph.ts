// The query page: a list of panels, each evaluated on its own. The whole page state lives in
// the URL in Prometheus' g<N>.* parameters, so a page can be linked, reloaded and opened from
// Prometheus-style links (alerts, rules, Grafana, Alertmanager).
import { h, replace } from "./dom.js";
import { Panel } from "./panel.js";
import { decodePanels, defaultPanel, encodePanels, type PanelState } from "./panel-state.js";

export function graphPage(root: HTMLElement): void {
  const list = h("div", { class: "panels" });
  const panels: Panel[] = [];
  const save = (): void => {
    const qs = encodePanels(panels.map((p) => p.snapshot()));
    history.replaceState(null, "", qs === "" ? location.pathname : `?${qs}`);
  };
  const add = (state: PanelState, after?: Panel): Panel => {
    const panel = new Panel(state, { changed: save, remove, duplicate });
    const at = after ? panels.indexOf(after) + 1 : panels.length;
    panels.splice(at, 0, panel);
    list.insertBefore(panel.el, after ? after.el.nextSibling : null);
    return panel;
  };
  function remove(panel: Panel): void {
    panels.splice(panels.indexOf(panel), 1);
    panel.el.remove();
    save();
  }
  function duplicate(panel: Panel): void {
    void add(panel.snapshot(), panel).run();
  }
  replace(
    root,
    h("h1", {}, "Query"),
    list,
    h("button", { type: "button", class: "add-panel", onclick: () => { add(defaultPanel()); save(); } }, "Add query"),
  );
  const initial = decodePanels(location.search);
  for (const state of initial.length > 0 ? initial : [defaultPanel()]) void add(state).run();
}
