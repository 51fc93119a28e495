// Request parameters: query string plus url-encoded POST bodies, times and durations
// parsed and bounded the way Prometheus' API does.
import type { Context } from "koa";
import { DurationError, parseDuration } from "../model/duration.js";
import type { Matcher } from "../model/matcher.js";
import { badData } from "./api-error.js";
import type { PromQLParser } from "./sources.js";

/** Prometheus' minimum and maximum query times, brought within what a JS number holds exactly. */
export const MIN_TIME = -(2 ** 52);
export const MAX_TIME = 2 ** 52;
const MAX_BODY_BYTES = 16 << 20;

const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export class Params {
  private readonly values: URLSearchParams;

  constructor(values: URLSearchParams) {
    this.values = values;
  }

  /** Reads the query string and, for url-encoded POSTs, the body (bounded). */
  static async from(ctx: Context): Promise<Params> {
    const all = new URLSearchParams(ctx.querystring);
    if (ctx.method === "POST" && (ctx.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      const body = (await readBody(ctx)).toString("utf8");
      for (const [k, v] of new URLSearchParams(body)) all.append(k, v);
    }
    return new Params(all);
  }

  get(name: string): string | undefined {
    return this.values.get(name) ?? undefined;
  }

  getAll(name: string): string[] {
    return this.values.getAll(name);
  }

  time(name: string, defaultMs: number): number {
    const v = this.get(name);
    if (v === undefined || v === "") return defaultMs;
    try {
      return parseTime(v);
    } catch (err) {
      throw badData(`invalid parameter "${name}": Invalid time value for '${name}': ${(err as Error).message}`);
    }
  }

  durationMs(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined || v === "") return undefined;
    try {
      return parseDurationParam(v);
    } catch (err) {
      throw badData(`invalid parameter "${name}": ${(err as Error).message}`);
    }
  }
}

/** The raw request body, at most 16MiB (a 400 beyond that). */
export async function readBody(ctx: Context): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      // The rest of the body stays unread, so the connection cannot be reused.
      ctx.set("Connection", "close");
      throw badData(`request body larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Unix seconds (float) or RFC3339, to ms. */
export function parseTime(s: string): number {
  if (FLOAT.test(s)) {
    const f = Number(s);
    const sec = Math.trunc(f);
    const ms = sec * 1000 + Math.round((f - sec) * 1000);
    if (!Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) throw new Error(`cannot parse "${s}" to a valid timestamp`);
    return ms;
  }
  if (RFC3339.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error(`cannot parse "${s}" to a valid timestamp`);
}

/** Float seconds or a Prometheus duration string, to ms. */
export function parseDurationParam(s: string): number {
  if (FLOAT.test(s)) {
    const f = Number(s) * 1000;
    if (!Number.isFinite(f) || Math.abs(f) > 2 ** 53) throw new Error(`cannot parse "${s}" to a valid duration. It overflows int64`);
    return Math.round(f);
  }
  try {
    return parseDuration(s);
  } catch (err) {
    if (err instanceof DurationError) throw new Error(`cannot parse "${s}" to a valid duration`);
    throw err;
  }
}

/** Every match[] selector, parsed; each must have a matcher that rejects the empty value, as Prometheus requires. */
export function matcherSets(p: Params, parser: PromQLParser): Matcher[][] {
  return p.getAll("match[]").map((s) => {
    let ms: Matcher[];
    try {
      ms = parser.parseMetricSelector(s);
    } catch (err) {
      throw badData(`invalid parameter "match[]": ${(err as Error).message}`, err);
    }
    if (ms.every((m) => m.matchesEmpty())) throw badData(`invalid parameter "match[]": match[] must contain at least one non-empty matcher`);
    return ms;
  });
}
