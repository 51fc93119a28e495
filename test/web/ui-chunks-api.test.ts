// /api/v1/promwasm/chunks against a real server whose TSDB holds a block and head data,
// and the UI's static routes (content types, caching, 404s, the / redirect).
import { get as httpGet } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { decodeXor } from "../../src/wasm/index.js";
import { tempDir } from "../helpers/reference.js";
import { getJSON, startTestServer, writeConfig } from "./helpers.js";
import { BLOCK_SAMPLES, BLOCK_START_MS, END_MS, HEAD_SAMPLES, HEAD_START_MS, seedChunkData, STEP_MS, valueA } from "./ui-helpers.js";

interface ChunkJSON {
  mint: number;
  maxt: number;
  source: string;
  encoding: string;
  samples: number;
  data: string;
}
interface SeriesJSON {
  metric: Record<string, string>;
  chunks: ChunkJSON[];
}

const tmp = tempDir("web-ui-chunks");
let server: RunningServer;
let base: string;
let ulid: string;
const sec = (ms: number): string => String(ms / 1000);

beforeAll(async () => {
  const data = `${tmp.dir}/data`;
  ulid = await seedChunkData(data);
  const cfg = writeConfig(tmp.dir, "scrape_configs: []\n");
  ({ server, base } = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${data}`]));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

async function chunks(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return getJSON(`${base}/api/v1/promwasm/chunks?${query}`);
}

function decodeAll(s: SeriesJSON): { ts: number[]; vs: number[] } {
  const ts: number[] = [];
  const vs: number[] = [];
  for (const c of s.chunks) {
    const d = decodeXor(new Uint8Array(Buffer.from(c.data, "base64")));
    expect(d.ts.length).toBe(c.samples);
    expect([d.ts[0], d.ts[d.ts.length - 1]]).toEqual([c.mint, c.maxt]);
    ts.push(...d.ts);
    vs.push(...d.vs);
  }
  return { ts, vs };
}

describe("raw chunk API", () => {
  it("returns every series' chunks from the block and the head, decoding to the stored samples", async () => {
    const { status, body } = await chunks(`match[]=raw_metric&start=${sec(END_MS - 5 * 3600_000)}&end=${sec(END_MS)}`);
    expect(status).toBe(200);
    expect(body.status).toBe("success");
    const series = body.data as SeriesJSON[];
    expect(series.map((s) => s.metric)).toEqual([
      { __name__: "raw_metric", job: "a" },
      { __name__: "raw_metric", job: "b" },
    ]);
    const a = series[0];
    for (const c of a.chunks) expect(c.encoding).toBe("XOR");
    // 241 block samples in chunks of 120; 300 head samples cut at 120 (plus the open chunk).
    expect(a.chunks.filter((c) => c.source === `block ${ulid}`).map((c) => c.samples)).toEqual([120, 120, 1]);
    const head = a.chunks.filter((c) => c.source === "head");
    expect(head.reduce((n, c) => n + c.samples, 0)).toBe(HEAD_SAMPLES);
    expect(head.length).toBeGreaterThanOrEqual(3);

    const got = decodeAll(a);
    const want: number[] = [];
    for (let i = 0; i < BLOCK_SAMPLES; i++) want.push(BLOCK_START_MS + i * STEP_MS);
    for (let i = 0; i < HEAD_SAMPLES; i++) want.push(HEAD_START_MS + i * STEP_MS);
    expect(got.ts).toEqual(want);
    expect(got.vs).toEqual(want.map(valueA));

    // The same samples as the query API serves.
    const q = await getJSON(`${base}/api/v1/query?query=${encodeURIComponent('raw_metric{job="a"}[5h]')}&time=${sec(END_MS)}`);
    const values = ((q.body.data as { result: { values: [number, string][] }[] }).result[0]).values;
    expect(values.map(([t]) => Math.round(t * 1000))).toEqual(got.ts);
    expect(values.map(([, v]) => Number(v))).toEqual(got.vs);
  });

  it("returns only chunks overlapping start..end, whole", async () => {
    const start = END_MS - 3600_000;
    const end = END_MS - 1800_000;
    const { body } = await chunks(`match[]=${encodeURIComponent('raw_metric{job="a"}')}&start=${sec(start)}&end=${sec(end)}`);
    const [a] = body.data as SeriesJSON[];
    expect(a.chunks.length).toBeGreaterThan(0);
    for (const c of a.chunks) {
      expect(c.source).toBe("head");
      expect(c.maxt).toBeGreaterThanOrEqual(start);
      expect(c.mint).toBeLessThanOrEqual(end);
    }
    const { ts } = decodeAll(a);
    const inRange = ts.filter((t) => t >= start && t <= end);
    expect(inRange.length).toBe((end - start) / STEP_MS + 1);
  });

  it("unions several match[] and applies limit with a warning", async () => {
    const { body } = await chunks(`match[]=${encodeURIComponent('raw_metric{job="b"}')}&match[]=${encodeURIComponent('{job="b"}')}&match[]=${encodeURIComponent('raw_metric{job="a"}')}&limit=1`);
    expect((body.data as SeriesJSON[]).length).toBe(1);
    expect(body.warnings).toEqual(["results truncated due to limit"]);
    const all = await chunks(`match[]=${encodeURIComponent('raw_metric{job="b"}')}&match[]=${encodeURIComponent('{job="b"}')}`);
    expect((all.body.data as SeriesJSON[]).map((s) => s.metric.job)).toEqual(["b"]);
  });

  it("answers an empty list for no match", async () => {
    const { status, body } = await chunks(`match[]=nothing_here`);
    expect(status).toBe(200);
    expect(body).toEqual({ status: "success", data: [] });
  });

  it.each([
    ["", /no match\[\] parameter provided/],
    ["match[]=%7B", /invalid parameter "match\[\]"/],
    [`match[]=${encodeURIComponent('{job=~".*"}')}`, /at least one non-empty matcher/],
    ["match[]=raw_metric&start=yesterday", /invalid parameter "start"/],
    ["match[]=raw_metric&start=100&end=10", /end timestamp must not be before start time/],
    ["match[]=raw_metric&limit=-1", /invalid parameter "limit"/],
  ])("rejects bad input %s with 400 bad_data", async (query, message) => {
    const { status, body } = await chunks(query);
    expect(status).toBe(400);
    expect(body.status).toBe("error");
    expect(body.errorType).toBe("bad_data");
    expect(String(body.error)).toMatch(message);
  });
});

describe("UI routes", () => {
  it("redirects / to /graph and serves the page shell on each page path", async () => {
    const res = await fetch(`${base}/`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/graph");
    for (const page of ["graph", "targets", "service-discovery", "alerts", "rules", "status", "flags", "config", "tsdb-status"]) {
      const r = await fetch(`${base}/${page}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await r.text()).toContain('<script type="module" src="ui/app.js">');
    }
  });

  it("serves scripts, styles and the codec with their content types, ETags and no-cache", async () => {
    const cases: [string, string][] = [
      ["ui/app.js", "text/javascript; charset=utf-8"],
      ["ui/style.css", "text/css; charset=utf-8"],
      ["ui/codec/codec.js", "text/javascript; charset=utf-8"],
      ["ui/codec/lib/wasm/api.js", "text/javascript; charset=utf-8"],
      ["ui/codec/promwasm.wasm", "application/wasm"],
    ];
    for (const [path, type] of cases) {
      const r = await fetch(`${base}/${path}`);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("content-type"), path).toBe(type);
      expect(r.headers.get("cache-control"), path).toBe("no-cache");
      const etag = r.headers.get("etag");
      expect(etag, path).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const body = new Uint8Array(await r.arrayBuffer());
      if (path.endsWith(".wasm")) expect(Array.from(body.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
      const again = await fetch(`${base}/${path}`, { headers: { "If-None-Match": etag! } });
      expect(again.status, path).toBe(304);
    }
  });

  it("sends text assets gzipped to clients that accept it, each encoding with its own ETag, and wasm as it is", async () => {
    const get = (path: string, encoding: string) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        httpGet(`${base}/${path}`, { headers: { "Accept-Encoding": encoding } }, (res) => {
          const parts: Buffer[] = [];
          res.on("data", (c: Buffer) => parts.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        }).on("error", reject);
      });
    const plain = await get("ui/app.js", "identity");
    const zipped = await get("ui/app.js", "gzip, deflate");
    expect([plain.status, zipped.status]).toEqual([200, 200]);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toContain("Accept-Encoding");
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    const wasm = await get("ui/codec/promwasm.wasm", "gzip");
    expect(wasm.headers["content-encoding"]).toBeUndefined();
    expect(Array.from(wasm.body.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
  });

  it("answers 404 for unknown files and paths that try to leave the asset folders", async () => {
    for (const path of ["ui/nope.js", "ui/%2E%2E%2Fpackage.json", "ui/..%2F..%2Fpackage.json", "ui/codec/lib/..%2F..%2F/package.json", "ui/.hidden", "nope"]) {
      const r = await fetch(`${base}/${path}`);
      expect(r.status, path).toBe(404);
    }
  });
});
