// remote_write and remote_read between promwasm and a real Prometheus 2.42 on loopback:
// Prometheus reads promwasm's data through /api/v1/read, and promwasm's remote_write queue
// delivers its self-scrapes to Prometheus' receiver.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { startReference, stopChild, type Server } from "../helpers/process.js";
import { freePort, referenceBinary, tempDir, waitFor } from "../helpers/reference.js";
import { getJSON, NOW_MS, seedTSDB, startTestServer } from "./helpers.js";

const prometheus = referenceBinary("prometheus");
const tmp = tempDir("web-remote");
const servers: RunningServer[] = [];
let prom: Server | undefined;
let promBase = "";
let source = "";

beforeAll(async () => {
  if (!prometheus) return;
  await seedTSDB(join(tmp.dir, "source"));
  writeFileSync(join(tmp.dir, "source.yml"), "scrape_configs: []\n");
  const a = await startTestServer([`--config.file=${join(tmp.dir, "source.yml")}`, `--storage.tsdb.path=${join(tmp.dir, "source")}`]);
  servers.push(a.server);
  source = a.base;
  writeFileSync(join(tmp.dir, "prom.yml"), `remote_read:\n  - url: ${source}/api/v1/read\n    read_recent: true\n`);
  prom = await startReference(prometheus, (port) => [`--config.file=${join(tmp.dir, "prom.yml")}`, `--storage.tsdb.path=${join(tmp.dir, "prom")}`, `--web.listen-address=127.0.0.1:${port}`, "--web.enable-remote-write-receiver"]);
  promBase = prom.base;
}, 60_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  await stopChild(prom);
  tmp.cleanup();
});

describe.runIf(prometheus !== undefined)("remote storage with Prometheus 2.42", () => {
  it("lets Prometheus remote_read promwasm's samples", async () => {
    const { body } = await getJSON(`${promBase}/api/v1/query?query=${encodeURIComponent('up{job="node"}')}&time=${NOW_MS / 1000}`);
    expect(body.data).toEqual({ resultType: "vector", result: [{ metric: { __name__: "up", instance: "localhost:9100", job: "node" }, value: [NOW_MS / 1000, "0"] }] });
  });

  it("delivers promwasm's scrapes to Prometheus through remote_write", async () => {
    const port = await freePort();
    const cfg = join(tmp.dir, "writer.yml");
    writeFileSync(
      cfg,
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "  external_labels:",
        "    origin: promwasm",
        "scrape_configs:",
        "  - job_name: writer",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${port}"]`,
        "remote_write:",
        `  - url: ${promBase}/api/v1/write`,
        "    queue_config:",
        "      batch_send_deadline: 1s",
        "",
      ].join("\n"),
    );
    const b = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${join(tmp.dir, "writer")}`, `--web.listen-address=127.0.0.1:${port}`]);
    servers.push(b.server);
    const result = await waitFor(async () => {
      const r = (await getJSON(`${promBase}/api/v1/query?query=${encodeURIComponent('up{job="writer"}')}`)).body.data as { result: { metric: Record<string, string>; value: [number, string] }[] };
      return r.result.length > 0 ? r.result : undefined;
    }, 30_000, "remote-written up series");
    expect(result[0].metric).toEqual({ __name__: "up", instance: `127.0.0.1:${port}`, job: "writer", origin: "promwasm" });
    expect(result[0].value[1]).toBe("1");
    const metrics = await (await fetch(`${b.base}/metrics`)).text();
    expect(metrics).toMatch(/^prometheus_remote_storage_samples_total\{remote_name="[0-9a-f]{6}",url="http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write"\} [1-9]/m);
  }, 60_000);
});
