// Serving over real HTTP on loopback: Accept negotiation, gzip, node:http and koa.
import { request, createServer, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Counter, OPENMETRICS_CONTENT_TYPE, Registry, TEXT_CONTENT_TYPE, koaMetrics, metricsHandler, type Collector,
} from "../../src/client/index.js";
import { listen } from "../helpers/reference.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const registry = new Registry();
const hits = new Counter({ name: "hits_total", help: "Hits.", registers: [registry] });
hits.inc(7);
const EXPECTED_TEXT = "# HELP hits_total Hits.\n# TYPE hits_total counter\nhits_total 7\n";

describe("node:http handler", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer(metricsHandler({ registry }));
    port = await listen(server);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test("text by default", async () => {
    const res = await get(port, "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(TEXT_CONTENT_TYPE);
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.toString()).toBe(EXPECTED_TEXT);
  });

  test("OpenMetrics for Prometheus' scrape Accept header", async () => {
    const res = await get(port, "/metrics", {
      Accept: "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    });
    expect(res.headers["content-type"]).toBe(OPENMETRICS_CONTENT_TYPE);
    const body = res.body.toString();
    expect(body).toMatch(/^# HELP hits Hits\.\n# TYPE hits counter\nhits_total 7\.0\nhits_created \S+\n# EOF\n$/);
  });

  test("gzip when accepted, identity when refused", async () => {
    const res = await get(port, "/metrics", { "Accept-Encoding": "deflate, gzip;q=0.8" });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers["vary"]).toContain("Accept-Encoding");
    expect(gunzipSync(res.body).toString()).toBe(EXPECTED_TEXT);
    const refused = await get(port, "/metrics", { "Accept-Encoding": "gzip;q=0" });
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(refused.body.toString()).toBe(EXPECTED_TEXT);
  });

  test("a failing gather is a 500, not a crash", async () => {
    const bad = new Registry();
    const broken: Collector = {
      describe: () => [],
      collect: () => {
        throw new Error("disk on fire");
      },
    };
    bad.register(broken);
    const s = createServer(metricsHandler({ registry: bad }));
    const p = await listen(s);
    try {
      const res = await get(p, "/metrics");
      expect(res.status).toBe(500);
      expect(res.body.toString()).toContain("disk on fire");
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});

describe("koa middleware", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const app = new Koa();
    app.use(koaMetrics({ registry }));
    app.use((ctx) => {
      ctx.body = "app";
    });
    server = createServer(app.callback());
    port = await listen(server);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test("serves /metrics with negotiation and gzip, passes other paths on", async () => {
    const om = await get(port, "/metrics", { Accept: "application/openmetrics-text; version=1.0.0", "Accept-Encoding": "gzip" });
    expect(om.status).toBe(200);
    expect(om.headers["content-type"]).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(om.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(om.body).toString()).toMatch(/hits_total 7\.0\n[\s\S]*# EOF\n$/);
    const text = await get(port, "/metrics");
    expect(text.headers["content-type"]).toBe(TEXT_CONTENT_TYPE);
    expect(text.body.toString()).toBe(EXPECTED_TEXT);
    const other = await get(port, "/other");
    expect(other.body.toString()).toBe("app");
  });
});
