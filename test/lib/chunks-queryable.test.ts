// The chunk-fetching Queryable against a real promwasm server (the promwasm bin as a child):
// PromQL evaluated here over chunks fetched from /api/v1/promwasm/chunks and decoded locally
// must answer exactly as the server's own /api/v1/query_range and /api/v1/query do.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChunksQueryable } from "../../src/lib/chunks-queryable.js";
import { Engine, toPrometheusJSON } from "../../src/lib/promql.js";
import { openTSDB } from "../../src/lib/tsdb.js";
import { startPromwasm, stopChild, waitReady, type Server } from "../helpers/process.js";
import { tempDir } from "../helpers/reference.js";
import { writeConfig } from "../web/helpers.js";

const tmp = tempDir("lib-chunks");
let server: Server | undefined;
const T0 = 1_700_000_000_000 + 7_000; // off the minute grid the queries use
const GRID = 1_700_000_000_000;
const N = 480; // 4h at 30s: the server cuts chunks and, with 1h blocks, writes blocks

afterAll(async () => {
  await stopChild(server);
  tmp.cleanup();
});

const QUERIES = [
  "rate(reqs_total[5m])",
  "sum by (code) (increase(reqs_total[10m]))",
  "histogram_quantile(0.5, sum by (le) (rate(lat_bucket[5m])))",
  "max_over_time(temp[10m:1m])",
  "avg(temp offset 20m)",
];

describe("ChunksQueryable over a promwasm server", () => {
  beforeAll(async () => {
    const dir = join(tmp.dir, "data");
    {
      await using db = await openTSDB(dir, { autoCompact: false, minBlockDurationMs: 3600_000 });
      const app = db.appender();
      for (let j = 0; j < N; j++) {
        const t = T0 + j * 30_000;
        app.append({ __name__: "reqs_total", code: "200" }, t, j * 7);
        app.append({ __name__: "reqs_total", code: "500" }, t, j % 50);
        app.append({ __name__: "temp", room: "a" }, t, 20 + ((j * 13) % 9) / 3);
        ["0.1", "1", "+Inf"].forEach((le, k) => app.append({ __name__: "lat_bucket", le }, t, j * (k + 1)));
      }
      await app.commit();
      await db.compact();
      expect(db.blocks().length).toBeGreaterThan(0);
    }
    writeConfig(tmp.dir, "global: {}\n");
    server = await startPromwasm([`--config.file=${join(tmp.dir, "prometheus.yml")}`, `--storage.tsdb.path=${dir}`, "--storage.tsdb.retention.time=100y"], tmp.dir);
    await waitReady(server);
  }, 120_000);

  it("answers range and instant queries as the server does", async () => {
    const q = new ChunksQueryable({ url: server!.base });
    const engine = new Engine();
    const start = GRID + 3600_000;
    const end = GRID + 4 * 3600_000;
    for (const query of QUERIES) {
      const ours = JSON.parse(toPrometheusJSON(await engine.rangeQuery(q, query, { start, end, stepMs: 120_000 }))) as { data: { result: unknown[] } };
      const res = await fetch(`${server!.base}/api/v1/query_range?${new URLSearchParams({ query, start: String(start / 1000), end: String(end / 1000), step: "120" }).toString()}`);
      const theirs = (await res.json()) as { data: unknown };
      expect(ours.data.result.length, query).toBeGreaterThan(0);
      expect(ours.data, query).toEqual(theirs.data);
    }
    const at = GRID + 2 * 3600_000;
    const ours = JSON.parse(toPrometheusJSON(await engine.instantQuery(q, "reqs_total[2m]", at))) as { data: unknown };
    const res = await fetch(`${server!.base}/api/v1/query?${new URLSearchParams({ query: "reqs_total[2m]", time: String(at / 1000) }).toString()}`);
    expect(ours.data).toEqual(((await res.json()) as { data: unknown }).data);
    expect(await (await q.querier(T0, end)).labelValues("code", [])).toEqual(["200", "500"]);
  }, 60_000);
});
