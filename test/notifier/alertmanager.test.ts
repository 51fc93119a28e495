// End to end with a real Alertmanager 0.25: alerts from the rule manager go through the notifier
// (external labels, alert_relabel_configs, discovery of the Alertmanager from prometheus.yml)
// and show up in Alertmanager's API; when the condition stops, the alert resolves there too.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Notifier } from "../../src/notifier/notifier.js";
import { Engine } from "../../src/promql/engine.js";
import { RuleManager } from "../../src/rules/manager.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { startReference, stopChild, waitForChild, type Server } from "../helpers/process.js";
import { referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

const alertmanagerBin = referenceBinary("prometheus-alertmanager");

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string };
}

describe.skipIf(!alertmanagerBin)("notifier with a real Alertmanager", () => {
  const tmp = tempDir("notifier-am");
  let am: Server | undefined;
  let amUrl = "";
  let db: DB;
  let notifier: Notifier;
  let manager: RuleManager;

  beforeAll(async () => {
    writeFileSync(join(tmp.dir, "am.yml"), "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
    am = await startReference(alertmanagerBin!, (port) => [
      `--config.file=${join(tmp.dir, "am.yml")}`,
      `--storage.path=${join(tmp.dir, "am-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ]);
    amUrl = am.base;

    const cfg = parseConfig(
      `global:
  evaluation_interval: 1m
  external_labels:
    cluster: eu-1
alerting:
  alert_relabel_configs:
    - target_label: relabeled
      replacement: "yes"
    - source_labels: [severity]
      regex: ignore
      action: drop
  alertmanagers:
    - static_configs:
        - targets: ["${new URL(amUrl).host}"]
      timeout: 5s
`,
      { file: join(tmp.dir, "prometheus.yml"), baseDir: tmp.dir },
    );
    notifier = new Notifier({ discoveryUpdateIntervalMs: 50 });
    await notifier.applyConfig(cfg.alerting, cfg.global.externalLabels);

    db = await openDB(join(tmp.dir, "data"), { noLockfile: true });
    writeFileSync(
      join(tmp.dir, "rules.yml"),
      `groups:
  - name: e2e
    interval: 1h
    rules:
      - alert: DiskFull
        expr: disk_used_ratio > 0.9
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} disk is {{ humanizePercentage $value }} full"
      - alert: Ignored
        expr: disk_used_ratio > 0.9
        labels:
          severity: ignore
`,
    );
    manager = new RuleManager({
      engine: new Engine(),
      queryable: db,
      appendable: db,
      notify: (alerts) => notifier.send(alerts),
      externalLabels: cfg.global.externalLabels,
      externalUrl: "http://promwasm.example:9090",
    });
    await manager.update(cfg.global.evaluationIntervalMs, [join(tmp.dir, "rules.yml")]);
  });

  afterAll(async () => {
    await manager?.stop();
    await notifier?.stop(1000);
    await db?.close();
    await stopChild(am);
    tmp.cleanup();
  });

  async function amAlerts(): Promise<AmAlert[]> {
    const res = await fetch(`${amUrl}/api/v2/alerts`);
    return (await res.json()) as AmAlert[];
  }

  async function setDisk(t: number, v: number): Promise<void> {
    const app = db.appender();
    app.append(0, labelsFromRecord({ __name__: "disk_used_ratio", instance: "db-1:9100", job: "node" }), t, v);
    await app.commit();
  }

  it("discovers the Alertmanager from static_configs", async () => {
    const ams = await waitFor(() => (notifier.alertmanagers().active.length > 0 ? notifier.alertmanagers() : undefined), 10_000, "alertmanager discovered");
    expect(ams).toEqual({ active: [`${amUrl}/api/v2/alerts`], dropped: [] });
  });

  it("delivers a firing alert and then its resolution", async () => {
    const g = manager.ruleGroupList()[0];
    await g.restoreForState(Date.now());
    const t1 = Date.now();
    await setDisk(t1, 0.95);
    await g.eval(t1);

    const [alert] = await waitForChild(am!, async () => {
      const list = await amAlerts();
      return list.length > 0 ? list : undefined;
    }, 15_000, "alert in alertmanager");
    expect(alert.labels).toEqual({ alertname: "DiskFull", cluster: "eu-1", instance: "db-1:9100", job: "node", relabeled: "yes", severity: "page" });
    expect(alert.annotations).toEqual({ summary: "db-1:9100 disk is 95% full" });
    expect(alert.status.state).toBe("active");
    expect(Date.parse(alert.startsAt)).toBe(t1);
    expect(alert.generatorURL).toBe("http://promwasm.example:9090/graph?g0.expr=disk_used_ratio+%3E+0.9&g0.tab=1");
    // The Ignored alert was dropped by alert_relabel_configs and never reached Alertmanager.
    expect((await amAlerts()).length).toBe(1);

    const t2 = Date.now();
    await setDisk(t2, 0.5);
    await g.eval(t2);
    await waitForChild(am!, async () => ((await amAlerts()).length === 0 ? true : undefined), 15_000, "alert resolved in alertmanager");
    const counters = notifier.perAlertmanager.get(`${amUrl}/api/v2/alerts`);
    expect(counters?.errors).toBe(0);
    expect(counters?.sent).toBe(2);
    expect(notifier.dropped).toBe(0);
  });
});
