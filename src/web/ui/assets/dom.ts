// Tiny DOM helpers for the UI pages: element construction without a framework.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/** h("td", { class: "num" }, "1.5"): attributes starting with "on" become listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces all children of el. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A box listing an error and any warnings/infos, as the API returned them. */
export function messages(error: string | undefined, warnings: readonly string[] = [], infos: readonly string[] = []): HTMLElement {
  return h(
    "div",
    { class: "messages" },
    error ? h("div", { class: "alert error", role: "alert" }, "Error: ", error) : null,
    ...warnings.map((w) => h("div", { class: "alert warning" }, "Warning: ", w)),
    ...infos.map((i) => h("div", { class: "alert info" }, "Info: ", i)),
  );
}

/** A table from a header row and body rows. */
export function table(head: readonly string[], rows: readonly (readonly Child[])[], attrs: Attrs = {}): HTMLTableElement {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
  );
}
