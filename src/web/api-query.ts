// /api/v1 query endpoints: query, query_range, format_query, parse_query, series, labels,
// label values and exemplars.
import type { Context } from "koa";
import { compareLabels, labelsKey, type Labels } from "../model/labels.js";
import type { Queryable } from "../storage/interface.js";
import { ApiError, badData, toApiError } from "./api-error.js";
import { labelsJSON, queryDataJSON } from "./format.js";
import { MAX_TIME, MIN_TIME, matcherSets, Params } from "./params.js";
import { expressionTree } from "./parse-tree.js";
import { sendData, sendDataJSON } from "./respond.js";
import type { Router } from "./router.js";
import type { PromQLParser, QueryEngine, QueryLogEntry } from "./sources.js";

const MAX_POINTS = 11_000;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface QueryAPIOptions {
  readonly queryable: Queryable;
  readonly engine: QueryEngine;
  readonly parser: PromQLParser;
  readonly now?: () => number;
  /** Called after each successful query/query_range. */
  readonly queryLog?: (entry: QueryLogEntry) => void;
}

export function registerQueryAPI(router: Router, opts: QueryAPIOptions): void {
  const now = opts.now ?? Date.now;
  const { queryable, engine, parser } = opts;

  router.getPost("/query", async (ctx) => {
    const p = await Params.from(ctx);
    const t = p.time("time", now());
    const query = p.get("query") ?? "";
    const res = await withDeadline(ctx, p, (signal, timeoutMs) => engine.instantQuery(queryable, query, t, { signal, timeoutMs }));
    opts.queryLog?.({ query, startMs: t, endMs: t, stepMs: 0, stats: res.stats, clientIP: ctx.ip, method: ctx.method, path: ctx.path });
    sendDataJSON(ctx, queryDataJSON(res.value, p.get("stats") ? res.stats : undefined), res.warnings, res.infos);
  });

  router.getPost("/query_range", async (ctx) => {
    const p = await Params.from(ctx);
    const start = requiredTime(p, "start");
    const end = requiredTime(p, "end");
    if (end < start) throw badData(`invalid parameter "end": end timestamp must not be before start time`);
    const step = p.durationMs("step");
    if (step === undefined) throw badData(`invalid parameter "step": cannot parse "" to a valid duration`);
    if (step <= 0) throw badData(`invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer`);
    if ((end - start) / step > MAX_POINTS) {
      throw badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    }
    const query = p.get("query") ?? "";
    const res = await withDeadline(ctx, p, (signal, timeoutMs) => engine.rangeQuery(queryable, query, start, end, step, { signal, timeoutMs }));
    opts.queryLog?.({ query, startMs: start, endMs: end, stepMs: step, stats: res.stats, clientIP: ctx.ip, method: ctx.method, path: ctx.path });
    sendDataJSON(ctx, queryDataJSON(res.value, p.get("stats") ? res.stats : undefined), res.warnings, res.infos);
  });

  router.getPost("/format_query", async (ctx) => {
    const p = await Params.from(ctx);
    sendData(ctx, parser.formatExpr(parser.parseExpr(p.get("query") ?? "")));
  });

  router.getPost("/parse_query", async (ctx) => {
    const p = await Params.from(ctx);
    sendData(ctx, expressionTree(parser.parseExpr(p.get("query") ?? "")));
  });

  router.getPost("/series", async (ctx) => {
    const p = await Params.from(ctx);
    const sets = matcherSets(p, parser);
    if (sets.length === 0) throw badData("no match[] parameter provided");
    const { start, end } = timeRange(p);
    const limit = limitParam(p);
    const q = await queryable.querier(start, end);
    try {
      const seen = new Map<string, Labels>();
      for (const ms of sets) {
        for (const s of await q.select(false, { start, end, func: "series" }, ms)) seen.set(labelsKey(s.labels), s.labels);
      }
      let all = [...seen.values()].sort(compareLabels);
      const warnings: string[] = [];
      if (limit > 0 && all.length > limit) {
        all = all.slice(0, limit);
        warnings.push("results truncated due to limit");
      }
      sendDataJSON(ctx, `[${all.map(labelsJSON).join(",")}]`, warnings);
    } finally {
      q.close();
    }
  });

  router.getPost("/labels", async (ctx) => {
    const p = await Params.from(ctx);
    const sets = matcherSets(p, parser);
    const { start, end } = timeRange(p);
    const q = await queryable.querier(start, end);
    try {
      const names = new Set<string>();
      for (const ms of sets.length === 0 ? [[]] : sets) for (const n of await q.labelNames(ms)) names.add(n);
      sendData(ctx, truncate([...names].sort(), limitParam(p)));
    } finally {
      q.close();
    }
  });

  router.get("/label/:name/values", async (ctx, params) => {
    const name = params.name;
    if (!LABEL_NAME.test(name)) throw badData(`invalid label name: ${JSON.stringify(name)}`);
    const p = await Params.from(ctx);
    const sets = matcherSets(p, parser);
    const { start, end } = timeRange(p);
    const q = await queryable.querier(start, end);
    try {
      const values = new Set<string>();
      for (const ms of sets.length === 0 ? [[]] : sets) for (const v of await q.labelValues(name, ms)) values.add(v);
      sendData(ctx, truncate([...values].sort(), limitParam(p)));
    } finally {
      q.close();
    }
  });

  // promwasm stores no exemplars; the query is still validated so errors match.
  router.getPost("/query_exemplars", async (ctx) => {
    const p = await Params.from(ctx);
    const { start, end } = timeRange(p);
    if (end < start) throw badData(`invalid parameter "end": end timestamp must not be before start time`);
    parser.parseExpr(p.get("query") ?? "");
    sendData(ctx, []);
  });
}

function requiredTime(p: Params, name: string): number {
  if (!p.get(name)) throw badData(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  return p.time(name, 0);
}

function timeRange(p: Params): { start: number; end: number } {
  return { start: p.time("start", MIN_TIME), end: p.time("end", MAX_TIME) };
}

function limitParam(p: Params): number {
  const v = p.get("limit");
  if (v === undefined || v === "") return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw badData(`invalid parameter "limit": cannot parse "${v}" to a valid limit`);
  return n;
}

function truncate(list: string[], limit: number): string[] {
  return limit > 0 && list.length > limit ? list.slice(0, limit) : list;
}

/**
 * Runs fn with the timeout parameter, which the engine enforces (capped by --query.timeout,
 * so there is one timeout layer, as in Prometheus), and a signal that fires when the client goes away.
 */
async function withDeadline<T>(ctx: Context, p: Params, fn: (signal: AbortSignal, timeoutMs: number | undefined) => Promise<T>): Promise<T> {
  const requested = p.durationMs("timeout");
  const ac = new AbortController();
  const onClose = (): void => {
    if (!ctx.res.writableEnded) ac.abort(new ApiError("canceled", "query was canceled in expression evaluation"));
  };
  ctx.res.once("close", onClose);
  try {
    return await fn(ac.signal, requested !== undefined && requested > 0 ? requested : undefined);
  } catch (err) {
    // An engine that just stops on abort leaves only our reason to report.
    if (ac.signal.aborted && toApiError(err).type === "internal") throw ac.signal.reason;
    throw err;
  } finally {
    ctx.res.off("close", onClose);
  }
}
