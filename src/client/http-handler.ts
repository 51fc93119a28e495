// Serving metrics over HTTP: a node:http request handler and a koa middleware, both negotiating
// text 0.0.4 vs OpenMetrics from Accept and gzipping when the client accepts it.
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { Context, Next } from "koa";
import type { Logger } from "../log/logger.js";
import { contentTypeOf, negotiate, writeExposition } from "./exposition.js";
import type { Gatherer } from "./interface.js";
import { defaultRegistry } from "./registry.js";

export interface HandlerOptions {
  /** What to expose; the default registry when absent. */
  readonly registry?: Gatherer;
  /** Allow gzip when the client sends Accept-Encoding: gzip (default true). */
  readonly gzip?: boolean;
  /** Write `_created` samples in OpenMetrics (default true). */
  readonly openMetricsCreated?: boolean;
  /** Where gather errors are logged; the response is a 500 either way. */
  readonly logger?: Logger;
}

export interface RenderedMetrics {
  readonly status: number;
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  readonly body: Buffer;
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(",")) {
    const [coding, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (coding !== "gzip") continue;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** Gathers and encodes once for a request with these Accept and Accept-Encoding headers. */
export function renderMetrics(accept: string | undefined, acceptEncoding: string | undefined, opts: HandlerOptions = {}): RenderedMetrics {
  const registry = opts.registry ?? defaultRegistry;
  let text: string;
  const format = negotiate(accept);
  try {
    text = writeExposition(registry.gather(), format, { created: opts.openMetricsCreated });
  } catch (cause) {
    const err = new Error("gather metrics", { cause });
    opts.logger?.error("error gathering metrics", { err: String(cause) });
    return { status: 500, contentType: "text/plain; charset=utf-8", contentEncoding: undefined, body: Buffer.from(`${err.message}: ${String(cause)}\n`) };
  }
  const raw = Buffer.from(text, "utf8");
  if ((opts.gzip ?? true) && acceptsGzip(acceptEncoding)) {
    return { status: 200, contentType: contentTypeOf(format), contentEncoding: "gzip", body: gzipSync(raw) };
  }
  return { status: 200, contentType: contentTypeOf(format), contentEncoding: undefined, body: raw };
}

/** A node:http handler that answers every request with the metrics. */
export function metricsHandler(opts: HandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const r = renderMetrics(req.headers.accept, headerString(req.headers["accept-encoding"]), opts);
    res.statusCode = r.status;
    res.setHeader("Content-Type", r.contentType);
    res.setHeader("Vary", "Accept, Accept-Encoding");
    if (r.contentEncoding) res.setHeader("Content-Encoding", r.contentEncoding);
    res.setHeader("Content-Length", r.body.length);
    res.end(req.method === "HEAD" ? undefined : r.body);
  };
}

function headerString(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h.join(",") : h;
}

export interface KoaMetricsOptions extends HandlerOptions {
  /** Answer GET/HEAD on this path only and pass other requests on (default "/metrics"); null answers every request. */
  readonly path?: string | null;
}

/** A koa middleware serving the metrics. */
export function koaMetrics(opts: KoaMetricsOptions = {}): (ctx: Context, next: Next) => Promise<void> {
  const path = opts.path === undefined ? "/metrics" : opts.path;
  return async (ctx, next) => {
    if (path !== null && (ctx.path !== path || (ctx.method !== "GET" && ctx.method !== "HEAD"))) {
      await next();
      return;
    }
    const r = renderMetrics(ctx.get("Accept") || undefined, ctx.get("Accept-Encoding") || undefined, opts);
    ctx.status = r.status;
    ctx.vary("Accept");
    ctx.vary("Accept-Encoding");
    if (r.contentEncoding) ctx.set("Content-Encoding", r.contentEncoding);
    ctx.body = r.body;
    ctx.type = r.contentType;
  };
}
