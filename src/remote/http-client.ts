// POSTs to a remote write/read endpoint with the http client settings of its config:
// basic auth, authorization credentials (files re-read per request, as Prometheus does so
// that rotated secrets apply), oauth2 client credentials, TLS, an http:// proxy (with
// no_proxy, or taken from the environment; CONNECT tunnels for https remotes) and a
// timeout over the whole exchange.
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { BlockList, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from "node:tls";
import type { HTTPClientConfig } from "../config/types.js";
import { RemoteError } from "./errors.js";
import { OAuth2TokenSource } from "./oauth2.js";

export const USER_AGENT = "Prometheus/2.42.0 promwasm/0.1.0";

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
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

export class RemoteHttpClient {
  readonly url: URL;
  private readonly timeoutMs: number;
  private readonly extraHeaders: Readonly<Record<string, string>>;
  private readonly http: HTTPClientConfig | undefined;
  private readonly tls: ConnectionOptions;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly proxy: URL | undefined;
  private readonly oauth2: OAuth2TokenSource | undefined;
  /** Keeps connections to an http proxy alive between requests. */
  private readonly proxyAgent = new HttpAgent({ keepAlive: true });

  constructor(opts: RemoteHttpClientOptions) {
    this.url = parseUrl(opts.url, "remote URL");
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:") throw new RemoteError(`unsupported scheme in remote URL ${opts.url}`);
    this.timeoutMs = opts.timeoutMs;
    this.extraHeaders = opts.headers ?? {};
    this.http = opts.httpClientConfig;
    this.proxy = proxyFor(this.url, this.http, opts.env ?? process.env);
    if (this.http?.oauth2) this.oauth2 = new OAuth2TokenSource(this.http.oauth2, this.timeoutMs);
    const t = this.http?.tlsConfig;
    const pem = (inline: string | undefined, file: string | undefined) => inline || (file ? readFileSync(file, "utf8") : undefined);
    this.tls = {
      ca: pem(t?.ca, t?.caFile),
      cert: pem(t?.cert, t?.certFile),
      key: pem(t?.key, t?.keyFile),
      servername: t?.serverName || undefined,
      rejectUnauthorized: !(t?.insecureSkipVerify ?? false),
    };
    this.agent = this.url.protocol === "https:" ? new HttpsAgent({ keepAlive: true, ...this.tls }) : new HttpAgent({ keepAlive: true });
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
    return this.oauth2?.authorization();
  }

  async post(body: Uint8Array, headers: Readonly<Record<string, string>>): Promise<RemoteResponse> {
    // Configured headers cannot replace the protocol's own.
    const all: Record<string, string> = { ...this.extraHeaders, "User-Agent": USER_AGENT, ...headers, "Content-Length": String(body.length) };
    const auth = await this.authHeader();
    if (auth) all.Authorization = auth;
    const res = await this.exchange(body, all);
    if (res.status === 401) this.oauth2?.invalidate();
    return res;
  }

  private exchange(body: Uint8Array, headers: OutgoingHttpHeaders): Promise<RemoteResponse> {
    return new Promise<RemoteResponse>((resolve, reject) => {
      let settled = false;
      let req: ReturnType<typeof httpRequest> | undefined;
      // Through a CONNECT proxy: the tunnel, and the TLS socket that took over its handle.
      let tunnel: Socket | undefined;
      let tunnelTls: TLSSocket | undefined;
      // remote_timeout bounds the whole exchange, response body (and proxy tunnel) included.
      const timer = setTimeout(() => fail(new RemoteError(`request to ${this.url.href} timed out after ${this.timeoutMs}ms`)), this.timeoutMs);
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req?.destroy();
        tunnelTls?.destroy();
        tunnel?.destroy();
        reject(err);
      };
      const onResponse = (res: IncomingMessage) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("error", fail);
        res.on("end", () => {
          // A CONNECT tunnel serves one request; close it rather than leave it open at the proxy.
          tunnelTls?.destroy();
          tunnel?.destroy();
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
        });
      };
      const send = (r: ReturnType<typeof httpRequest>) => {
        req = r;
        r.on("error", fail);
        r.end(body);
      };
      const proxy = this.proxy;
      if (!proxy) {
        const request = this.url.protocol === "https:" ? httpsRequest : httpRequest;
        send(request(this.url, { method: "POST", headers, agent: this.agent }, onResponse));
        return;
      }
      const proxyAuth = proxyAuthorization(proxy);
      if (this.url.protocol === "http:") {
        // Plain HTTP through a proxy: the absolute URL as the request target.
        const h: OutgoingHttpHeaders = { ...headers, Host: this.url.host };
        if (proxyAuth) h["Proxy-Authorization"] = proxyAuth;
        const o: RequestOptions = { host: proxy.hostname, port: proxy.port || 80, method: "POST", path: this.url.href, headers: h, agent: this.proxyAgent };
        send(httpRequest(o, onResponse));
        return;
      }
      const target = `${this.url.hostname}:${this.url.port || 443}`;
      // agent: false, so that no pooling agent keeps a reference to the tunnel's socket.
      const connectReq = httpRequest({ host: proxy.hostname, port: proxy.port || 80, method: "CONNECT", path: target, agent: false, headers: proxyAuth ? { "Proxy-Authorization": proxyAuth, Host: target } : { Host: target } });
      req = connectReq;
      connectReq.on("error", fail);
      connectReq.on("connect", (res: IncomingMessage, socket: Socket) => {
        tunnel = socket;
        if (res.statusCode !== 200) {
          fail(new RemoteError(`proxy ${proxy.host} refused CONNECT to ${target}: HTTP status ${res.statusCode}`));
          return;
        }
        const servername = this.tls.servername ?? (isIP(this.url.hostname) ? undefined : this.url.hostname);
        // No `agent`: Node only calls createConnection when the request has none of its own.
        const opts: RequestOptions = { method: "POST", headers, createConnection: () => (tunnelTls = tlsConnect({ ...this.tls, socket, servername })) };
        send(httpsRequest(this.url, opts, onResponse));
      });
      connectReq.end();
    });
  }

  close(): void {
    this.agent.destroy();
    this.proxyAgent.destroy();
  }
}

function parseUrl(s: string, what: string): URL {
  try {
    return new URL(s);
  } catch (cause) {
    throw new RemoteError(`invalid ${what} ${JSON.stringify(s)}`, { cause });
  }
}

function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === "" && proxy.password === "") return undefined;
  return "Basic " + Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64");
}

/** The proxy a request to url goes through, if any (proxy_url / no_proxy, or the environment). */
function proxyFor(url: URL, http: HTTPClientConfig | undefined, env: Readonly<Record<string, string | undefined>>): URL | undefined {
  if (!http) return undefined;
  let proxy = http.proxyUrl;
  let noProxy = http.noProxy;
  if (http.proxyFromEnvironment) {
    proxy = (url.protocol === "https:" ? env.HTTPS_PROXY ?? env.https_proxy : env.HTTP_PROXY ?? env.http_proxy) ?? "";
    noProxy = env.NO_PROXY ?? env.no_proxy ?? "";
  }
  if (proxy === "" || bypassesProxy(url.hostname, noProxy)) return undefined;
  const p = parseUrl(proxy, "proxy URL");
  if (p.protocol !== "http:") throw new RemoteError(`proxy ${proxy}: only http:// proxies are supported by promwasm`);
  return p;
}

/** no_proxy: comma-separated hosts, domains (suffix match, leading dot optional), IPs, CIDRs or "*". */
function bypassesProxy(hostname: string, noProxy: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  for (const raw of noProxy.split(",")) {
    const e = raw.trim().toLowerCase();
    if (e === "") continue;
    if (e === "*") return true;
    if (e.includes("/")) {
      const [addr, bits] = e.split("/");
      const family = isIP(addr) === 6 ? "ipv6" : "ipv4";
      if (isIP(host) === 0 || isIP(addr) === 0) continue;
      const list = new BlockList();
      list.addSubnet(addr, Number(bits), family);
      if (list.check(host, isIP(host) === 6 ? "ipv6" : "ipv4")) return true;
      continue;
    }
    const name = e.replace(/:\d+$/, "").replace(/^\./, "");
    if (host === name || host.endsWith("." + name)) return true;
  }
  return false;
}
