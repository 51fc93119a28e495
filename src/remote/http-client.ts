// POSTs to a remote write/read endpoint with the http client settings of its config:
// basic auth, authorization credentials (files re-read per request, as Prometheus does so
// that rotated secrets apply), TLS and a per-request timeout. proxy_url and oauth2 are
// not supported and are rejected when the client is built.
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { HTTPClientConfig } from "../config/types.js";
import { RemoteError } from "./errors.js";

export const USER_AGENT = "Prometheus/2.42.0 promwasm/0.1.0";

export interface RemoteHttpClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Extra headers from the config's `headers`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly httpClientConfig?: HTTPClientConfig;
}

export interface RemoteResponse {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

export class RemoteHttpClient {
  readonly url: URL;
  private readonly timeoutMs: number;
  private readonly extraHeaders: Readonly<Record<string, string>>;
  private readonly http: HTTPClientConfig | undefined;
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(opts: RemoteHttpClientOptions) {
    try {
      this.url = new URL(opts.url);
    } catch (cause) {
      throw new RemoteError(`invalid remote URL ${JSON.stringify(opts.url)}`, { cause });
    }
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:") throw new RemoteError(`unsupported scheme in remote URL ${opts.url}`);
    this.timeoutMs = opts.timeoutMs;
    this.extraHeaders = opts.headers ?? {};
    this.http = opts.httpClientConfig;
    if (this.http?.oauth2) throw new RemoteError(`remote ${opts.url}: oauth2 is not supported by promwasm`);
    if (this.http && this.http.proxyUrl !== "") throw new RemoteError(`remote ${opts.url}: proxy_url is not supported by promwasm`);
    if (this.url.protocol === "https:") {
      const t = this.http?.tlsConfig;
      const pem = (inline: string | undefined, file: string | undefined) => inline || (file ? readFileSync(file, "utf8") : undefined);
      this.agent = new HttpsAgent({
        keepAlive: true,
        ca: pem(t?.ca, t?.caFile),
        cert: pem(t?.cert, t?.certFile),
        key: pem(t?.key, t?.keyFile),
        servername: t?.serverName || undefined,
        rejectUnauthorized: !(t?.insecureSkipVerify ?? false),
      });
    } else {
      this.agent = new HttpAgent({ keepAlive: true });
    }
  }

  private async authHeader(): Promise<string | undefined> {
    const h = this.http;
    if (!h) return undefined;
    if (h.basicAuth) {
      const pw = h.basicAuth.passwordFile ? (await readFile(h.basicAuth.passwordFile, "utf8")).trim() : h.basicAuth.password;
      return "Basic " + Buffer.from(`${h.basicAuth.username}:${pw}`).toString("base64");
    }
    if (h.authorization) {
      const cred = h.authorization.credentialsFile ? (await readFile(h.authorization.credentialsFile, "utf8")).trim() : h.authorization.credentials;
      return `${h.authorization.type} ${cred}`;
    }
    return undefined;
  }

  async post(body: Uint8Array, headers: Readonly<Record<string, string>>): Promise<RemoteResponse> {
    // Configured headers cannot replace the protocol's own.
    const all: Record<string, string> = { ...this.extraHeaders, "User-Agent": USER_AGENT, ...headers, "Content-Length": String(body.length) };
    const auth = await this.authHeader();
    if (auth) all.Authorization = auth;
    const send = this.url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<RemoteResponse>((resolve, reject) => {
      // remote_timeout bounds the whole exchange, response body included.
      const timer = setTimeout(() => req.destroy(new RemoteError(`request to ${this.url.href} timed out after ${this.timeoutMs}ms`)), this.timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      const req = send(this.url, { method: "POST", headers: all, agent: this.agent }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("error", fail);
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
        });
      });
      req.on("error", fail);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
