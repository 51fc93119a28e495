// POSTs to a remote write/read endpoint through the shared http client with its config's
// http settings, the configured extra headers, and remote_timeout over the whole exchange.
import type { IncomingHttpHeaders } from "node:http";
import type { HTTPClientConfig } from "../config/types.js";
import { HttpClient, PROMETHEUS_USER_AGENT } from "../httpclient/client.js";
import { RemoteError } from "./errors.js";

export const USER_AGENT = PROMETHEUS_USER_AGENT;

export interface RemoteHttpClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Extra headers from the config's `headers`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly httpClientConfig?: HTTPClientConfig;
  /** Environment for proxy_from_environment (process.env by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RemoteResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class RemoteHttpClient {
  readonly url: URL;
  private readonly timeoutMs: number;
  private readonly extraHeaders: Readonly<Record<string, string>>;
  private readonly client: HttpClient;

  constructor(opts: RemoteHttpClientOptions) {
    try {
      this.url = new URL(opts.url);
    } catch (cause) {
      throw new RemoteError(`invalid remote URL ${JSON.stringify(opts.url)}`, { cause });
    }
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:") throw new RemoteError(`unsupported scheme in remote URL ${opts.url}`);
    this.timeoutMs = opts.timeoutMs;
    this.extraHeaders = opts.headers ?? {};
    this.client = new HttpClient({ config: opts.httpClientConfig, userAgent: USER_AGENT, env: opts.env });
    // A proxy setting that can never work fails the config reload rather than every send.
    try {
      this.client.proxyFor(this.url);
    } catch (cause) {
      throw new RemoteError((cause as Error).message, { cause });
    }
  }

  /** Configured headers cannot replace the protocol's own (headers); a 401 drops a cached oauth2 token. */
  post(body: Uint8Array, headers: Readonly<Record<string, string>>): Promise<RemoteResponse> {
    return this.client.request(this.url, { method: "POST", body, headers: { ...this.extraHeaders, ...headers }, timeoutMs: this.timeoutMs });
  }

  close(): void {
    this.client.close();
  }
}
