// The targets page: active targets grouped by scrape pool, from api/v1/targets.
import { apiGet } from "./api.js";
import { h, messages, replace, table } from "./dom.js";
import { ago, formatValue, type Metric } from "./format.js";

interface TargetJSON {
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

interface TargetsJSON {
  readonly activeTargets: readonly TargetJSON[];
  readonly droppedTargets: readonly unknown[];
}

export function labelBadges(m: Metric): HTMLElement {
  return h("span", { class: "labels" }, ...Object.keys(m).sort().map((k) => h("span", { class: "badge" }, `${k}="${m[k]}"`)));
}

export async function targetsPage(root: HTMLElement): Promise<void> {
  replace(root, h("h1", {}, "Targets"), h("p", {}, "Loading…"));
  let data: TargetsJSON;
  try {
    ({ data } = await apiGet<TargetsJSON>("targets", { state: "active" }));
  } catch (err) {
    replace(root, h("h1", {}, "Targets"), messages((err as Error).message));
    return;
  }
  const pools = new Map<string, TargetJSON[]>();
  for (const t of data.activeTargets) {
    const list = pools.get(t.scrapePool);
    if (list) list.push(t);
    else pools.set(t.scrapePool, [t]);
  }
  const sections = [...pools.keys()].sort().map((pool) => {
    const list = pools.get(pool)!;
    const up = list.filter((t) => t.health === "up").length;
    return h(
      "section",
      { class: "pool", "data-pool": pool },
      h("h2", {}, `${pool} (${up}/${list.length} up)`),
      table(
        ["Endpoint", "State", "Labels", "Last scrape", "Scrape duration", "Error"],
        list.map((t) => [
          h("a", { href: t.scrapeUrl }, t.scrapeUrl),
          h("span", { class: `state ${t.health}` }, t.health.toUpperCase()),
          labelBadges(t.labels),
          t.lastScrape.startsWith("0001-") ? "never" : ago(Date.parse(t.lastScrape)),
          `${formatValue(Number((t.lastScrapeDuration * 1000).toFixed(3)))}ms`,
          t.lastError ? h("span", { class: "error-text" }, t.lastError) : "",
        ]),
        { class: "data targets" },
      ),
    );
  });
  replace(root, h("h1", {}, "Targets"), ...(sections.length > 0 ? sections : [h("p", { class: "empty" }, "No active targets.")]));
}
