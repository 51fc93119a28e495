// The http client over plain HTTP on loopback: headers, bodies, gzip, the body size limit,
// redirects, timeouts and aborts.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT } from "../../src/config/types.js";
import { HttpClient } from "../../src/httpclient/client.js";
import { BodyTooLargeError, HttpClientError, RequestAbortedError, RequestTimeoutError } from "../../src/httpclient/errors.js";
import { listen, waitFor } from "../helpers/reference.js";
import { close, readBody } from "./helpers.js";

describe("http client over plain HTTP", () => {
  let server: Server;
  let base = "";
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((b) => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: b.toString() });
        const u = new URL(req.url ?? "/", "http://x");
        if (u.pathname === "/gzip") res.writeHead(200, { "Content-Encoding": "gzip" }).end(gzipSync("x".repeat(5000)));
        else if (u.pathname === "/bad-gzip") res.writeHead(200, { "Content-Encoding": "gzip" }).end("not gzip at all");
        else if (u.pathname === "/redirect") res.writeHead(Number(u.searchParams.get("code") ?? 302), { Location: "/target?from=redirect" }).end();
        else if (u.pathname === "/loop") res.writeHead(302, { Location: "/loop" }).end();
        else if (u.pathname === "/hang") res.writeHead(200).write("partial");
        else res.writeHead(200, { "Content-Type": "text/plain" }).end(`${req.method} ${req.url}`);
      });
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => close(server));

  it("sends method, body, caller headers and its User-Agent, and returns status, headers and body", async () => {
    const c = new HttpClient({ userAgent: "test-agent/1" });
    const res = await c.request(`${base}/echo?a=1`, { method: "POST", body: "payload", headers: { "Content-Type": "text/plain", "User-Agent": "caller" } });
    c.close();
    expect(res.status).toBe(200);
    expect(res.statusText).toBe("OK");
    expect(res.headers["content-type"]).toBe("text/plain");
    expect(res.body.toString()).toBe("POST /echo?a=1");
    const s = seen.at(-1)!;
    expect(s.body).toBe("payload");
    expect(s.headers["user-agent"]).toBe("test-agent/1");
    expect(s.headers["content-length"]).toBe("7");
    expect(s.headers["content-type"]).toBe("text/plain");
  });

  it("asks for gzip and decodes it only when acceptGzip is set", async () => {
    const c = new HttpClient({ userAgent: "t" });
    const decoded = await c.request(`${base}/gzip`, { acceptGzip: true });
    expect(seen.at(-1)!.headers["accept-encoding"]).toBe("gzip");
    expect(decoded.body.toString()).toBe("x".repeat(5000));
    const raw = await c.request(`${base}/gzip`);
    expect(seen.at(-1)!.headers["accept-encoding"]).toBeUndefined();
    expect(raw.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    await expect(c.request(`${base}/bad-gzip`, { acceptGzip: true })).rejects.toThrow("decompress gzip body");
    c.close();
  });

  it("limits the decoded body size", async () => {
    const c = new HttpClient({ userAgent: "t" });
    await expect(c.request(`${base}/gzip`, { acceptGzip: true, maxBodyBytes: 4999 })).rejects.toBeInstanceOf(BodyTooLargeError);
    expect((await c.request(`${base}/gzip`, { acceptGzip: true, maxBodyBytes: 5000 })).body.length).toBe(5000);
    c.close();
  });

  it("follows redirects (POST becomes GET after 303, stays POST after 307) unless follow_redirects is false", async () => {
    const c = new HttpClient({ userAgent: "t" });
    const r = await c.request(`${base}/redirect`);
    expect(r.body.toString()).toBe("GET /target?from=redirect");
    expect(r.url.pathname).toBe("/target");
    expect((await c.request(`${base}/redirect?code=303`, { method: "POST", body: "b" })).body.toString()).toBe("GET /target?from=redirect");
    expect(seen.at(-1)!.body).toBe("");
    expect((await c.request(`${base}/redirect?code=307`, { method: "POST", body: "b" })).body.toString()).toBe("POST /target?from=redirect");
    expect(seen.at(-1)!.body).toBe("b");
    await expect(c.request(`${base}/loop`)).rejects.toThrow(/stopped after 10 redirects/);
    c.close();
    const noFollow = new HttpClient({ userAgent: "t", config: { ...DEFAULT_HTTP_CLIENT, followRedirects: false } });
    const res = await noFollow.request(`${base}/redirect`);
    noFollow.close();
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/target?from=redirect");
  });

  it("times out a body that never ends, and reports the caller's abort as such", async () => {
    const c = new HttpClient({ userAgent: "t" });
    await expect(c.request(`${base}/hang`, { timeoutMs: 200 })).rejects.toThrow(RequestTimeoutError);
    await expect(c.request(`${base}/hang`, { timeoutMs: 200 })).rejects.toThrow(/timed out after 200ms/);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("stop")), 100);
    const err = await c.request(`${base}/hang`, { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestAbortedError);
    expect((err as Error).cause).toEqual(new Error("stop"));
    c.close();
  });

  it("streams a 200 body to onData as it arrives (gzip decoded), and leaves other statuses' bodies to the response", async () => {
    const c = new HttpClient({ userAgent: "t" });
    const chunks: string[] = [];
    const streamed = c.request(`${base}/hang`, { onData: (b) => chunks.push(b.toString()), timeoutMs: 20_000 });
    // "partial" arrives while the response is still open: onData sees it before any end.
    await waitFor(() => chunks.join("") === "partial", 10_000, "the first chunk");
    c.close();
    await expect(streamed).rejects.toThrow();
    const gz: string[] = [];
    const res = await c.request(`${base}/gzip`, { acceptGzip: true, onData: (b) => gz.push(b.toString()) });
    expect(res.body.length).toBe(0);
    expect(gz.join("")).toBe("x".repeat(5000));
    c.close();
    // Not a 200: the body is collected and onData is not called.
    const noFollow = new HttpClient({ userAgent: "t", config: { ...DEFAULT_HTTP_CLIENT, followRedirects: false } });
    let called = false;
    const redirect = await noFollow.request(`${base}/redirect?code=302`, { onData: () => (called = true) });
    noFollow.close();
    expect(redirect.status).toBe(302);
    expect(called).toBe(false);
  });

  it("rejects URLs it cannot request", async () => {
    const c = new HttpClient({ userAgent: "t" });
    await expect(c.request("ftp://127.0.0.1/x")).rejects.toThrow(HttpClientError);
    await expect(c.request("not a url")).rejects.toThrow(/invalid URL/);
    c.close();
  });
});

describe("http client keep-alive", () => {
  it("reuses connections, and retries once on a fresh one when the server dropped the idle one", async () => {
    // Answers the first request on each connection with keep-alive, then closes it when the
    // next request arrives, as a server whose idle timeout just fired would.
    let connections = 0;
    const server = createNetServer((socket) => {
      connections++;
      let served = 0;
      socket.on("data", () => {
        if (served++ === 0) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
        else socket.destroy();
      });
    });
    const port = await listen(server);
    const c = new HttpClient({ userAgent: "t" });
    try {
      expect((await c.request(`http://127.0.0.1:${port}/`)).body.toString()).toBe("ok");
      expect((await c.request(`http://127.0.0.1:${port}/`)).body.toString()).toBe("ok");
      expect(connections).toBe(2);
    } finally {
      c.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
