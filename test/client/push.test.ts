// Pushgateway protocol against a recording HTTP server on loopback.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ClientError, CounterVec, Gauge, PushError, Registry, deleteGroup, groupPath, push, pushAdd } from "../../src/client/index.js";
import { listen } from "../helpers/reference.js";

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", contentType: req.headers["content-type"], body: Buffer.concat(chunks).toString() });
      res.statusCode = status;
      res.end(status === 200 ? "" : "bad push");
    });
  });
  base = `http://127.0.0.1:${await listen(server)}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test("grouping key paths, with base64 for values containing / and for empty values", () => {
  expect(groupPath("batch", { instance: "host1" })).toBe("/metrics/job/batch/instance/host1");
  expect(groupPath("a/b", { path: "/var/tmp", empty: "" })).toBe("/metrics/job@base64/YS9i/empty@base64/=/path@base64/L3Zhci90bXA");
  expect(groupPath("j", { x: "a b" })).toBe("/metrics/job/j/x/a%20b");
  expect(() => groupPath("", {})).toThrow(ClientError);
  expect(() => groupPath("j", { "bad-name": "v" })).toThrow(ClientError);
});

test("push is PUT, pushAdd is POST, delete is DELETE without a body", async () => {
  const registry = new Registry();
  new Gauge({ name: "last_success_seconds", help: "Last success.", registers: [registry] }).set(1700000000);
  seen.length = 0;
  await push({ url: base, job: "backup", groupingKey: { instance: "db/1" }, registry });
  await pushAdd({ url: base, job: "backup", registry });
  await deleteGroup({ url: base, job: "backup", groupingKey: { instance: "db1" } });
  expect(seen.map((s) => [s.method, s.url])).toEqual([
    ["PUT", "/metrics/job/backup/instance@base64/ZGIvMQ"],
    ["POST", "/metrics/job/backup"],
    ["DELETE", "/metrics/job/backup/instance/db1"],
  ]);
  const body = "# HELP last_success_seconds Last success.\n# TYPE last_success_seconds gauge\nlast_success_seconds 1.7e+09\n";
  expect(seen[0].body).toBe(body);
  expect(seen[0].contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
  expect(seen[1].body).toBe(body);
  expect(seen[2].body).toBe("");
});

test("a non-2xx answer is a PushError with the status", async () => {
  status = 400;
  try {
    const err = await push({ url: base, job: "x", registry: new Registry() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushError);
    expect((err as PushError).status).toBe(400);
    expect((err as PushError).message).toContain("bad push");
  } finally {
    status = 200;
  }
});

test("metrics whose labels clash with the grouping key are refused before sending", async () => {
  const registry = new Registry();
  new CounterVec({ name: "x_total", help: "X.", labelNames: ["instance"], registers: [registry] }).labels("other").inc();
  seen.length = 0;
  await expect(push({ url: base, job: "j", groupingKey: { instance: "mine" }, registry })).rejects.toThrow(ClientError);
  expect(seen).toEqual([]);
});
