// /api/v1 state endpoints: targets, metadata, rules, alerts, alertmanagers and status/*.
import { availableParallelism } from "node:os";
import { getHeapStatistics } from "node:v8";
import { renderConfig } from "../config/render.js";
import type { Matcher } from "../model/matcher.js";
import { ApiError, badData } from "./api-error.js";
import { Params } from "./params.js";
import { sendData } from "./respond.js";
import type { Router } from "./router.js";
import type { AlertmanagerSource, BuildInfo, PromQLParser, RuleSource, ServerState, TargetSource, TSDBAdmin } from "./sources.js";

export interface StatusAPIOptions {
  readonly state: ServerState;
  readonly buildInfo: BuildInfo;
  readonly parser: PromQLParser;
  readonly targets?: TargetSource;
  readonly rules?: RuleSource;
  readonly alertmanagers?: AlertmanagerSource;
  readonly tsdb?: TSDBAdmin;
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

export function registerStatusAPI(router: Router, opts: StatusAPIOptions): void {
  const { state } = opts;

  router.get("/targets", async (ctx) => {
    const p = await Params.from(ctx);
    const want = (p.get("state") ?? "any").toLowerCase();
    const pool = p.get("scrapePool");
    const showActive = want === "" || want === "any" || want === "active";
    const showDropped = want === "" || want === "any" || want === "dropped";
    const active = showActive ? (opts.targets?.targets() ?? []).filter((t) => !pool || t.scrapePool === pool) : [];
    const dropped = showDropped ? (opts.targets?.droppedTargets() ?? []) : [];
    sendData(ctx, {
      activeTargets: active.map((t) => ({ ...t, lastScrape: t.lastScrape === 0 ? ZERO_TIME : new Date(t.lastScrape).toISOString() })),
      droppedTargets: dropped.map((t) => ({ discoveredLabels: t.discoveredLabels })),
    });
  });

  // Every configured scrape job has a pool, targets or not; Go sorts the names.
  router.get("/scrape_pools", (ctx) => sendData(ctx, { scrapePools: state.config().scrapeConfigs.map((sc) => sc.jobName).sort() }));

  router.get("/targets/metadata", async (ctx) => {
    const p = await Params.from(ctx);
    const limit = intParam(p, "limit", -1);
    const metric = p.get("metric") ?? "";
    const selector = p.get("match_target");
    let matchers: Matcher[] = [];
    if (selector) {
      try {
        matchers = opts.parser.parseMetricSelector(selector);
      } catch (err) {
        throw badData((err as Error).message, err);
      }
    }
    const out: Record<string, unknown>[] = [];
    for (const md of opts.targets?.metadata() ?? []) {
      if (limit >= 0 && out.length >= limit) break;
      if (metric !== "" && md.metric !== metric) continue;
      if (!matchers.every((m) => m.matches(md.target[m.name] ?? ""))) continue;
      out.push(metric === "" ? { target: md.target, metric: md.metric, type: md.type, help: md.help, unit: md.unit } : { target: md.target, type: md.type, help: md.help, unit: md.unit });
    }
    sendData(ctx, out);
  });

  router.get("/metadata", async (ctx) => {
    const p = await Params.from(ctx);
    const limit = intParam(p, "limit", -1);
    const perMetric = intParam(p, "limit_per_metric", -1);
    const metric = p.get("metric") ?? "";
    const out = new Map<string, { type: string; help: string; unit: string }[]>();
    for (const md of opts.targets?.metadata() ?? []) {
      if (metric !== "" && md.metric !== metric) continue;
      let list = out.get(md.metric);
      if (!list) {
        if (limit >= 0 && out.size >= limit) continue;
        out.set(md.metric, (list = []));
      }
      if (perMetric >= 0 && list.length >= perMetric) continue;
      if (!list.some((e) => e.type === md.type && e.help === md.help && e.unit === md.unit)) list.push({ type: md.type, help: md.help, unit: md.unit });
    }
    sendData(ctx, Object.fromEntries(out));
  });

  router.get("/rules", async (ctx) => {
    const p = await Params.from(ctx);
    const type = (p.get("type") ?? "").toLowerCase();
    if (type !== "" && type !== "alert" && type !== "record") throw badData(`invalid parameter "type": not supported value ${JSON.stringify(type)}`);
    const groups = opts.rules?.ruleGroups() ?? [];
    // As Prometheus 2.42: filtered groups stay listed, with only the rules of that type.
    const want = type === "alert" ? "alerting" : "recording";
    sendData(ctx, { groups: type === "" ? groups : groups.map((g) => ({ ...g, rules: g.rules.filter((r) => r.type === want) })) });
  });
  router.get("/alerts", (ctx) => sendData(ctx, { alerts: opts.rules?.alerts() ?? [] }));
  router.get("/alertmanagers", (ctx) =>
    sendData(ctx, {
      activeAlertmanagers: (opts.alertmanagers?.active() ?? []).map((url) => ({ url })),
      droppedAlertmanagers: (opts.alertmanagers?.dropped() ?? []).map((url) => ({ url })),
    }),
  );

  router.get("/status/config", (ctx) => sendData(ctx, { yaml: renderConfig(state.config()) }));
  router.get("/status/flags", (ctx) => sendData(ctx, state.flags()));
  router.get("/status/runtimeinfo", (ctx) => {
    const reload = state.lastReload();
    sendData(ctx, {
      startTime: new Date(state.startTimeMs).toISOString(),
      CWD: process.cwd(),
      reloadConfigSuccess: reload.success,
      lastConfigTime: new Date(reload.timeMs).toISOString(),
      corruptionCount: 0,
      // Node has no goroutines; the closest measure of concurrent work is its active handles.
      goroutineCount: process.getActiveResourcesInfo().length,
      GOMAXPROCS: availableParallelism(),
      GOMEMLIMIT: getHeapStatistics().heap_size_limit,
      GOGC: "",
      GODEBUG: "",
      storageRetention: state.storageRetention,
    });
  });
  router.get("/status/buildinfo", (ctx) => sendData(ctx, opts.buildInfo));
  router.get("/status/walreplay", (ctx) => {
    const s = opts.tsdb?.walReplayStatus() ?? { min: 0, max: 0, current: 0 };
    sendData(ctx, s);
  });
  router.get("/status/tsdb", async (ctx) => {
    const p = await Params.from(ctx);
    const limit = intParam(p, "limit", 10);
    if (limit < 1) throw badData("limit must be a positive number");
    if (!opts.tsdb) throw new ApiError("unavailable", "TSDB not ready");
    sendData(ctx, opts.tsdb.stats(limit));
  });
}

function intParam(p: Params, name: string, def: number): number {
  const v = p.get(name);
  if (v === undefined || v === "") return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw badData(`invalid parameter "${name}": cannot parse "${v}" to an integer`);
  return n;
}
