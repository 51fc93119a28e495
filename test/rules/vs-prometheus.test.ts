// The same rule file evaluated by Prometheus 2.42 (scraping a loopback exporter) and by our
// rule manager (over a TSDB holding the same constant samples): alert labels, template
// expansions, states, ALERTS series and recording results must agree.
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey, labelsToRecord } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine.js";
import { RuleManager, type AlertJSON } from "../../src/rules/manager.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { startReference, stopChild, waitForChild, type Server as ChildServer } from "../helpers/process.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const prometheusBin = referenceBinary("prometheus");

/** The usage of "/" that the exporter serves; the test lowers it to resolve that alert. */
let rootUsage = 0.95;

const exposition = () => `# TYPE disk_used_ratio gauge
disk_used_ratio{mount="/"} ${rootUsage}
disk_used_ratio{mount="/data"} 0.42
disk_used_ratio{mount="/var"} 0.9125
# TYPE requests_total counter
requests_total 1234567.891
`;

const RULES = `groups:
  - name: cmp
    rules:
      - record: disk:used:max
        expr: max by (job) (disk_used_ratio)
        labels:
          agg: max
      - alert: DiskFull
        expr: disk_used_ratio > 0.9
        for: 3s
        labels:
          severity: page
          short: '{{ reReplaceAll ":.*" "" $labels.instance }}'
        annotations:
          summary: '{{ $labels.mount }} on {{ $labels.instance }} is {{ humanizePercentage $value }} full'
          numbers: '{{ humanize 1234567.891 }} {{ humanize 0.00042 }} {{ humanize1024 123456789 }} {{ humanizeDuration 93784.5 }} {{ humanizeDuration 0.25 }} {{ $value }}'
          printf: '{{ printf "%.3f|%8.1e|%g|%d|%q|%5s|%-5s|%v" $value 12345.678 0.000012 42 "x" "ab" "cd" 1e6 }}'
          control: '{{ if gt $value 0.92 }}high{{ else if gt $value 0.9 }}edge{{ else }}low{{ end }} {{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}'
          query: '{{ with query "requests_total" }}{{ . | first | value | humanize }}{{ end }} {{ $externalLabels.cluster }} {{ len $labels }} {{ title "disk full" }} {{ toUpper $labels.mount }}'
      - alert: NeverFires
        expr: disk_used_ratio > 2
`;

describe.skipIf(!prometheusBin)("rules vs Prometheus 2.42", () => {
  const tmp = tempDir("rules-vs-prom");
  let exporter: Server;
  let prometheus: ChildServer | undefined;
  let instance = "";
  let db: DB;
  let manager: RuleManager;
  const engine = new Engine();

  beforeAll(async () => {
    exporter = createServer((_req, res) => {
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(exposition());
    });
    await new Promise<void>((resolve) => exporter.listen(0, "127.0.0.1", resolve));
    const addr = exporter.address();
    instance = `127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    writeFileSync(join(tmp.dir, "rules.yml"), RULES);
    writeFileSync(
      join(tmp.dir, "prometheus.yml"),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
  external_labels:
    cluster: eu-1
rule_files: [rules.yml]
scrape_configs:
  - job_name: fake
    static_configs:
      - targets: ["${instance}"]
`,
    );
    prometheus = await startReference(prometheusBin!, (port) => [`--config.file=${join(tmp.dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(tmp.dir, "prom-data")}`, `--web.listen-address=127.0.0.1:${port}`]);

    db = await openDB(join(tmp.dir, "ours"), { noLockfile: true });
    manager = new RuleManager({ engine, queryable: db, appendable: db, notify: () => {}, externalLabels: labelsFromRecord({ cluster: "eu-1" }) });
    // A long default interval keeps the loop idle; the test drives evaluation times itself.
    await manager.update(3600_000, [join(tmp.dir, "rules.yml")]);
  });

  afterAll(async () => {
    await manager?.stop();
    await db?.close();
    await stopChild(prometheus);
    exporter?.close();
    engine.close();
    tmp.cleanup();
  });

  async function prom<T>(path: string): Promise<T> {
    const res = await fetch(`${prometheus!.base}${path}`);
    const body = (await res.json()) as { status: string; data: T };
    if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
    return body.data;
  }

  /** Alerts without activeAt, which depends on when each side started, sorted by labels. */
  function comparable(alerts: readonly AlertJSON[]): Omit<AlertJSON, "activeAt">[] {
    return alerts.map(({ activeAt: _activeAt, ...rest }) => rest).sort((a, b) => (labelsKey(labelsFromRecord(a.labels)) < labelsKey(labelsFromRecord(b.labels)) ? -1 : 1));
  }

  type VectorData = { result: { metric: Record<string, string>; value: [number, string] }[] };

  async function promVector(q: string): Promise<string[]> {
    const d = await prom<VectorData>(`/api/v1/query?query=${encodeURIComponent(q)}`);
    return d.result.map((r) => JSON.stringify({ metric: r.metric, v: r.value[1] })).sort();
  }

  async function ourVector(q: string, t: number): Promise<string[]> {
    const res = await engine.instantQuery(db, q, t);
    if (res.value.type !== "vector") throw new Error("expected a vector");
    return res.value.samples.map((s) => JSON.stringify({ metric: labelsToRecord(s.metric), v: String(s.v) })).sort();
  }

  /** Appends what the exporter serves at t, as Prometheus' scrape labels them. */
  async function appendExposition(from: number, to: number): Promise<void> {
    const app = db.appender();
    for (const line of exposition().split("\n")) {
      const m = /^(\w+)(?:\{mount="([^"]*)"\})? (\S+)$/.exec(line);
      if (!m) continue;
      const labels = labelsFromRecord({ __name__: m[1], instance, job: "fake", ...(m[2] ? { mount: m[2] } : {}) });
      for (let t = from; t <= to; t += 1000) app.append(0, labels, t, Number(m[3]));
    }
    await app.commit();
  }

  it("agrees on pending, firing and resolved alerts, templates, ALERTS series and recording results", async () => {
    // Pending: `for: 3s` leaves a few evaluations to catch Prometheus there.
    const promPending = await waitForChild(
      prometheus!,
      async () => {
        const d = await prom<{ alerts: AlertJSON[] }>("/api/v1/alerts");
        return d.alerts.length === 2 ? d.alerts : undefined;
      },
      40_000,
      "Prometheus alerts",
    );
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    await appendExposition(t0 - 10_000, t0 + 4000);
    const g = manager.ruleGroupList()[0];
    await g.restoreForState(t0);
    await g.eval(t0);
    expect(promPending.map((a) => a.state)).toEqual(["pending", "pending"]);
    expect(comparable(manager.alerts())).toEqual(comparable(promPending));

    // Firing after `for`.
    const promFiring = await waitForChild(
      prometheus!,
      async () => {
        const d = await prom<{ alerts: AlertJSON[] }>("/api/v1/alerts");
        return d.alerts.length === 2 && d.alerts.every((a) => a.state === "firing") ? d.alerts : undefined;
      },
      40_000,
      "Prometheus alerts firing",
    );
    for (let t = t0 + 1000; t <= t0 + 4000; t += 1000) await g.eval(t);
    expect(comparable(manager.alerts())).toEqual(comparable(promFiring));
    // Spot-check the expansion itself, so that agreement cannot hide a shared blank.
    expect(promFiring.find((a) => a.labels.mount === "/")?.annotations.summary).toBe(`/ on ${instance} is 95% full`);
    expect(await ourVector("ALERTS", t0 + 4000)).toEqual(await promVector("ALERTS"));
    expect(await ourVector("disk:used:max", t0 + 4000)).toEqual(await promVector("disk:used:max"));

    // Resolution: "/" drops below the threshold; its ALERTS series ends at once (stale marker).
    rootUsage = 0.5;
    await waitForChild(prometheus!, async () => ((await prom<{ alerts: AlertJSON[] }>("/api/v1/alerts")).alerts.length === 1 ? true : undefined), 20_000, "Prometheus resolution");
    await waitForChild(prometheus!, async () => ((await promVector('ALERTS{mount="/"}')).length === 0 ? true : undefined), 20_000, "Prometheus ALERTS stale");
    await appendExposition(t0 + 5000, t0 + 5000);
    await g.eval(t0 + 5000);
    expect(comparable(manager.alerts())).toEqual(comparable((await prom<{ alerts: AlertJSON[] }>("/api/v1/alerts")).alerts));
    expect(await ourVector("ALERTS", t0 + 5000)).toEqual(await promVector("ALERTS"));
    expect(await ourVector("ALERTS", t0 + 5000)).toHaveLength(1);
    expect(await ourVector("disk:used:max", t0 + 5000)).toEqual(await promVector("disk:used:max"));
  });

  it("agrees on the /api/v1/rules description of each rule", async () => {
    interface ApiRule {
      name: string;
      query: string;
      type: string;
      health: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      duration?: number;
      state?: string;
    }
    const theirs = await prom<{ groups: { name: string; interval: number; rules: ApiRule[] }[] }>("/api/v1/rules");
    const pick = (r: ApiRule) => ({ name: r.name, query: r.query, type: r.type, health: r.health, labels: r.labels, annotations: r.annotations, duration: r.duration, state: r.state });
    const ours = manager.groups();
    expect(ours.map((g) => ({ name: g.name, rules: g.rules.map((r) => pick(r as ApiRule)) }))).toEqual(theirs.groups.map((g) => ({ name: g.name, rules: g.rules.map(pick) })));
  });
});
