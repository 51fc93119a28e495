// Interop: a WAL written by the real Prometheus 2.42 replays into our head.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Logger } from "../../src/log/logger.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB } from "../../src/tsdb/db.js";
import { freePort, referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

const prometheus = referenceBinary("prometheus");
const tmp = tempDir("wal-prom");
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
  tmp.cleanup();
});

interface PromSample {
  t: number;
  v: number;
}

describe.runIf(prometheus)("WAL written by Prometheus 2.42", () => {
  it("replays after kill -9: every sample Prometheus served is there", async () => {
    const port = await freePort();
    const dataDir = join(tmp.dir, "data");
    const config = join(tmp.dir, "prometheus.yml");
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prom\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`,
    );
    child = spawn(prometheus!, [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: "ignore",
    });
    const api = `http://127.0.0.1:${port}/api/v1/query`;
    // Wait for at least 5 scrapes, then ask Prometheus what it holds.
    const served = await waitFor(
      async () => {
        const r = await fetch(`${api}?query=${encodeURIComponent('scrape_samples_scraped{job="prom"}[1h]')}`);
        const body = (await r.json()) as { data: { result: { values: [number, string][] }[] } };
        const values = body.data.result[0]?.values ?? [];
        return values.length >= 5 ? values.map(([t, v]): PromSample => ({ t: Math.round(t * 1000), v: Number(v) })) : undefined;
      },
      60_000,
      "5 scrapes by prometheus",
    );
    process.kill(child.pid!, "SIGKILL");
    await new Promise((r) => child!.once("exit", r));

    const lines: string[] = [];
    const db = await openDB(dataDir, { logger: new Logger({ write: (l) => lines.push(l) }) });
    try {
      const q = await db.querier(-Infinity, Infinity);
      const got = await q.select(true, undefined, [new Matcher("=", "__name__", "scrape_samples_scraped"), new Matcher("=", "job", "prom")]);
      expect(got.length).toBe(1);
      expect(got[0].labels).toEqual([
        { name: "__name__", value: "scrape_samples_scraped" },
        { name: "instance", value: `127.0.0.1:${port}` },
        { name: "job", value: "prom" },
      ]);
      const b = got[0].samples();
      const ours = new Map<number, number>();
      for (let i = 0; i < b.ts.length; i++) ours.set(b.ts[i], b.vs[i]);
      for (const s of served) expect(ours.get(s.t)).toBe(s.v);
      // Many series came from Prometheus' self-scrape, all with the job label.
      expect((await q.labelValues("job", [])).includes("prom")).toBe(true);
      expect(db.head.numSeries).toBeGreaterThan(100);
      q.close();
      expect(lines.join("")).toMatch(/WAL replay completed/);
    } finally {
      await db.close();
    }
  });
});
