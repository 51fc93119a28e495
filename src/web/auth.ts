// Web config enforcement: basic auth users (bcrypt), client certificate policy and
// configured response headers. Runs before any handler.
import bcrypt from "bcryptjs";
import type { Middleware } from "koa";
import type { TLSSocket } from "node:tls";
import type { WebConfig } from "../config/web-config.js";

export interface AuthOptions {
  /** Checks a password against a bcrypt hash; bcrypt by default (tests observe the calls). */
  readonly compare?: (password: string, hash: string) => Promise<boolean>;
}

/** Successful checks are cached (bcrypt is slow by design), keyed by user and password. */
export function authMiddleware(cfg: WebConfig, opts: AuthOptions = {}): Middleware {
  const verified = new Map<string, string>();
  const compare = opts.compare ?? bcrypt.compare;
  const dummy = dummyHash(cfg.basicAuthUsers);
  const policy = cfg.tlsServerConfig?.clientAuthType ?? "NoClientCert";
  return async (ctx, next) => {
    for (const [k, v] of Object.entries(cfg.headers)) ctx.set(k, v);
    const socket = ctx.req.socket as Partial<TLSSocket>;
    if (policy === "RequireAnyClientCert" || policy === "VerifyClientCertIfGiven") {
      const cert = socket.getPeerCertificate?.();
      const hasCert = cert !== undefined && Object.keys(cert).length > 0;
      if ((policy === "RequireAnyClientCert" && !hasCert) || (policy === "VerifyClientCertIfGiven" && hasCert && !socket.authorized)) {
        ctx.status = 403;
        ctx.body = "client certificate rejected\n";
        return;
      }
    }
    if (cfg.basicAuthUsers.size > 0 && !(await authorized(ctx.get("authorization"), cfg.basicAuthUsers, verified, compare, dummy))) {
      ctx.status = 401;
      ctx.set("WWW-Authenticate", "Basic");
      ctx.body = "Unauthorized\n";
      return;
    }
    await next();
  };
}

/**
 * A well-formed hash no password matches, at the highest cost among the users: comparing an
 * unknown user's password against it takes as long as a known user's check, so response
 * times do not tell which usernames exist.
 */
function dummyHash(users: ReadonlyMap<string, string>): string {
  let cost = 0;
  for (const hash of users.values()) cost = Math.max(cost, Number(hash.slice(4, 6)) || 0);
  return `$2b$${String(cost || 10).padStart(2, "0")}$${"0".repeat(53)}`;
}

async function authorized(
  header: string,
  users: ReadonlyMap<string, string>,
  verified: Map<string, string>,
  compare: (password: string, hash: string) => Promise<boolean>,
  dummy: string,
): Promise<boolean> {
  const m = /^Basic\s+(.+)$/i.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const hash = users.get(user);
  if (hash === undefined) {
    await compare(password, dummy);
    return false;
  }
  const key = `${user}\x00${password}`;
  if (verified.get(key) === hash) return true;
  const ok = await compare(password, hash);
  if (ok) verified.set(key, hash);
  return ok;
}
