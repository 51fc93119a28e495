// The notifier against loopback HTTP servers standing in for Alertmanagers: request shape,
// auth, path prefix and API version, batching, queue overflow, errors and discovery relabeling.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import type { Alert } from "../../src/notifier/alert.js";
import { Notifier } from "../../src/notifier/notifier.js";
import { tempDir, waitFor } from "../helpers/reference.js";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: { labels: Record<string, string>; annotations: Record<string, string>; startsAt?: string; endsAt?: string; generatorURL?: string }[];
}

async function fakeAlertmanager(status = 200): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.statusCode = status;
      res.end(status === 200 ? "" : "boom");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  return { server, port: typeof addr === "object" && addr ? addr.port : 0, received };
}

function alert(name: string, extra: Record<string, string> = {}): Alert {
  return {
    labels: labelsFromRecord({ alertname: name, ...extra }),
    annotations: labelsFromRecord({ summary: `${name} happened` }),
    startsAtMs: Date.UTC(2024, 0, 1, 12),
    endsAtMs: Date.UTC(2024, 0, 1, 12, 4),
    generatorUrl: "http://prom/graph",
  };
}

const tmp = tempDir("notifier");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(alertingYaml: string, opts: ConstructorParameters<typeof Notifier>[0] = {}): Promise<Notifier> {
  const cfg = parseConfig(`global:\n  external_labels:\n    region: west\n${alertingYaml}`, { file: join(tmp.dir, "p.yml"), baseDir: tmp.dir });
  const n = new Notifier({ discoveryUpdateIntervalMs: 20, ...opts });
  cleanups.push(() => n.stop(500));
  await n.applyConfig(cfg.alerting, cfg.global.externalLabels);
  return n;
}

describe("notifier", () => {
  it("posts v2 JSON with external labels, basic auth and the path prefix", async () => {
    const am = await fakeAlertmanager();
    cleanups.push(async () => void am.server.close());
    const n = await setup(`alerting:
  alertmanagers:
    - path_prefix: /am/
      basic_auth: { username: u, password: p }
      static_configs: [{ targets: ["127.0.0.1:${am.port}"] }]
`);
    await waitFor(() => n.alertmanagers().active.length === 1, 5000, "discovery");
    expect(n.alertmanagers().active).toEqual([`http://127.0.0.1:${am.port}/am/api/v2/alerts`]);
    n.send([alert("A", { region: "east" }), alert("B")]);
    await waitFor(() => am.received.length === 1, 5000, "post");
    const r = am.received[0];
    expect([r.method, r.url, r.headers["content-type"], r.headers.authorization]).toEqual(["POST", "/am/api/v2/alerts", "application/json", `Basic ${Buffer.from("u:p").toString("base64")}`]);
    expect(r.body).toEqual([
      // An alert's own label wins over the external label of the same name.
      { labels: { alertname: "A", region: "east" }, annotations: { summary: "A happened" }, startsAt: "2024-01-01T12:00:00.000Z", endsAt: "2024-01-01T12:04:00.000Z", generatorURL: "http://prom/graph" },
      { labels: { alertname: "B", region: "west" }, annotations: { summary: "B happened" }, startsAt: "2024-01-01T12:00:00.000Z", endsAt: "2024-01-01T12:04:00.000Z", generatorURL: "http://prom/graph" },
    ]);
  });

  it("uses the v1 path, splits batches and keeps only the newest alerts when the queue overflows", async () => {
    const am = await fakeAlertmanager();
    cleanups.push(async () => void am.server.close());
    const n = await setup(
      `alerting:
  alertmanagers:
    - api_version: v1
      static_configs: [{ targets: ["127.0.0.1:${am.port}"] }]
`,
      { queueCapacity: 5, batchSize: 2 },
    );
    await waitFor(() => n.alertmanagers().active.length === 1, 5000, "discovery");
    n.send(Array.from({ length: 8 }, (_, i) => alert(`A${i}`)));
    expect(n.dropped).toBe(3);
    await waitFor(() => am.received.reduce((s, r) => s + r.body.length, 0) === 5, 5000, "posts");
    expect(am.received.map((r) => r.url)).toEqual(["/api/v1/alerts", "/api/v1/alerts", "/api/v1/alerts"]);
    expect(am.received.map((r) => r.body.map((a) => a.labels.alertname))).toEqual([["A3", "A4"], ["A5", "A6"], ["A7"]]);
    expect(n.sent).toBe(5);
  });

  it("counts errors and drops a batch no Alertmanager accepted", async () => {
    const am = await fakeAlertmanager(500);
    cleanups.push(async () => void am.server.close());
    const n = await setup(`alerting:
  alertmanagers:
    - static_configs: [{ targets: ["127.0.0.1:${am.port}"] }]
`);
    await waitFor(() => n.alertmanagers().active.length === 1, 5000, "discovery");
    n.send([alert("A")]);
    await waitFor(() => n.dropped === 1, 5000, "dropped");
    const url = `http://127.0.0.1:${am.port}/api/v2/alerts`;
    expect(n.perAlertmanager.get(url)).toMatchObject({ sent: 1, errors: 1 });
    expect(n.errors).toBe(1);
  });

  it("applies relabel_configs to discovered Alertmanagers and alert_relabel_configs to alerts", async () => {
    const am = await fakeAlertmanager();
    cleanups.push(async () => void am.server.close());
    const n = await setup(`alerting:
  alert_relabel_configs:
    - target_label: region
      replacement: ""
  alertmanagers:
    - static_configs: [{ targets: ["127.0.0.1:${am.port}", "10.0.0.1:9093"] }]
      relabel_configs:
        - source_labels: [__address__]
          regex: "10\\\\..*"
          action: drop
`);
    await waitFor(() => n.alertmanagers().active.length === 1, 5000, "discovery");
    expect(n.alertmanagers()).toEqual({ active: [`http://127.0.0.1:${am.port}/api/v2/alerts`], dropped: ["http://10.0.0.1:9093/api/v2/alerts"] });
    n.send([alert("A")]);
    await waitFor(() => am.received.length === 1, 5000, "post");
    expect(am.received[0].body[0].labels).toEqual({ alertname: "A" });
  });

  it("follows Alertmanagers discovered through file_sd_configs", async () => {
    const am1 = await fakeAlertmanager();
    const am2 = await fakeAlertmanager();
    cleanups.push(async () => void am1.server.close(), async () => void am2.server.close());
    const sdFile = join(tmp.dir, "ams.json");
    writeFileSync(sdFile, JSON.stringify([{ targets: [`127.0.0.1:${am1.port}`] }]));
    const n = await setup(`alerting:
  alertmanagers:
    - file_sd_configs:
        - files: [${JSON.stringify(sdFile)}]
          refresh_interval: 1s
`);
    await waitFor(() => n.alertmanagers().active.length === 1, 5000, "first discovery");
    expect(n.alertmanagers().active).toEqual([`http://127.0.0.1:${am1.port}/api/v2/alerts`]);
    writeFileSync(sdFile, JSON.stringify([{ targets: [`127.0.0.1:${am2.port}`] }]));
    await waitFor(() => n.alertmanagers().active[0] === `http://127.0.0.1:${am2.port}/api/v2/alerts`, 10_000, "rediscovery");
    n.send([alert("A")]);
    await waitFor(() => am2.received.length === 1, 5000, "post to the new Alertmanager");
    expect(am1.received).toEqual([]);
  });
});
