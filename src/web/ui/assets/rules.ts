// The rules and alerts pages, both from api/v1/rules (alerting rules carry their alerts).
import { apiGet } from "./api.js";
import { h, messages, replace, table } from "./dom.js";
import { filterBar, labelsText, passes, type FilterChoice } from "./filter.js";
import { ago, formatDuration, type Metric } from "./format.js";
import { graphLink } from "./panel-state.js";
import { labelBadges } from "./targets.js";

interface AlertJSON {
  readonly labels: Metric;
  readonly annotations: Metric;
  readonly state: string;
  readonly activeAt?: string;
  readonly value: string;
}

interface RuleJSON {
  readonly type: "alerting" | "recording";
  readonly name: string;
  readonly query: string;
  readonly labels?: Metric;
  readonly annotations?: Metric;
  readonly duration?: number;
  readonly state?: string;
  readonly alerts?: readonly AlertJSON[];
  readonly health: string;
  readonly lastError?: string;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
}

interface GroupJSON {
  readonly name: string;
  readonly file: string;
  readonly interval: number;
  readonly rules: readonly RuleJSON[];
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
}

async function loadGroups(root: HTMLElement, title: string, type?: string): Promise<GroupJSON[] | undefined> {
  replace(root, h("h1", {}, title), h("p", {}, "Loading…"));
  try {
    return (await apiGet<{ groups: GroupJSON[] }>("rules", { type })).data.groups;
  } catch (err) {
    replace(root, h("h1", {}, title), messages((err as Error).message));
    return undefined;
  }
}

const lastEval = (s: string): string => (s.startsWith("0001-") ? "never" : ago(Date.parse(s)));

export async function rulesPage(root: HTMLElement): Promise<void> {
  const groups = await loadGroups(root, "Rules");
  if (!groups) return;
  const sections = groups.map((g) =>
    h(
      "section",
      { class: "group" },
      h("h2", {}, g.name, h("small", {}, ` ${g.file}, every ${formatDuration(g.interval * 1000)}, last evaluation ${lastEval(g.lastEvaluation)} (${(g.evaluationTime * 1000).toFixed(1)}ms)`)),
      table(
        ["Rule", "State", "Error", "Last evaluation", "Evaluation time"],
        g.rules.map((r) => [
          h(
            "pre",
            { class: "rule" },
            r.type === "alerting" ? `alert: ${r.name}\nexpr: ` : `record: ${r.name}\nexpr: `,
            exprLink(r.query),
            r.duration ? `\nfor: ${formatDuration(r.duration * 1000)}` : "",
            r.labels && Object.keys(r.labels).length > 0 ? `\nlabels: ${JSON.stringify(r.labels)}` : "",
          ),
          h("span", { class: `state ${r.health}` }, r.health.toUpperCase()),
          r.lastError ? h("span", { class: "error-text" }, r.lastError) : "",
          lastEval(r.lastEvaluation),
          `${(r.evaluationTime * 1000).toFixed(3)}ms`,
        ]),
        { class: "data rules" },
      ),
    ),
  );
  replace(root, h("h1", {}, "Rules"), ...(sections.length > 0 ? sections : [h("p", { class: "empty" }, "No rule groups configured.")]));
}

/** The expression as a link to the query page's table of it, as Prometheus links rules. */
function exprLink(query: string): HTMLElement {
  return h("a", { class: "expr-link", href: graphLink(query), title: "Open in the query page" }, query);
}

/** Annotation values that are URLs (runbooks, dashboards, graph links) become links. */
function annotationList(m: Metric): HTMLElement {
  return h(
    "dl",
    { class: "annotations" },
    ...Object.keys(m)
      .sort()
      .flatMap((k) => [h("dt", {}, k), h("dd", {}, /^https?:\/\/\S+$/.test(m[k]) ? h("a", { href: m[k] }, m[k]) : m[k])]),
  );
}

const ALERT_STATES = ["inactive", "pending", "firing"];

export async function alertsPage(root: HTMLElement): Promise<void> {
  const groups = await loadGroups(root, "Alerts", "alert");
  if (!groups) return;
  // The type filter is asked for, but not every server applies it.
  const rules = groups.flatMap((g) => g.rules.filter((r) => r.type === "alerting").map((r) => ({ group: g.name, rule: r })));
  const count = (state: string): number => rules.filter((r) => r.rule.state === state).length;
  const list = h("div", { class: "alert-rules" });
  const draw = (c: FilterChoice): void => {
    const shown = rules.filter(({ group, rule }) => passes(c, rule.state ?? "", `${group} ${rule.name} ${rule.query} ${labelsText(rule.labels ?? {})} ${(rule.alerts ?? []).map((a) => labelsText(a.labels)).join(" ")}`));
    const items = shown.map(({ group, rule }) =>
      h(
        "details",
        { class: `alert-rule ${rule.state ?? ""}`, open: rule.state === "firing" },
        h("summary", {}, h("span", { class: `state ${rule.state ?? ""}` }, (rule.state ?? "").toUpperCase()), ` ${rule.name} (${rule.alerts?.length ?? 0} active) `, h("small", {}, group)),
        h("pre", { class: "rule" }, `alert: ${rule.name}\nexpr: `, exprLink(rule.query), rule.duration ? `\nfor: ${formatDuration(rule.duration * 1000)}` : ""),
        rule.annotations && Object.keys(rule.annotations).length > 0 ? annotationList(rule.annotations) : null,
        (rule.alerts?.length ?? 0) > 0
          ? table(
              ["Labels", "State", "Active since", "Value", "Annotations"],
              (rule.alerts ?? []).map((a) => [labelBadges(a.labels), h("span", { class: `state ${a.state}` }, a.state.toUpperCase()), a.activeAt ?? "", a.value, annotationList(a.annotations)]),
              { class: "data alerts" },
            )
          : null,
      ),
    );
    replace(list, ...(items.length > 0 ? items : [h("p", { class: "empty" }, rules.length === 0 ? "No alerting rules configured." : "No alerting rule matches the filter.")]));
  };
  const bar = filterBar(ALERT_STATES, draw);
  replace(root, h("h1", {}, "Alerts"), h("p", { class: "stats" }, `Inactive (${count("inactive")}), pending (${count("pending")}), firing (${count("firing")})`), bar.el, list);
  draw(bar.choice());
}
