// A filter bar shared by the targets, service discovery and alerts pages: state toggles and
// a text box; the page re-renders its list from the current choice on every change.
import { h } from "./dom.js";

export interface FilterChoice {
  /** States shown; all of them when none is ticked. */
  readonly states: ReadonlySet<string>;
  /** Lower-cased words that must each appear in an item's text. */
  readonly words: readonly string[];
}

export function filterBar(states: readonly string[], onChange: (c: FilterChoice) => void): { el: HTMLElement; choice: () => FilterChoice } {
  const boxes = states.map((s) => h("input", { type: "checkbox", name: "state", value: s }));
  const text = h("input", { type: "search", class: "filter-text", name: "filter", placeholder: "Filter by labels, endpoint, name or error", size: 40 });
  const choice = (): FilterChoice => ({
    states: new Set(boxes.filter((b) => b.checked).map((b) => b.value)),
    words: text.value.toLowerCase().split(/\s+/).filter(Boolean),
  });
  const fire = (): void => onChange(choice());
  for (const b of boxes) b.addEventListener("change", fire);
  text.addEventListener("input", fire);
  const el = h("div", { class: "filters" }, ...states.map((s, i) => h("label", { class: `state-toggle ${s}` }, boxes[i], ` ${s}`)), text);
  return { el, choice };
}

/** Whether an item in state with the given text passes the filter. */
export function passes(c: FilterChoice, state: string, text: string): boolean {
  if (c.states.size > 0 && !c.states.has(state)) return false;
  const t = text.toLowerCase();
  return c.words.every((w) => t.includes(w));
}

/** The searchable text of a label set: name="value" pairs. */
export function labelsText(m: Readonly<Record<string, string>>): string {
  return Object.keys(m).map((k) => `${k}="${m[k]}"`).join(" ");
}
