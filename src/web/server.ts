// The koa application and its listener: route prefix, auth, metrics, readiness, one error
// mapping, then /api/v1, /federate, /metrics and lifecycle endpoints.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import Koa, { type Context, type Middleware } from "koa";
import type { Gatherer, Registerer } from "../client/interface.js";
import { writeExposition } from "../client/exposition.js";
import type { TLSFiles, WebConfig } from "../config/web-config.js";
import { errorText, type Logger } from "../log/logger.js";
import { Matcher } from "../model/matcher.js";
import type { Labels } from "../model/labels.js";
import type { ChunkQueryable, Queryable } from "../storage/interface.js";
import { registerAdminAPI } from "./api-admin.js";
import { toApiError } from "./api-error.js";
import { registerQueryAPI } from "./api-query.js";
import { registerStatusAPI } from "./api-status.js";
import { authMiddleware } from "./auth.js";
import { federate } from "./federate.js";
import { httpMetricsMiddleware } from "./http-metrics.js";
import { sendError } from "./respond.js";
import { Router } from "./router.js";
import type { AlertmanagerSource, BuildInfo, OtlpReceiver, PromQLParser, QueryEngine, QueryLogEntry, RemoteReadHandler, RemoteWriteReceiver, RuleSource, ServerState, TargetSource, TSDBAdmin } from "./sources.js";
import { readBody } from "./params.js";
import { registerChunkAPI } from "./ui/chunks-api.js";
import { registerUI } from "./ui/register.js";

export interface WebServerOptions {
  /** host:port; an empty host listens on all interfaces. */
  readonly listenAddress: string;
  /** "/" or a path such as "/prometheus" that every route sits under. */
  readonly routePrefix: string;
  readonly webConfig?: WebConfig;
  readonly tls?: TLSFiles;
  readonly enableLifecycle: boolean;
  readonly enableAdminApi: boolean;
  /** --web.cors.origin: a regex, fully anchored, for Origins the API answers with CORS headers. */
  readonly corsOrigin: string;
  /** --web.max-connections; 0 for no limit. */
  readonly maxConnections: number;
  /** --web.read-timeout, for reading a whole request. */
  readonly readTimeoutMs: number;
  readonly queryable: Queryable;
  readonly engine: QueryEngine;
  readonly parser: PromQLParser;
  readonly lookbackDeltaMs: number;
  readonly externalLabels: () => Labels;
  readonly state: ServerState;
  readonly buildInfo: BuildInfo;
  readonly targets?: TargetSource;
  readonly rules?: RuleSource;
  readonly alertmanagers?: AlertmanagerSource;
  readonly tsdb?: TSDBAdmin;
  /** Raw chunks for the UI's chunk view (/api/v1/promwasm/chunks). */
  readonly chunks?: ChunkQueryable;
  readonly queryLog?: (entry: QueryLogEntry) => void;
  /** /api/v1/read, which Prometheus always serves. */
  readonly remoteRead?: RemoteReadHandler;
  /** Set when --web.enable-remote-write-receiver is on. */
  readonly remoteWrite?: RemoteWriteReceiver;
  /** Set when --web.enable-otlp-receiver is on; otherwise the path answers 404 saying so, as Prometheus does. */
  readonly otlpWrite?: OtlpReceiver;
  readonly registry: Registerer & Gatherer;
  readonly logger: Logger;
}

export class WebServer {
  private readonly opts: WebServerOptions;
  private readonly server: Server;
  readonly app: Koa;
  private closed = false;

  constructor(opts: WebServerOptions) {
    this.opts = opts;
    this.app = buildApp(opts);
    const handler = this.app.callback();
    const t = opts.webConfig?.tlsServerConfig;
    // Node looks for connections past the read timeout every 30 s by default; a shorter
    // timeout is checked as often as it lasts, so idle connections cannot hold the
    // --web.max-connections slots much longer than --web.read-timeout.
    const connectionsCheckingInterval = Math.max(100, Math.min(30_000, opts.readTimeoutMs));
    if (opts.tls && t) {
      const policy = t.clientAuthType;
      this.server = createHttpsServer(
        {
          cert: opts.tls.cert,
          key: opts.tls.key,
          ca: opts.tls.ca,
          requestCert: policy !== "NoClientCert",
          rejectUnauthorized: policy === "RequireAndVerifyClientCert",
          minVersion: tlsVersion(t.minVersion),
          maxVersion: tlsVersion(t.maxVersion),
          connectionsCheckingInterval,
        },
        handler,
      );
    } else {
      this.server = createHttpServer({ connectionsCheckingInterval }, handler);
    }
    if (opts.maxConnections > 0) this.server.maxConnections = opts.maxConnections;
    this.server.requestTimeout = opts.readTimeoutMs;
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  async listen(): Promise<number> {
    const { host, port } = splitHostPort(this.opts.listenAddress);
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host === "" ? undefined : host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function tlsVersion(v: string): "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3" {
  return ({ TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" } as const)[v as "TLS12"] ?? "TLSv1.2";
}

export function splitHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  if (i < 0) throw new Error(`address ${addr}: missing port in address`);
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`address ${addr}: invalid port`);
  return { host: addr.slice(0, i).replace(/^\[(.*)\]$/, "$1"), port };
}

function buildApp(opts: WebServerOptions): Koa {
  const app = new Koa();
  const prefix = opts.routePrefix === "/" ? "" : opts.routePrefix.replace(/\/+$/, "");
  app.silent = true;
  app.on("error", (err: unknown) => opts.logger.debug("http connection error", { err }));
  if (opts.webConfig) app.use(authMiddleware(opts.webConfig));
  app.use(httpMetricsMiddleware(opts.registry));
  app.use(errorMiddleware(opts.logger));

  const plain = new Router();
  plain.get("/-/healthy", (ctx) => text(ctx, 200, "Prometheus Server is Healthy.\n"));
  plain.get("/-/ready", (ctx) => (opts.state.ready() ? text(ctx, 200, "Prometheus Server is Ready.\n") : text(ctx, 503, "Service Unavailable")));
  plain.get("/metrics", (ctx) => {
    ctx.type = "text/plain; version=0.0.4; charset=utf-8";
    ctx.body = writeExposition(opts.registry.gather(), "text");
  });
  plain.add(["POST", "PUT"], "/-/reload", async (ctx) => {
    if (!opts.enableLifecycle) return text(ctx, 403, "Lifecycle API is not enabled.");
    try {
      await opts.state.reload();
      text(ctx, 200, "");
    } catch (err) {
      text(ctx, 500, `failed to reload config: ${errorText(err)}\n`);
    }
  });
  plain.add(["POST", "PUT"], "/-/quit", (ctx) => {
    if (!opts.enableLifecycle) return text(ctx, 403, "Lifecycle API is not enabled.");
    text(ctx, 200, "Requesting termination... Goodbye!");
    setImmediate(() => opts.state.quit());
  });
  registerUI(plain, { prefix });
  app.use(plain.middleware(prefix));
  if (prefix !== "") {
    // As Prometheus: the bare root points at the prefix.
    app.use(async (ctx, next) => {
      if (ctx.path !== "/") return next();
      ctx.redirect(prefix + "/");
    });
  }

  // Everything below needs storage: 503 until the TSDB is open and the WAL replayed. Replay
  // progress is the exception (as in Prometheus): it matters exactly while not ready.
  const walReplayPath = prefix + "/api/v1/status/walreplay";
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith(prefix + "/") || opts.state.ready() || ctx.path === walReplayPath) return next();
    text(ctx, 503, "Service Unavailable");
  });

  const federation = new Router();
  federation.get("/federate", (ctx) => federate(ctx, opts));
  app.use(federation.middleware(prefix));

  app.use(corsMiddleware(prefix + "/api/v1/", opts.corsOrigin));
  const api = new Router();
  registerQueryAPI(api, opts);
  registerStatusAPI(api, opts);
  registerAdminAPI(api, { enabled: opts.enableAdminApi, tsdb: opts.tsdb, parser: opts.parser });
  registerChunkAPI(api, { chunks: opts.chunks, parser: opts.parser });
  const read = opts.remoteRead;
  if (read) {
    api.add(["POST"], "/read", async (ctx) => {
      const res = await read(await readBody(ctx), ctx.headers);
      ctx.status = res.status;
      for (const [k, v] of Object.entries(res.headers)) ctx.set(k, v);
      ctx.body = Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    });
  }
  const receive = opts.remoteWrite;
  api.add(["POST"], "/write", async (ctx) => {
    if (!receive) return text(ctx, 404, "remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n");
    const res = await receive(await readBody(ctx), ctx.headers);
    for (const [k, v] of Object.entries(res.headers ?? {})) ctx.set(k, v);
    if (res.status >= 400) text(ctx, res.status, res.message + "\n");
    else ctx.status = res.status;
  });
  const otlp = opts.otlpWrite;
  api.add(["POST"], "/otlp/v1/metrics", async (ctx) => {
    if (!otlp) return text(ctx, 404, "otlp write receiver needs to be enabled with --web.enable-otlp-receiver\n");
    const res = await otlp(await readBody(ctx), ctx.headers);
    ctx.status = res.status;
    for (const [k, v] of Object.entries(res.headers)) ctx.set(k, v);
    ctx.body = Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength);
  });
  app.use(api.middleware(prefix + "/api/v1"));
  app.use(async (ctx, next) => {
    await next();
    if (ctx.body === undefined && ctx.status === 404) text(ctx, 404, "404 page not found\n");
  });
  return app;
}

/** CORS headers on API responses for matching Origins; OPTIONS preflights answer 204. */
function corsMiddleware(apiPrefix: string, originRegex: string): Middleware {
  const any = originRegex === ".*";
  // An anchored RE2 match, as Prometheus compiles the flag.
  const re = new Matcher("=~", "origin", originRegex);
  return async (ctx, next) => {
    if (!ctx.path.startsWith(apiPrefix)) return next();
    const origin = ctx.get("origin");
    if (origin !== "") {
      ctx.set("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin");
      ctx.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      ctx.set("Access-Control-Expose-Headers", "Date");
      ctx.set("Vary", "Origin");
      if (any) ctx.set("Access-Control-Allow-Origin", "*");
      else if (re.matches(origin)) ctx.set("Access-Control-Allow-Origin", origin);
    }
    if (ctx.method === "OPTIONS") {
      ctx.status = 204;
      return;
    }
    await next();
  };
}

function text(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = "text/plain; charset=utf-8";
  ctx.body = body;
}

/** The single error path: handlers throw, this maps to Prometheus' JSON errors (plain text off the API). */
function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.type === "internal") logger.error("request failed", { path: ctx.path, err });
      if (ctx.path.includes("/api/")) sendError(ctx, apiErr);
      else text(ctx, apiErr.status, apiErr.message + "\n");
    }
  };
}
