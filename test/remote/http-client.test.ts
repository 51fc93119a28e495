// The remote HTTP client's transport settings against loopback servers: an http proxy
// (absolute-form requests and CONNECT tunnels to a TLS remote), no_proxy, the proxy
// environment variables, oauth2 client credentials, and the overall timeout.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT, DEFAULT_TLS, type HTTPClientConfig } from "../../src/config/types.js";
import { RemoteHttpClient } from "../../src/remote/http-client.js";
import { listen, tempDir } from "../helpers/reference.js";
import { readBody } from "./helpers.js";

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe("remote http client", () => {
  const tmp = tempDir("remote-http-client");
  const servers: Server[] = [];
  const remoteSeen: Seen[] = [];
  const proxySeen: Seen[] = [];
  const tokenSeen: Seen[] = [];
  let remotePort = 0;
  let tlsPort = 0;
  let proxyPort = 0;
  let tokenPort = 0;
  let tokenCount = 0;
  let certFile = "";
  let remoteStatus = 204;

  beforeAll(async () => {
    certFile = join(tmp.dir, "cert.pem");
    const keyFile = join(tmp.dir, "key.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=remote.test", "-addext", "subjectAltName=DNS:remote.test"], { stdio: "ignore" });
    const handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
      void readBody(req).then((b) => {
        remoteSeen.push({ url: req.url ?? "", headers: req.headers, body: b.toString() });
        res.writeHead(remoteStatus).end();
      });
    };
    const remote = createServer(handler);
    servers.push(remote);
    remotePort = await listen(remote);
    const tlsRemote = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, handler);
    servers.push(tlsRemote as unknown as Server);
    tlsPort = await listen(tlsRemote);

    // A forwarding proxy: absolute-form requests are replayed to their origin; CONNECT opens a tunnel.
    const proxy = createServer((req, res) => {
      void readBody(req).then((b) => {
        proxySeen.push({ url: req.url ?? "", headers: req.headers, body: b.toString() });
        const target = new URL(req.url ?? "");
        const headers = { ...req.headers };
        delete headers["proxy-authorization"];
        const fwd = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        fwd.end(b);
      });
    });
    proxy.on("connect", (req, socket) => {
      proxySeen.push({ url: req.url ?? "", headers: req.headers, body: "" });
      // Every name resolves to loopback here, so the test's TLS name needs no DNS.
      const port = Number((req.url ?? "").split(":")[1]);
      const up = netConnect(port, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        up.pipe(socket);
        socket.pipe(up);
      });
      // Either side closing closes the other (the sockets are half-open by default).
      up.on("close", () => socket.destroy());
      socket.on("close", () => up.destroy());
      up.on("error", () => socket.destroy());
    });
    servers.push(proxy);
    proxyPort = await listen(proxy);

    const token = createServer((req, res) => {
      void readBody(req).then((b) => {
        tokenSeen.push({ url: req.url ?? "", headers: req.headers, body: b.toString() });
        tokenCount++;
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ access_token: `tok${tokenCount}`, token_type: "bearer", expires_in: 3600 }));
      });
    });
    servers.push(token);
    tokenPort = await listen(token);
  });
  afterAll(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    tmp.cleanup();
  });

  const cfg = (over: Partial<HTTPClientConfig>): HTTPClientConfig => ({ ...DEFAULT_HTTP_CLIENT, ...over });

  it("sends plain HTTP through proxy_url with the proxy's credentials", async () => {
    const c = new RemoteHttpClient({ url: `http://127.0.0.1:${remotePort}/api/v1/write`, timeoutMs: 5000, httpClientConfig: cfg({ proxyUrl: `http://u:p%40ss@127.0.0.1:${proxyPort}` }) });
    const res = await c.post(Buffer.from("hello"), { "Content-Type": "application/x-protobuf" });
    c.close();
    expect(res.status).toBe(204);
    const p = proxySeen.at(-1)!;
    expect(p.url).toBe(`http://127.0.0.1:${remotePort}/api/v1/write`);
    expect(p.headers["proxy-authorization"]).toBe("Basic " + Buffer.from("u:p@ss").toString("base64"));
    expect(remoteSeen.at(-1)!.body).toBe("hello");
  });

  it("tunnels HTTPS through CONNECT and verifies the remote's certificate", async () => {
    const before = proxySeen.length;
    // remote.test does not resolve: only the proxy (which maps it to loopback) can reach it.
    const url = `https://remote.test:${tlsPort}/write`;
    const c = new RemoteHttpClient({ url, timeoutMs: 5000, httpClientConfig: cfg({ proxyUrl: `http://127.0.0.1:${proxyPort}`, tlsConfig: { ...DEFAULT_TLS, caFile: certFile } }) });
    const res = await c.post(Buffer.from("secret"), {});
    c.close();
    expect(res.status).toBe(204);
    expect(proxySeen[before].url).toBe(`remote.test:${tlsPort}`);
    expect(remoteSeen.at(-1)!.body).toBe("secret");
    // Without the CA the same request fails the TLS check.
    const bad = new RemoteHttpClient({ url, timeoutMs: 5000, httpClientConfig: cfg({ proxyUrl: `http://127.0.0.1:${proxyPort}` }) });
    await expect(bad.post(Buffer.from("x"), {})).rejects.toThrow(/certificate/);
    bad.close();
  });

  it("goes direct for no_proxy hosts and reads the proxy from the environment when asked", async () => {
    const before = proxySeen.length;
    const direct = new RemoteHttpClient({ url: `http://127.0.0.1:${remotePort}/w`, timeoutMs: 5000, httpClientConfig: cfg({ proxyUrl: `http://127.0.0.1:${proxyPort}`, noProxy: "example.com,127.0.0.0/8" }) });
    expect((await direct.post(Buffer.from("d"), {})).status).toBe(204);
    direct.close();
    expect(proxySeen.length).toBe(before);
    const env = { HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: "example.com" };
    const viaEnv = new RemoteHttpClient({ url: `http://127.0.0.1:${remotePort}/w`, timeoutMs: 5000, httpClientConfig: cfg({ proxyFromEnvironment: true }), env });
    expect((await viaEnv.post(Buffer.from("e"), {})).status).toBe(204);
    viaEnv.close();
    expect(proxySeen.length).toBe(before + 1);
  });

  it("gets oauth2 tokens with client credentials, reuses them, and renews after a 401", async () => {
    const c = new RemoteHttpClient({
      url: `http://127.0.0.1:${remotePort}/w`,
      timeoutMs: 5000,
      httpClientConfig: cfg({
        oauth2: { clientId: "id:1", clientSecret: "s&cret", clientSecretFile: "", scopes: ["a", "b"], tokenUrl: `http://127.0.0.1:${tokenPort}/token`, endpointParams: { audience: "remote" } },
      }),
    });
    await c.post(Buffer.from("1"), {});
    await c.post(Buffer.from("2"), {});
    expect(tokenSeen.length).toBe(1);
    const t = tokenSeen[0];
    expect(t.headers.authorization).toBe("Basic " + Buffer.from("id%3A1:s%26cret").toString("base64"));
    expect(Object.fromEntries(new URLSearchParams(t.body))).toEqual({ grant_type: "client_credentials", scope: "a b", audience: "remote" });
    expect(remoteSeen.slice(-2).map((s) => s.headers.authorization)).toEqual(["Bearer tok1", "Bearer tok1"]);
    remoteStatus = 401;
    expect((await c.post(Buffer.from("3"), {})).status).toBe(401);
    remoteStatus = 204;
    await c.post(Buffer.from("4"), {});
    expect(remoteSeen.at(-1)!.headers.authorization).toBe("Bearer tok2");
    c.close();
  });

  it("times out a remote that never answers", async () => {
    const hang = createServer(() => undefined);
    servers.push(hang);
    const port = await listen(hang);
    const c = new RemoteHttpClient({ url: `http://127.0.0.1:${port}/w`, timeoutMs: 200 });
    await expect(c.post(Buffer.from("x"), {})).rejects.toThrow(/timed out after 200ms/);
    c.close();
  });
});
