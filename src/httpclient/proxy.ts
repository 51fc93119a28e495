// Which proxy a request goes through (proxy_url / no_proxy, or the environment), and
// CONNECT tunnels through it for https targets. Only http:// proxies are supported.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { BlockList, isIP, type Socket } from "node:net";
import type { HTTPClientConfig } from "../config/types.js";
import { HttpClientConfigError, ProxyConnectError } from "./errors.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** The proxy for url, or undefined to connect directly. */
export function proxyFor(url: URL, cfg: HTTPClientConfig, env: Env): URL | undefined {
  let proxy = cfg.proxyUrl;
  let noProxy = cfg.noProxy;
  if (cfg.proxyFromEnvironment) {
    proxy = (url.protocol === "https:" ? env.HTTPS_PROXY ?? env.https_proxy : env.HTTP_PROXY ?? env.http_proxy) ?? "";
    noProxy = env.NO_PROXY ?? env.no_proxy ?? "";
  }
  if (proxy === "" || bypassesProxy(url.hostname, noProxy)) return undefined;
  let p: URL;
  try {
    p = new URL(proxy);
  } catch (cause) {
    throw new HttpClientConfigError(`invalid proxy URL ${JSON.stringify(proxy)}`, { cause });
  }
  if (p.protocol !== "http:") throw new HttpClientConfigError(`proxy ${proxy}: only http:// proxies are supported by promwasm`);
  return p;
}

/** no_proxy: comma-separated hosts, domains (suffix match, leading dot optional), IPs, CIDRs or "*". */
export function bypassesProxy(hostname: string, noProxy: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const hostFamily = isIP(host);
  for (const raw of noProxy.split(",")) {
    const e = raw.trim().toLowerCase();
    if (e === "") continue;
    if (e === "*") return true;
    if (e.includes("/")) {
      const [addr, bits] = e.split("/") as [string, string];
      const family = isIP(addr);
      if (hostFamily === 0 || family === 0) continue;
      const list = new BlockList();
      list.addSubnet(addr, Number(bits), family === 6 ? "ipv6" : "ipv4");
      if (list.check(host, hostFamily === 6 ? "ipv6" : "ipv4")) return true;
      continue;
    }
    const name = e.replace(/:\d+$/, "").replace(/^\./, "");
    if (host === name || host.endsWith("." + name)) return true;
  }
  return false;
}

/** Proxy-Authorization from the proxy URL's user info, if it has any. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === "" && proxy.password === "") return undefined;
  return "Basic " + Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64");
}

export interface TunnelRequest {
  readonly proxy: URL;
  /** host:port of the target. */
  readonly target: string;
  /** proxy_connect_header: sent on the CONNECT request only. */
  readonly connectHeaders: Readonly<Record<string, string>>;
  /** Receives the CONNECT request so the caller can destroy it on timeout or abort. */
  readonly onRequest: (destroy: () => void) => void;
}

/** Opens a CONNECT tunnel; resolves with the raw socket once the proxy answers 200. */
export function openTunnel(t: TunnelRequest): Promise<Socket> {
  const headers: OutgoingHttpHeaders = { ...t.connectHeaders, Host: t.target };
  const auth = proxyAuthorization(t.proxy);
  if (auth) headers["Proxy-Authorization"] = auth;
  return new Promise<Socket>((resolve, reject) => {
    // agent: false, so that no pooling agent keeps a reference to the tunnel's socket.
    const req = httpRequest({ host: t.proxy.hostname, port: t.proxy.port || 80, method: "CONNECT", path: t.target, headers, agent: false });
    t.onRequest(() => req.destroy());
    req.once("connect", (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new ProxyConnectError(`proxy ${t.proxy.host} refused CONNECT to ${t.target}: HTTP status ${res.statusCode}`));
    });
    req.on("error", (cause) => reject(new ProxyConnectError(`proxy ${t.proxy.host}: CONNECT to ${t.target}`, { cause })));
    req.end();
  });
}
