// OAuth 2.0 client-credentials tokens for remote endpoints configured with `oauth2`:
// fetched from token_url on first use, cached until shortly before they expire, and
// fetched again when the remote rejects one (401).
import { readFile } from "node:fs/promises";
import type { OAuth2 } from "../config/types.js";
import { RemoteError } from "./errors.js";

/** Renew this long before the token's stated expiry. */
const EXPIRY_MARGIN_MS = 10_000;

export class OAuth2TokenSource {
  private readonly cfg: OAuth2;
  private readonly timeoutMs: number;
  private token: { header: string; expiresAtMs: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(cfg: OAuth2, timeoutMs: number) {
    this.cfg = cfg;
    this.timeoutMs = timeoutMs;
  }

  /** The Authorization header value, fetching a token when there is no valid one. */
  authorization(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAtMs) return Promise.resolve(this.token.header);
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets the cached token (after the remote refused it). */
  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const c = this.cfg;
    const secret = c.clientSecretFile ? (await readFile(c.clientSecretFile, "utf8")).trim() : c.clientSecret;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (c.scopes.length > 0) form.set("scope", c.scopes.join(" "));
    for (const [k, v] of Object.entries(c.endpointParams)) form.set(k, v);
    // RFC 6749 2.3.1: client id and secret form-encoded, then HTTP basic.
    const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(secret)}`).toString("base64");
    let res: Response;
    try {
      res = await fetch(c.tokenUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${basic}` },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new RemoteError(`oauth2: fetch token from ${c.tokenUrl}`, { cause });
    }
    const text = await res.text();
    if (!res.ok) throw new RemoteError(`oauth2: token endpoint ${c.tokenUrl} returned HTTP status ${res.status}: ${text.slice(0, 256)}`);
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (cause) {
      throw new RemoteError(`oauth2: token endpoint ${c.tokenUrl} returned invalid JSON`, { cause });
    }
    if (typeof body.access_token !== "string" || body.access_token === "") throw new RemoteError(`oauth2: token endpoint ${c.tokenUrl} returned no access_token`);
    const expiresInSec = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in);
    const header = `Bearer ${body.access_token}`;
    this.token = { header, expiresAtMs: Number.isFinite(expiresInSec) && expiresInSec > 0 ? Date.now() + expiresInSec * 1000 - EXPIRY_MARGIN_MS : Infinity };
    return header;
  }
}
