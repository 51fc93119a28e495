// Interop: Prometheus 2.42 opens a data directory we wrote (blocks, WAL, chunks_head)
// as its own storage and serves exactly our samples.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { openDB } from "../../src/tsdb/db.js";
import { freePort, referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

const prometheus = referenceBinary("prometheus");
const tmp = tempDir("db-prom-open");
let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
  tmp.cleanup();
});

const N_SERIES = 4;
const N_SAMPLES = 1200; // 15s apart: 5h with 1h blocks, so blocks and a head with cut chunks

describe.runIf(prometheus)("Prometheus 2.42 on our data directory", () => {
  it("serves every sample we wrote, from blocks, WAL and head chunks, without complaint", async () => {
    const dataDir = join(tmp.dir, "data");
    const db = await openDB(dataDir, { minBlockDurationMs: 3600_000 });
    const refs = new Array<number>(N_SERIES).fill(0);
    for (let j = 0; j < N_SAMPLES; j++) {
      const app = db.appender();
      for (let i = 0; i < N_SERIES; i++) refs[i] = app.append(refs[i], labelsFromRecord({ __name__: "ours", s: String(i) }), j * 15_000, i * 10_000 + j);
      await app.commit();
    }
    await db.compact();
    expect(db.blocks().length).toBeGreaterThan(0);
    expect(db.head.chunks.count()).toBeGreaterThan(0); // cut chunks in chunks_head/
    await db.close();

    const port = await freePort();
    const config = join(tmp.dir, "prometheus.yml");
    writeFileSync(config, "scrape_configs: []\n");
    let stderr = "";
    child = spawn(prometheus!, [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--storage.tsdb.min-block-duration=1h`, `--storage.tsdb.max-block-duration=1h`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const end = (N_SAMPLES - 1) * 15; // seconds
    const result = await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent("ours[1d]")}&time=${end}`);
        if (!r.ok) return undefined;
        const body = (await r.json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
        return body.data.result.length === N_SERIES ? body.data.result : undefined;
      },
      60_000,
      "prometheus to serve our series",
    );
    for (const series of result) {
      const i = Number(series.metric.s);
      expect(series.values.length).toBe(N_SAMPLES);
      series.values.forEach(([t, v], j) => {
        expect(t).toBe(j * 15);
        expect(Number(v)).toBe(i * 10_000 + j);
      });
    }
    expect(stderr).not.toMatch(/corrupt|Deleting mmapped chunk files|error loading/i);
    process.kill(child.pid!, "SIGTERM");
    await new Promise((r) => child!.once("exit", r));
  });
});
