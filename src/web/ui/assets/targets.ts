// The targets page (active targets by scrape pool, filterable by health and text, pools
// collapsible) and the service discovery page (each target's labels before and after
// relabeling), both from api/v1/targets.
import { apiGet } from "./api.js";
import { h, messages, replace, table } from "./dom.js";
import { filterBar, labelsText, passes, type FilterChoice } from "./filter.js";
import { ago, formatValue, type Metric } from "./format.js";

interface TargetJSON {
  readonly discoveredLabels: Metric;
  readonly labels: Metric;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly lastError: string;
  readonly lastScrape: string;
  readonly lastScrapeDuration: number;
  readonly health: string;
  readonly scrapeInterval: string;
  readonly scrapeTimeout: string;
}

interface DroppedJSON {
  readonly discoveredLabels: Metric;
  /** Prometheus 2.42+ names the pool; otherwise the discovered job label does. */
  readonly scrapePool?: string;
}

interface TargetsJSON {
  readonly activeTargets: readonly TargetJSON[];
  readonly droppedTargets: readonly DroppedJSON[];
}

export function labelBadges(m: Metric): HTMLElement {
  return h("span", { class: "labels" }, ...Object.keys(m).sort().map((k) => h("span", { class: "badge" }, `${k}="${m[k]}"`)));
}

function byPool<T>(items: readonly T[], poolOf: (t: T) => string): Map<string, T[]> {
  const pools = new Map<string, T[]>();
  for (const t of items) {
    const pool = poolOf(t);
    const list = pools.get(pool);
    if (list) list.push(t);
    else pools.set(pool, [t]);
  }
  return new Map([...pools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function loadTargets(root: HTMLElement, title: string, state: string): Promise<TargetsJSON | undefined> {
  replace(root, h("h1", {}, title), h("p", {}, "Loading…"));
  try {
    return (await apiGet<TargetsJSON>("targets", { state })).data;
  } catch (err) {
    replace(root, h("h1", {}, title), messages((err as Error).message));
    return undefined;
  }
}

const targetText = (t: TargetJSON): string => `${t.scrapePool} ${t.scrapeUrl} ${labelsText(t.labels)} ${t.lastError}`;

export async function targetsPage(root: HTMLElement): Promise<void> {
  const data = await loadTargets(root, "Targets", "active");
  if (!data) return;
  const pools = byPool(data.activeTargets, (t) => t.scrapePool);
  // Open/closed per pool survives re-filtering.
  const closed = new Set<string>();
  const list = h("div", { class: "pools" });
  const draw = (c: FilterChoice): void => {
    const sections: HTMLElement[] = [];
    for (const [pool, all] of pools) {
      const shown = all.filter((t) => passes(c, t.health, targetText(t)));
      if (shown.length === 0) continue;
      const up = all.filter((t) => t.health === "up").length;
      const details = h(
        "details",
        { class: "pool", "data-pool": pool, open: !closed.has(pool) },
        h("summary", {}, h("h2", {}, pool, h("small", {}, ` ${up}/${all.length} up${shown.length < all.length ? `, ${shown.length} shown` : ""}`))),
        table(
          ["Endpoint", "State", "Labels", "Last scrape", "Scrape duration", "Error"],
          shown.map((t) => [
            h("a", { href: t.scrapeUrl }, t.scrapeUrl),
            h("span", { class: `state ${t.health}` }, t.health.toUpperCase()),
            labelBadges(t.labels),
            h("span", { title: `every ${t.scrapeInterval}, timeout ${t.scrapeTimeout}` }, t.lastScrape.startsWith("0001-") ? "never" : ago(Date.parse(t.lastScrape))),
            `${formatValue(Number((t.lastScrapeDuration * 1000).toFixed(3)))}ms`,
            t.lastError ? h("span", { class: "error-text" }, t.lastError) : "",
          ]),
          { class: "data targets" },
        ),
      );
      details.addEventListener("toggle", () => (details.open ? closed.delete(pool) : closed.add(pool)));
      sections.push(details);
    }
    replace(list, ...(sections.length > 0 ? sections : [h("p", { class: "empty" }, pools.size === 0 ? "No active targets." : "No target matches the filter.")]));
  };
  const bar = filterBar(["up", "down", "unknown"], draw);
  replace(root, h("h1", {}, "Targets"), bar.el, list);
  draw(bar.choice());
}

interface SDEntry {
  readonly discovered: Metric;
  /** undefined: dropped by relabeling. */
  readonly labels?: Metric;
}

export async function serviceDiscoveryPage(root: HTMLElement): Promise<void> {
  const data = await loadTargets(root, "Service Discovery", "any");
  if (!data) return;
  const entries: (SDEntry & { pool: string })[] = [
    ...data.activeTargets.map((t) => ({ pool: t.scrapePool, discovered: t.discoveredLabels, labels: t.labels })),
    ...data.droppedTargets.map((t) => ({ pool: t.scrapePool ?? t.discoveredLabels.job ?? "", discovered: t.discoveredLabels })),
  ];
  const pools = byPool(entries, (e) => e.pool);
  const list = h("div", { class: "pools" });
  const draw = (c: FilterChoice): void => {
    const sections: HTMLElement[] = [];
    for (const [pool, all] of pools) {
      const shown = all.filter((e) => passes(c, e.labels ? "active" : "dropped", `${pool} ${labelsText(e.discovered)} ${e.labels ? labelsText(e.labels) : ""}`));
      if (shown.length === 0) continue;
      const active = all.filter((e) => e.labels).length;
      sections.push(
        h(
          "details",
          { class: "pool", "data-pool": pool, open: true },
          h("summary", {}, h("h2", {}, pool, h("small", {}, ` ${active} active / ${all.length - active} dropped`))),
          table(
            ["Discovered labels", "Target labels"],
            shown.map((e) => [labelBadges(e.discovered), e.labels ? labelBadges(e.labels) : h("span", { class: "state dropped" }, "DROPPED")]),
            { class: "data sd" },
          ),
        ),
      );
    }
    replace(list, ...(sections.length > 0 ? sections : [h("p", { class: "empty" }, pools.size === 0 ? "No targets discovered." : "No target matches the filter.")]));
  };
  const bar = filterBar(["active", "dropped"], draw);
  replace(root, h("h1", {}, "Service Discovery"), bar.el, list);
  draw(bar.choice());
}
