// /api/v1/admin/tsdb: delete_series, clean_tombstones, snapshot (only with --web.enable-admin-api).
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Matcher } from "../model/matcher.js";
import { ApiError, badData } from "./api-error.js";
import { MAX_TIME, MIN_TIME, Params } from "./params.js";
import { sendData } from "./respond.js";
import type { Handler, Router } from "./router.js";
import type { PromQLParser, TSDBAdmin } from "./sources.js";

export interface AdminAPIOptions {
  readonly enabled: boolean;
  readonly tsdb: TSDBAdmin | undefined;
  readonly parser: PromQLParser;
  readonly now?: () => number;
}

export function registerAdminAPI(router: Router, opts: AdminAPIOptions): void {
  const now = opts.now ?? Date.now;
  const guard = (h: (tsdb: TSDBAdmin, ...a: Parameters<Handler>) => Promise<void>): Handler => {
    return async (ctx, params) => {
      if (!opts.enabled) throw new ApiError("unavailable", "admin APIs disabled");
      if (!opts.tsdb) throw new ApiError("unavailable", "TSDB not ready");
      await h(opts.tsdb, ctx, params);
    };
  };

  router.add(["POST", "PUT"], "/admin/tsdb/delete_series", guard(async (tsdb, ctx) => {
    const p = await Params.from(ctx);
    const sets = p.getAll("match[]");
    if (sets.length === 0) throw badData("no match[] parameter provided");
    const start = p.time("start", MIN_TIME);
    const end = p.time("end", MAX_TIME);
    const parsed: Matcher[][] = sets.map((s) => {
      try {
        return opts.parser.parseMetricSelector(s);
      } catch (err) {
        throw badData((err as Error).message, err);
      }
    });
    for (const ms of parsed) await tsdb.deleteSeries(ms, start, end);
    ctx.status = 204;
  }));

  router.add(["POST", "PUT"], "/admin/tsdb/clean_tombstones", guard(async (tsdb, ctx) => {
    await tsdb.cleanTombstones();
    ctx.status = 204;
  }));

  router.add(["POST", "PUT"], "/admin/tsdb/snapshot", guard(async (tsdb, ctx) => {
    const p = await Params.from(ctx);
    const skipHead = parseBool(p.get("skip_head"));
    const name = `${snapshotTime(now())}-${randomBytes(8).toString("hex")}`;
    const dir = join(tsdb.dir, "snapshots", name);
    try {
      await tsdb.snapshot(dir, !skipHead);
    } catch (err) {
      throw new ApiError("internal", `create snapshot: ${(err as Error).message}`, { cause: err });
    }
    sendData(ctx, { name });
  }));
}

function parseBool(v: string | undefined): boolean {
  if (v === undefined || v === "") return false;
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw badData(`cannot parse "${v}" as a boolean`);
}

/** 20060102T150405Z */
function snapshotTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
