// One outgoing HTTP client for scrapes, remote write/read, Alertmanager notification and
// http_sd, configured by an http_client_config: keep-alive agents, TLS (files reloaded when
// they change), proxies (absolute-form requests for http, CONNECT tunnels for https),
// basic/authorization/oauth2 credentials, redirects, gzip, a body size limit and a timeout
// over the whole exchange. HTTP/1.1 only: enable_http2 is accepted and ignored.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { DEFAULT_HTTP_CLIENT, type HTTPClientConfig } from "../config/types.js";
import { authorizationHeader } from "./auth.js";
import { readBody } from "./body.js";
import { HttpClientConfigError, HttpClientError, RequestAbortedError, RequestTimeoutError } from "./errors.js";
import { OAuth2TokenSource } from "./oauth2.js";
import { openTunnel, proxyAuthorization, proxyFor, type Env } from "./proxy.js";
import { TlsMaterial } from "./tls.js";

/** What promwasm says it is, to every server it calls. */
export const PROMETHEUS_USER_AGENT = "Prometheus/2.42.0 promwasm/0.1.0";

/** Go's net/http limit. */
const MAX_REDIRECTS = 10;
/** Bounds a token fetch even when the request that needs it has no timeout. */
const TOKEN_TIMEOUT_MS = 60_000;

export interface HttpClientOptions {
  /** Defaults to DEFAULT_HTTP_CLIENT (no auth, no proxy, verify TLS, follow redirects). */
  readonly config?: HTTPClientConfig;
  readonly userAgent: string;
  /** Extra headers on CONNECT requests to the proxy; the config's proxy_connect_header when unset. */
  readonly proxyConnectHeaders?: Readonly<Record<string, string>>;
  /** Environment for proxy_from_environment (process.env by default). */
  readonly env?: Env;
}

export interface HttpRequestOptions {
  /** Defaults to GET. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /** Bounds the whole exchange (tunnel, headers, body); 0 or unset = no limit. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Limit on the (decoded) body; 0 or unset = unlimited. */
  readonly maxBodyBytes?: number;
  /** Send Accept-Encoding: gzip and decode gzip bodies. */
  readonly acceptGzip?: boolean;
  /**
   * Hands a 200 response's body to onData chunk by chunk instead of collecting it (the
   * response's body is then empty); the request resolves when the body ends. For long-lived
   * streams such as Kubernetes watches.
   */
  readonly onData?: (chunk: Buffer) => void;
}

export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Where the response came from, after redirects. */
  readonly url: URL;
}

interface Attempt {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string | undefined;
  readonly maxBodyBytes: number;
  readonly gunzip: boolean;
  readonly onData: ((chunk: Buffer) => void) | undefined;
  /** Aborted with the error to fail with. */
  readonly signal: AbortSignal;
}

/** Internal: the request failed on a reused keep-alive socket before any response. */
class StaleConnectionError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function parseUrl(url: string | URL, base?: URL): URL {
  let u: URL;
  try {
    u = typeof url === "string" ? new URL(url, base) : url;
  } catch (cause) {
    throw new HttpClientConfigError(`invalid URL ${JSON.stringify(url)}`, { cause });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new HttpClientConfigError(`unsupported scheme in URL ${u.href}`);
  return u;
}

/** Rejects with the signal's reason as soon as it fires. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export class HttpClient {
  readonly config: HTTPClientConfig;
  private readonly userAgent: string;
  private readonly connectHeaders: Readonly<Record<string, string>>;
  private readonly env: Env;
  private readonly tls: TlsMaterial;
  private readonly oauth2: OAuth2TokenSource | undefined;
  private readonly tokenClient: HttpClient | undefined;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  /** TLS options go with each request, so the agent pools connections per certificate set. */
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  /** Keeps connections to an http proxy alive between requests. */
  private readonly proxyAgent = new HttpAgent({ keepAlive: true });

  constructor(opts: HttpClientOptions) {
    this.config = opts.config ?? DEFAULT_HTTP_CLIENT;
    this.userAgent = opts.userAgent;
    // Repeated values of one header are equivalent to one comma-joined value (RFC 9110).
    this.connectHeaders = opts.proxyConnectHeaders ?? Object.fromEntries(Object.entries(this.config.proxyConnectHeader).map(([k, vs]) => [k, vs.join(", ")]));
    this.env = opts.env ?? process.env;
    this.tls = new TlsMaterial(this.config.tlsConfig);
    if (this.config.oauth2) {
      // The token endpoint is called directly with default TLS, as Prometheus 2.42 does.
      const tokenClient = new HttpClient({ userAgent: this.userAgent });
      this.tokenClient = tokenClient;
      this.oauth2 = new OAuth2TokenSource({
        cfg: this.config.oauth2,
        post: (url, form, headers) => tokenClient.request(url, { method: "POST", body: form, headers, timeoutMs: TOKEN_TIMEOUT_MS }),
      });
    }
  }

  async request(url: string | URL, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
    let u = parseUrl(url);
    const ac = new AbortController();
    const timeoutMs = opts.timeoutMs ?? 0;
    const timer = timeoutMs > 0 ? setTimeout(() => ac.abort(new RequestTimeoutError(u.href, timeoutMs)), timeoutMs) : undefined;
    const outer = opts.signal;
    const onOuterAbort = () => ac.abort(new RequestAbortedError(`request to ${u.href} aborted`, { cause: outer?.reason }));
    if (outer?.aborted) onOuterAbort();
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    try {
      // Header names are lower-cased so that the client's own replace the caller's.
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
      headers["user-agent"] = this.userAgent;
      if (opts.acceptGzip) headers["accept-encoding"] = "gzip";
      const auth = await abortable(authorizationHeader(this.config, this.oauth2), ac.signal);
      if (auth !== undefined) headers.authorization = auth;
      let method = (opts.method ?? "GET").toUpperCase();
      let body = opts.body;
      for (let hops = 0; ; hops++) {
        if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
        else delete headers["content-length"];
        const attempt: Attempt = { method, headers, body, maxBodyBytes: opts.maxBodyBytes ?? 0, gunzip: opts.acceptGzip ?? false, onData: opts.onData, signal: ac.signal };
        // As Go's transport does, a request that died on a stale pooled connection gets one fresh try.
        const res = await this.attempt(u, attempt).catch((err: unknown) => {
          if (err instanceof StaleConnectionError) return this.attempt(u, attempt);
          throw err;
        });
        const location = res.headers.location;
        if (this.config.followRedirects && isRedirect(res.status) && location) {
          if (hops === MAX_REDIRECTS) throw new HttpClientError(`request to ${u.href}: stopped after ${MAX_REDIRECTS} redirects`);
          u = parseUrl(location, u);
          // As Go's client: 303, and 301/302 after anything but GET/HEAD, continue as a GET without body.
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method !== "GET" && method !== "HEAD")) {
            if (method !== "HEAD") method = "GET";
            body = undefined;
            delete headers["content-type"];
          }
          continue;
        }
        if (res.status === 401) this.oauth2?.invalidate();
        return res;
      }
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }

  /** One request/response exchange, without following redirects. */
  private async attempt(u: URL, a: Attempt): Promise<HttpResponse> {
    const https = u.protocol === "https:";
    const tls = https ? await abortable(this.tls.current(), a.signal) : undefined;
    const proxy = this.proxyFor(u);
    const hostname = u.hostname.replace(/^\[|\]$/g, "");
    const port = u.port || (https ? 443 : 80);
    const path = u.pathname + u.search;
    const headers: OutgoingHttpHeaders = { ...a.headers };
    // Sockets of a CONNECT tunnel serve this one exchange and are closed after it.
    const tunnelSockets: Socket[] = [];
    const closeTunnel = () => tunnelSockets.forEach((s) => s.destroy());
    a.signal.addEventListener("abort", closeTunnel, { once: true });
    try {
      let req: ClientRequest;
      if (!proxy) {
        const request = https ? httpsRequest : httpRequest;
        req = request({ ...tls, method: a.method, hostname, port, path, headers, agent: https ? this.httpsAgent : this.httpAgent, signal: a.signal });
      } else if (!https) {
        // Plain HTTP through a proxy: the absolute URL as the request target.
        headers.host = u.host;
        const proxyAuth = proxyAuthorization(proxy);
        if (proxyAuth) headers["proxy-authorization"] = proxyAuth;
        req = httpRequest({ method: a.method, hostname: proxy.hostname, port: proxy.port || 80, path: u.href, headers, agent: this.proxyAgent, signal: a.signal });
      } else {
        let destroyConnect = () => {};
        const abortConnect = () => destroyConnect();
        a.signal.addEventListener("abort", abortConnect, { once: true });
        let socket: Socket;
        try {
          socket = await abortable(openTunnel({ proxy, target: `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`, connectHeaders: this.connectHeaders, onRequest: (d) => (destroyConnect = d) }), a.signal);
        } finally {
          a.signal.removeEventListener("abort", abortConnect);
        }
        tunnelSockets.push(socket);
        // A reset under the TLS layer fails the exchange now instead of leaving it to the timeout.
        socket.on("error", (err) => tunnelSockets.forEach((t) => t !== socket && t.destroy(err)));
        const servername = tls?.servername ?? (isIP(hostname) ? undefined : hostname);
        const createConnection = (): TLSSocket => {
          const s = tlsConnect({ ...tls, socket, servername, host: hostname });
          tunnelSockets.push(s);
          return s;
        };
        // No agent: Node only calls createConnection when the request has none of its own.
        req = httpsRequest({ method: a.method, hostname, port, path, headers, createConnection, signal: a.signal });
      }
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        req.once("response", resolve);
        req.on("error", (err: NodeJS.ErrnoException) => {
          if (a.signal.aborted) return reject(a.signal.reason as Error);
          // The server closed an idle keep-alive connection as we reused it: nothing was processed.
          if (req.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE")) return reject(new StaleConnectionError(err));
          reject(err);
        });
        req.end(a.body);
      });
      const onData = res.statusCode === 200 ? a.onData : undefined;
      const body = await readBody(res, { maxBodyBytes: a.maxBodyBytes, gunzip: a.gunzip, signal: a.signal, onData });
      return { status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: res.headers, body, url: u };
    } finally {
      a.signal.removeEventListener("abort", closeTunnel);
      closeTunnel();
    }
  }

  /** The proxy requests to url go through (undefined: direct); throws HttpClientConfigError for an unusable proxy setting, so callers can check a config up front. */
  proxyFor(url: URL): URL | undefined {
    return proxyFor(url, this.config, this.env);
  }

  /** Closes idle keep-alive connections; later requests open new ones. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.proxyAgent.destroy();
    this.tokenClient?.close();
  }
}
