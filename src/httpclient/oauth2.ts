// OAuth 2.0 client-credentials tokens: fetched from token_url on first use, cached until
// shortly before they expire, and fetched again after the server rejects one (401).
import { readFile } from "node:fs/promises";
import type { OAuth2 } from "../config/types.js";
import { OAuth2Error } from "./errors.js";

/** Renew this long before the token's stated expiry. */
const EXPIRY_MARGIN_MS = 10_000;

/** How the token source talks to token_url (a plain client: no auth of its own). */
export type TokenPoster = (url: string, form: string, headers: Record<string, string>) => Promise<{ status: number; body: Buffer }>;

export class OAuth2TokenSource {
  private readonly cfg: OAuth2;
  private readonly post: TokenPoster;
  private token: { header: string; expiresAtMs: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(opts: { cfg: OAuth2; post: TokenPoster }) {
    this.cfg = opts.cfg;
    this.post = opts.post;
  }

  /** The Authorization header value, fetching a token when there is no valid one. */
  authorization(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAtMs) return Promise.resolve(this.token.header);
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets the cached token (after the server refused it). */
  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const c = this.cfg;
    let secret = c.clientSecret;
    if (c.clientSecretFile !== "") {
      try {
        secret = (await readFile(c.clientSecretFile, "utf8")).trim();
      } catch (cause) {
        throw new OAuth2Error(`oauth2: read client_secret_file ${c.clientSecretFile}`, { cause });
      }
    }
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (c.scopes.length > 0) form.set("scope", c.scopes.join(" "));
    for (const [k, v] of Object.entries(c.endpointParams)) form.set(k, v);
    // RFC 6749 2.3.1: client id and secret form-encoded, then HTTP basic.
    const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(secret)}`).toString("base64");
    let res: { status: number; body: Buffer };
    try {
      res = await this.post(c.tokenUrl, form.toString(), { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${basic}` });
    } catch (cause) {
      throw new OAuth2Error(`oauth2: fetch token from ${c.tokenUrl}`, { cause });
    }
    const text = res.body.toString("utf8");
    if (res.status < 200 || res.status > 299) throw new OAuth2Error(`oauth2: token endpoint ${c.tokenUrl} returned HTTP status ${res.status}: ${text.slice(0, 256)}`);
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (cause) {
      throw new OAuth2Error(`oauth2: token endpoint ${c.tokenUrl} returned invalid JSON`, { cause });
    }
    if (typeof body.access_token !== "string" || body.access_token === "") throw new OAuth2Error(`oauth2: token endpoint ${c.tokenUrl} returned no access_token`);
    const expiresInSec = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in);
    const header = `Bearer ${body.access_token}`;
    this.token = { header, expiresAtMs: Number.isFinite(expiresInSec) && expiresInSec > 0 ? Date.now() + expiresInSec * 1000 - EXPIRY_MARGIN_MS : Infinity };
    return header;
  }
}
