// UI entry point: the navigation bar and the view for the current path (the last path
// segment; everything before it is the route prefix or proxy path).
import { h, messages, replace } from "./dom.js";
import { graphPage } from "./graph.js";
import { alertsPage, rulesPage } from "./rules.js";
import { configPage, flagsPage, statusPage, tsdbStatusPage } from "./status.js";
import { serviceDiscoveryPage, targetsPage } from "./targets.js";

type View = (root: HTMLElement) => void | Promise<void>;

const VIEWS: Readonly<Record<string, View>> = {
  graph: graphPage,
  alerts: alertsPage,
  rules: rulesPage,
  targets: targetsPage,
  "service-discovery": serviceDiscoveryPage,
  status: statusPage,
  flags: flagsPage,
  config: configPage,
  "tsdb-status": tsdbStatusPage,
};

const NAV: readonly [string, string][] = [
  ["graph", "Query"],
  ["alerts", "Alerts"],
  ["targets", "Targets"],
  ["service-discovery", "Service Discovery"],
  ["rules", "Rules"],
  ["status", "Status"],
  ["flags", "Flags"],
  ["config", "Config"],
  ["tsdb-status", "TSDB"],
];

const page = location.pathname.slice(location.pathname.lastIndexOf("/") + 1);
const nav = document.getElementById("nav");
if (nav) {
  replace(
    nav,
    h("a", { class: "brand", href: "graph" }, "promwasm"),
    ...NAV.map(([path, label]) => h("a", { href: path, class: path === page ? "active" : undefined }, label)),
  );
}
const root = document.getElementById("page")!;
document.title = `${NAV.find(([p]) => p === page)?.[1] ?? "promwasm"} · promwasm`;
const view = VIEWS[page];
if (view) {
  Promise.resolve(view(root)).catch((err: unknown) => replace(root, messages(`render ${page}: ${(err as Error).message}`)));
} else {
  replace(root, messages(`unknown page ${page}`));
}
