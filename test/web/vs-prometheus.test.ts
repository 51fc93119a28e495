// The same requests to promwasm and to a real Prometheus 2.42 on loopback: status codes,
// errorType and messages must agree, and success payloads must have the same shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { startReference, stopChild, type Server } from "../helpers/process.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";
import { startTestServer, writeConfig } from "./helpers.js";

const prometheus = referenceBinary("prometheus");
const tmp = tempDir("web-vs-prom");
let ours: RunningServer | undefined;
let oursBase = "";
let theirs: Server | undefined;
let theirsBase = "";

beforeAll(async () => {
  if (!prometheus) return;
  const cfg = writeConfig(tmp.dir, "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
  ({ server: ours, base: oursBase } = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${tmp.dir}/ours`]));
  theirs = await startReference(prometheus, (port) => [`--config.file=${cfg}`, `--storage.tsdb.path=${tmp.dir}/theirs`, `--web.listen-address=127.0.0.1:${port}`]);
  theirsBase = theirs.base;
}, 60_000);

afterAll(async () => {
  await ours?.stop();
  await stopChild(theirs);
  tmp.cleanup();
});

async function both(path: string, init?: RequestInit): Promise<[{ status: number; body: Record<string, unknown> }, { status: number; body: Record<string, unknown> }]> {
  const get = async (base: string) => {
    const res = await fetch(base + path, init);
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text: text.trim() };
    }
    return { status: res.status, body };
  };
  return [await get(oursBase), await get(theirsBase)];
}

function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return typeof v;
}

/** Server flags Prometheus 3.14 has that 2.42 had not (its docs/command-line and cmd/prometheus). */
const ADDED_AFTER_2_42 = [
  "config.auto-reload", "config.auto-reload-interval", "auto-gomaxprocs", "auto-gomemlimit", "auto-gomemlimit.ratio",
  "auto-gomemlimit.refresh-interval", "web.max-notifications-subscribers", "web.remote-write-receiver.accepted-protobuf-messages",
  "web.enable-otlp-receiver", "storage.tsdb.allow-overlapping-compaction", "storage.tsdb.wal-compression-type",
  "storage.tsdb.samples-per-chunk", "storage.tsdb.delayed-compaction.max-percent", "storage.tsdb.delay-compact-file.path",
  "storage.tsdb.block-reload-interval", "storage.agent.wal-compression-type", "storage.agent.checkpoint-from-in-memory-series",
  "storage.agent.checkpoint-batch-size", "web.search.max-limit", "rules.max-concurrent-evals", "alertmanager.notification-batch-size",
  "alertmanager.drain-notification-queue-on-shutdown", "agent",
];

describe.runIf(prometheus !== undefined)("promwasm vs Prometheus 2.42", () => {
  it("returns the same errors", async () => {
    const paths = [
      "/api/v1/query?query=up&time=abc",
      "/api/v1/query_range?query=up&start=1&end=0&step=1",
      "/api/v1/query_range?query=up&start=0&end=100000&step=1",
      "/api/v1/query_range?query=up&start=0&end=10&step=0",
      "/api/v1/query_range?query=up&start=0&end=10",
      "/api/v1/query_range?query=up&end=10&step=1",
      "/api/v1/query?query=1&timeout=xx",
      "/api/v1/label/a-b/values",
      "/api/v1/series",
      "/api/v1/series?match[]=%7Bjob%3D~%22.*%22%7D",
    ];
    for (const p of paths) {
      const [a, b] = await both(p);
      expect({ p, status: a.status, body: a.body }).toEqual({ p, status: b.status, body: b.body });
    }
    // Parse and evaluation messages are the engine's wording; here only the mapping is compared.
    const execution = "/api/v1/query?query=" + encodeURIComponent('vector(1) + on() (vector(1) or label_replace(vector(2), "a", "b", "", ""))');
    for (const p of ["/api/v1/query?query=foo(", "/api/v1/query?query=", "/api/v1/nope", execution]) {
      const [a, b] = await both(p);
      expect({ p, status: a.status, type: a.body.errorType }).toEqual({ p, status: b.status, type: b.body.errorType });
    }
    const [a, b] = await both("/api/v1/admin/tsdb/snapshot", { method: "POST" });
    expect(a).toEqual(b);
    const [ra, rb] = await both("/-/reload", { method: "POST" });
    expect(ra).toEqual(rb);
  });

  it("sends the same CORS headers and answers preflights alike", async () => {
    const headers = ["access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers"];
    for (const method of ["GET", "OPTIONS"]) {
      const pick = async (base: string) => {
        const res = await fetch(`${base}/api/v1/query?query=1`, { method, headers: { origin: "http://grafana.example" } });
        return { status: res.status, headers: Object.fromEntries(headers.map((h) => [h, res.headers.get(h)])) };
      };
      expect(await pick(oursBase)).toEqual(await pick(theirsBase));
    }
  });

  it("answers the same shapes on success", async () => {
    for (const p of [
      "/api/v1/query?query=vector(1)&time=100.5",
      "/api/v1/query?query=1e6&time=100",
      "/api/v1/query_range?query=vector(2)&start=0&end=60&step=15",
      "/api/v1/labels",
      "/api/v1/label/job/values",
      "/api/v1/targets",
      "/api/v1/rules",
      "/api/v1/alerts",
      "/api/v1/alertmanagers",
      "/api/v1/status/walreplay",
      "/api/v1/status/buildinfo",
      "/api/v1/format_query?query=sum(rate(x[5m]))by(job)",
      "/-/healthy",
      "/-/ready",
    ]) {
      const [a, b] = await both(p);
      expect({ p, status: a.status, shape: shape(a.body) }).toEqual({ p, status: b.status, shape: shape(b.body) });
      if (p.includes("query") || p.includes("healthy") || p.includes("ready")) expect({ p, body: a.body }).toEqual({ p, body: b.body });
    }
    const [ta, tb] = await both("/api/v1/status/tsdb");
    expect(shape((ta.body.data as Record<string, unknown>).headStats)).toEqual(shape((tb.body.data as Record<string, unknown>).headStats));
    const [fa, fb] = await both("/api/v1/status/flags");
    const oursFlags = Object.keys(fa.body.data as object);
    const missing = oursFlags.filter((k) => !(k in (fb.body.data as object)));
    // promwasm lists Prometheus 3.14's flags: those 3.x added, and the lockfile flags Debian's
    // 2.42 renames to *.use-lockfile, are all 2.42 lacks.
    expect(missing.sort()).toEqual(ADDED_AFTER_2_42.concat(["storage.agent.no-lockfile", "storage.tsdb.no-lockfile"]).sort());
  });
});
