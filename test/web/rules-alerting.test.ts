// Rules and alerting wired into the server: rule_files evaluated every evaluation_interval,
// /api/v1/rules, /api/v1/alerts and /api/v1/alertmanagers, and alerts POSTed to an Alertmanager.
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { tempDir, waitFor } from "../helpers/reference.js";
import { getJSON, startTestServer, writeConfig } from "./helpers.js";

const tmp = tempDir("web-rules");
let server: RunningServer;
let base: string;
let am: Server;
let amPort = 0;
const posted: unknown[] = [];

beforeAll(async () => {
  am = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.url === "/api/v2/alerts") posted.push(...(JSON.parse(body) as unknown[]));
      res.end();
    });
  });
  await new Promise<void>((r) => am.listen(0, "127.0.0.1", () => r()));
  amPort = (am.address() as { port: number }).port;
  writeFileSync(
    join(tmp.dir, "rules.yml"),
    [
      "groups:",
      "  - name: example",
      "    interval: 1s",
      "    rules:",
      "      - record: job:answer:value",
      "        expr: vector(42)",
      "      - alert: AlwaysFiring",
      "        expr: vector(1) > 0",
      "        labels:",
      "          severity: page",
      "        annotations:",
      "          summary: it fires",
      "",
    ].join("\n"),
  );
  const cfg = writeConfig(
    tmp.dir,
    [
      "global:",
      "  evaluation_interval: 1s",
      "  external_labels:",
      "    cluster: test",
      "rule_files: [rules.yml]",
      "alerting:",
      "  alertmanagers:",
      "    - static_configs:",
      `        - targets: ["127.0.0.1:${amPort}"]`,
      "",
    ].join("\n"),
  );
  ({ server, base } = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${tmp.dir}/data`]));
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => am?.close(r));
  tmp.cleanup();
});

describe("rules and alerting", () => {
  it("evaluates rules and reports them in the API", async () => {
    const groups = await waitFor(async () => {
      const g = ((await getJSON(`${base}/api/v1/rules`)).body.data as { groups: { rules: { health: string }[] }[] }).groups;
      return g.length === 1 && g[0].rules.every((r) => r.health === "ok") ? g : undefined;
    }, 10_000, "rules evaluated");
    const [group] = groups as unknown as { name: string; file: string; interval: number; rules: Record<string, unknown>[] }[];
    expect(group.name).toBe("example");
    expect(group.file).toBe(join(tmp.dir, "rules.yml"));
    expect(group.interval).toBe(1);
    expect(group.rules.map((r) => [r.type, r.name])).toEqual([["recording", "job:answer:value"], ["alerting", "AlwaysFiring"]]);
    const recorded = await waitFor(async () => {
      const r = (await getJSON(`${base}/api/v1/query?query=job:answer:value`)).body.data as { result: { value: [number, string] }[] };
      return r.result.length === 1 ? r.result[0].value[1] : undefined;
    }, 10_000, "recorded series");
    expect(recorded).toBe("42");
  });

  it("filters /api/v1/rules by type as Prometheus 2.42 does, keeping emptied groups", async () => {
    const names = async (type: string) =>
      ((await getJSON(`${base}/api/v1/rules?type=${type}`)).body.data as { groups: { name: string; rules: { name: string }[] }[] }).groups.map((g) => [
        g.name,
        g.rules.map((r) => r.name),
      ]);
    expect(await names("alert")).toEqual([["example", ["AlwaysFiring"]]]);
    expect(await names("record")).toEqual([["example", ["job:answer:value"]]]);
    const bad = await getJSON(`${base}/api/v1/rules?type=bogus`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: "error", errorType: "bad_data", error: 'invalid parameter "type": not supported value "bogus"' });
  });

  it("fires the alert and sends it to the Alertmanager with external labels", async () => {
    const alerts = await waitFor(async () => {
      const a = ((await getJSON(`${base}/api/v1/alerts`)).body.data as { alerts: { state: string; labels: Record<string, string> }[] }).alerts;
      return a.length === 1 && a[0].state === "firing" ? a : undefined;
    }, 10_000, "alert firing");
    expect(alerts[0].labels).toEqual({ alertname: "AlwaysFiring", severity: "page" });
    const ams = (await getJSON(`${base}/api/v1/alertmanagers`)).body.data;
    expect(ams).toEqual({ activeAlertmanagers: [{ url: `http://127.0.0.1:${amPort}/api/v2/alerts` }], droppedAlertmanagers: [] });
    const sent = (await waitFor(() => (posted.length > 0 ? posted : undefined), 15_000, "alert posted")) as { labels: Record<string, string>; annotations: Record<string, string> }[];
    expect(sent[0].labels).toEqual({ alertname: "AlwaysFiring", severity: "page", cluster: "test" });
    expect(sent[0].annotations).toEqual({ summary: "it fires" });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^prometheus_notifications_sent_total\\{alertmanager="http://127.0.0.1:${amPort}/api/v2/alerts"\\} [1-9]`, "m"));
    expect(metrics).toContain(`prometheus_rule_group_rules{rule_group="${join(tmp.dir, "rules.yml")};example"} 2`);
  });
});
