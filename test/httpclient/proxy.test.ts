// The http client through a real forwarding proxy on loopback: absolute-form requests for
// http targets, CONNECT tunnels (with proxy_connect_header) for https, proxy credentials,
// no_proxy and the proxy environment variables.
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT, DEFAULT_TLS, type HTTPClientConfig } from "../../src/config/types.js";
import { HttpClient, type HttpClientOptions } from "../../src/httpclient/client.js";
import { ProxyConnectError } from "../../src/httpclient/errors.js";
import { bypassesProxy } from "../../src/httpclient/proxy.js";
import { listen, referenceBinary, tempDir } from "../helpers/reference.js";
import { close, forwardingProxy, makeCerts, readBody, type TestProxy } from "./helpers.js";

const openssl = referenceBinary("openssl");

describe("no_proxy matching", () => {
  it("matches hosts, domain suffixes, CIDRs and *", () => {
    expect(bypassesProxy("api.example.com", "example.com")).toBe(true);
    expect(bypassesProxy("api.example.com", ".example.com")).toBe(true);
    expect(bypassesProxy("notexample.com", "example.com")).toBe(false);
    expect(bypassesProxy("10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(bypassesProxy("11.1.2.3", "10.0.0.0/8")).toBe(false);
    expect(bypassesProxy("[::1]", "::1/128")).toBe(true);
    expect(bypassesProxy("anything", "*")).toBe(true);
    expect(bypassesProxy("host", "")).toBe(false);
  });
});

describe.runIf(openssl)("http client through a proxy", () => {
  const tmp = tempDir("httpclient-proxy");
  let origin: Server;
  let tlsOrigin: Server;
  let proxy: TestProxy;
  let originPort = 0;
  let tlsPort = 0;
  let proxyUrl = "";
  const originSeen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    makeCerts(openssl!, tmp.dir);
    const handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
      void readBody(req).then((b) => {
        originSeen.push({ url: req.url ?? "", headers: req.headers, body: b.toString() });
        res.writeHead(200).end(`${req.method} ${req.url}`);
      });
    };
    origin = createServer(handler);
    originPort = await listen(origin);
    const f = (n: string) => readFileSync(join(tmp.dir, n));
    tlsOrigin = createHttpsServer({ key: f("server.key"), cert: f("server.crt") }, handler) as unknown as Server;
    tlsPort = await listen(tlsOrigin);
    proxy = forwardingProxy();
    proxyUrl = `http://127.0.0.1:${await listen(proxy.server)}`;
  });
  afterAll(async () => {
    for (const t of proxy.tunnels) t.destroy();
    for (const s of [origin, tlsOrigin, proxy.server]) await close(s);
    tmp.cleanup();
  });

  const client = (over: Partial<HTTPClientConfig>, extra: Partial<HttpClientOptions> = {}) =>
    new HttpClient({ userAgent: "t", config: { ...DEFAULT_HTTP_CLIENT, tlsConfig: { ...DEFAULT_TLS, caFile: join(tmp.dir, "ca.crt") }, ...over }, ...extra });

  it("sends http requests in absolute form with the proxy URL's credentials", async () => {
    const c = client({ proxyUrl: `http://us%3Aer:p%40ss@${proxyUrl.slice("http://".length)}` });
    const res = await c.request(`http://127.0.0.1:${originPort}/a?b=1`, { method: "POST", body: "hi", headers: { "X-Test": "1" } });
    const again = await c.request(`http://127.0.0.1:${originPort}/second`);
    c.close();
    expect(res.body.toString()).toBe("POST /a?b=1");
    expect(again.body.toString()).toBe("GET /second");
    const p = proxy.seen.at(-2)!;
    expect(p.url).toBe(`http://127.0.0.1:${originPort}/a?b=1`);
    expect(p.headers["proxy-authorization"]).toBe("Basic " + Buffer.from("us:er:p@ss").toString("base64"));
    expect(originSeen.at(-2)!).toMatchObject({ body: "hi", headers: { "x-test": "1", host: `127.0.0.1:${originPort}` } });
  });

  it("tunnels https through CONNECT with proxy_connect_header and verifies the origin's certificate", async () => {
    const before = proxy.seen.length;
    // proxied.test does not resolve: only the proxy (which maps it to loopback) can reach it.
    const c = client({ proxyUrl }, { proxyConnectHeaders: { "X-Proxy-Token": "abc" } });
    const res = await c.request(`https://proxied.test:${tlsPort}/secure`, { method: "PUT", body: "s" });
    c.close();
    expect(res.body.toString()).toBe("PUT /secure");
    expect(proxy.seen.slice(before).map((s) => `${s.method} ${s.url}`)).toEqual([`CONNECT proxied.test:${tlsPort}`]);
    expect(proxy.seen[before]!.headers["x-proxy-token"]).toBe("abc");
    expect(originSeen.at(-1)!.headers["x-proxy-token"]).toBeUndefined();
    const noCa = client({ proxyUrl, tlsConfig: DEFAULT_TLS });
    await expect(noCa.request(`https://proxied.test:${tlsPort}/secure`)).rejects.toThrow(/certificate/);
    noCa.close();
  });

  it("sends the config's proxy_connect_header on CONNECT, repeated values joined", async () => {
    const before = proxy.seen.length;
    const c = client({ proxyUrl, proxyConnectHeader: { "X-Proxy-Token": ["abc", "def"] } });
    const res = await c.request(`https://proxied.test:${tlsPort}/from-config`);
    c.close();
    expect(res.body.toString()).toBe("GET /from-config");
    expect(proxy.seen[before]!.method).toBe("CONNECT");
    expect(proxy.seen[before]!.headers["x-proxy-token"]).toBe("abc, def");
  });

  it("reports a refused CONNECT", async () => {
    const refusing = createServer();
    refusing.on("connect", (_req, socket: import("node:net").Socket) => socket.end("HTTP/1.1 403 Forbidden\r\n\r\n"));
    const port = await listen(refusing);
    const c = client({ proxyUrl: `http://127.0.0.1:${port}` });
    const err = await c.request(`https://proxied.test:${tlsPort}/`).catch((e: unknown) => e);
    c.close();
    await close(refusing);
    expect(err).toBeInstanceOf(ProxyConnectError);
    expect((err as Error).message).toMatch(/refused CONNECT to proxied.test:\d+: HTTP status 403/);
  });

  it("goes direct for no_proxy hosts and takes the proxy from the environment when asked", async () => {
    const before = proxy.seen.length;
    const direct = client({ proxyUrl, noProxy: "example.com,127.0.0.0/8" });
    await direct.request(`http://127.0.0.1:${originPort}/direct`);
    direct.close();
    expect(proxy.seen.length).toBe(before);
    const env = { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: "example.com" };
    const viaEnv = client({ proxyFromEnvironment: true }, { env });
    await viaEnv.request(`http://127.0.0.1:${originPort}/env`);
    await viaEnv.request(`https://proxied.test:${tlsPort}/env`);
    viaEnv.close();
    expect(proxy.seen.slice(before).map((s) => `${s.method} ${s.url}`)).toEqual([`GET http://127.0.0.1:${originPort}/env`, `CONNECT proxied.test:${tlsPort}`]);
    const bypass = client({ proxyFromEnvironment: true }, { env: { ...env, NO_PROXY: "127.0.0.1" } });
    await bypass.request(`http://127.0.0.1:${originPort}/env`);
    bypass.close();
    expect(proxy.seen.length).toBe(before + 2);
  });

  it("rejects proxies it cannot use", async () => {
    const c = client({ proxyUrl: "socks5://127.0.0.1:1080" });
    await expect(c.request(`http://127.0.0.1:${originPort}/`)).rejects.toThrow(/only http:\/\/ proxies/);
    c.close();
  });
});
