// A small router: exact paths and one trailing-segment pattern per route (":name").
import type { Context, Middleware } from "koa";

export type Handler = (ctx: Context, params: Readonly<Record<string, string>>) => Promise<void> | void;

interface Route {
  readonly methods: ReadonlySet<string>;
  readonly parts: readonly string[];
  readonly handler: Handler;
  /** The handler label for prometheus_http_requests_total, the route as registered. */
  readonly name: string;
}

export class Router {
  private readonly routes: Route[] = [];

  add(methods: readonly string[], path: string, handler: Handler): this {
    this.routes.push({ methods: new Set(methods), parts: path.split("/"), handler, name: path });
    return this;
  }

  get(path: string, handler: Handler): this {
    return this.add(["GET"], path, handler);
  }

  /** GET and POST, as Prometheus registers its query endpoints. */
  getPost(path: string, handler: Handler): this {
    return this.add(["GET", "POST"], path, handler);
  }

  /** Matches ctx.path below prefix; unknown paths fall through, known paths with other methods get 405. */
  middleware(prefix: string): Middleware {
    return async (ctx, next) => {
      if (!ctx.path.startsWith(prefix)) return next();
      const parts = ctx.path.slice(prefix.length).split("/");
      let methodMismatch = false;
      for (const r of this.routes) {
        const params = match(r.parts, parts);
        if (!params) continue;
        const method = ctx.method === "HEAD" ? "GET" : ctx.method;
        if (!r.methods.has(method)) {
          methodMismatch = true;
          continue;
        }
        ctx.state.handler = prefix + r.name;
        await r.handler(ctx, params);
        return;
      }
      if (methodMismatch) {
        ctx.status = 405;
        ctx.body = "Method Not Allowed";
        return;
      }
      return next();
    };
  }
}

function match(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(":")) {
      try {
        out[p.slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    } else if (p !== parts[i]) return undefined;
  }
  return out;
}
