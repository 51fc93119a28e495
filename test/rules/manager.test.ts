// The rule manager over a real promwasm TSDB: recording results, alert states over time,
// ALERTS/ALERTS_FOR_STATE series, stale markers, notifications, for-state restore and reloads.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord, type Labels } from "../../src/model/labels.js";
import type { Alert } from "../../src/notifier/alert.js";
import { Engine } from "../../src/promql/engine.js";
import { RuleFileError } from "../../src/rules/errors.js";
import { RuleManager } from "../../src/rules/manager.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir, waitFor } from "../helpers/reference.js";

const T0 = 1_700_000_000_000;
const MIN = 60_000;

const RULES = `
groups:
  - name: test
    interval: 1h
    rules:
      - record: job:errors:sum
        expr: sum by (job) (http_errors)
        labels:
          source: rules
      - record: errors:high
        expr: http_errors > 10
      - alert: HighErrors
        expr: http_errors > 10
        for: 2m
        labels:
          severity: page
          host: '{{ reReplaceAll ":.*" "" $labels.instance }}'
        annotations:
          summary: '{{ $labels.instance }} has {{ humanize $value }} errors in {{ $externalLabels.cluster }}'
          value: '{{ $value }}'
      - alert: KeepFiring
        expr: http_errors > 10
        keep_firing_for: 2m
`;

async function writeSeries(db: DB, labels: Labels, points: [number, number][]): Promise<void> {
  const app = db.appender();
  for (const [t, v] of points) app.append(0, labels, t, v);
  await app.commit();
}

async function instant(engine: Engine, db: DB, q: string, t: number): Promise<{ labels: Record<string, string>; v: number }[]> {
  const res = await engine.instantQuery(db, q, t);
  if (res.value.type !== "vector") throw new Error(`unexpected ${res.value.type}`);
  return res.value.samples.map((s) => ({ labels: labelsToRecord(s.metric), v: s.v }));
}

interface RulesFixture {
  readonly file: string;
  readonly db: DB;
  readonly engine: Engine;
  readonly manager: RuleManager;
}

/** A rule file, a fresh TSDB and a manager over them in a temp dir; closes the DB afterwards. */
async function withRules(tmpDir: string, rulesYaml: string, fn: (f: RulesFixture) => Promise<void>): Promise<void> {
  const file = join(tmpDir, "rules.yml");
  writeFileSync(file, rulesYaml);
  const db = await openDB(join(tmpDir, "data"), { noLockfile: true });
  const engine = new Engine();
  const manager = new RuleManager({ engine, queryable: db, appendable: db, notify: () => {} });
  try {
    await fn({ file, db, engine, manager });
  } finally {
    await db.close();
  }
}

const errorsA = labelsFromRecord({ __name__: "http_errors", instance: "a:80", job: "api" });

describe("rule manager over the TSDB", () => {
  const tmp = tempDir("rules-manager");
  let db: DB;
  const engine = new Engine();
  const notified: Alert[][] = [];
  let manager: RuleManager;
  const ruleFile = join(tmp.dir, "rules.yml");

  beforeAll(async () => {
    db = await openDB(join(tmp.dir, "data"), { noLockfile: true });
    await writeSeries(db, errorsA, [
      [T0, 5],
      [T0 + 1 * MIN, 20],
      [T0 + 2 * MIN, 20],
      [T0 + 3 * MIN, 20],
      [T0 + 4 * MIN, 20],
      [T0 + 5 * MIN, 5],
      [T0 + 6 * MIN, 5],
      [T0 + 7 * MIN, 5],
    ]);
    writeFileSync(ruleFile, RULES);
    manager = new RuleManager({
      engine,
      queryable: db,
      appendable: db,
      notify: (alerts) => notified.push(alerts),
      externalLabels: labelsFromRecord({ cluster: "eu-1" }),
      externalUrl: "http://prom.example:9090",
    });
    await manager.update(MIN, [join(tmp.dir, "*.yml")]);
  });

  afterAll(async () => {
    await manager.stop();
    await db.close();
    tmp.cleanup();
  });

  it("loads the group from a glob", () => {
    const groups = manager.groups();
    expect(groups.map((g) => [g.name, g.file, g.interval, g.rules.length])).toEqual([["test", ruleFile, 3600, 4]]);
    expect(groups[0].rules.map((r) => [r.type, r.name, r.health])).toEqual([
      ["recording", "job:errors:sum", "unknown"],
      ["recording", "errors:high", "unknown"],
      ["alerting", "HighErrors", "unknown"],
      ["alerting", "KeepFiring", "unknown"],
    ]);
  });

  it("walks an alert from pending to firing to resolved, writing ALERTS and notifying", async () => {
    const g = manager.ruleGroupList()[0];
    // First load: alerts are restored (nothing to restore here) before ALERTS is written.
    await g.restoreForState(T0);
    const state = () => manager.groups()[0].rules.find((r) => r.name === "HighErrors")!;

    await g.eval(T0);
    expect(state().state).toBe("inactive");
    expect(await instant(engine, db, "job:errors:sum", T0)).toEqual([{ labels: { __name__: "job:errors:sum", job: "api", source: "rules" }, v: 5 }]);

    await g.eval(T0 + MIN);
    expect(state().state).toBe("pending");
    expect(manager.alerts()).toEqual([
      {
        labels: { alertname: "HighErrors", host: "a", instance: "a:80", job: "api", severity: "page" },
        annotations: { summary: "a:80 has 20 errors in eu-1", value: "20" },
        state: "pending",
        activeAt: new Date(T0 + MIN).toISOString().replace(".000Z", "Z"),
        value: "2e+01",
      },
      {
        labels: { alertname: "KeepFiring", instance: "a:80", job: "api" },
        annotations: {},
        state: "firing",
        activeAt: new Date(T0 + MIN).toISOString().replace(".000Z", "Z"),
        value: "2e+01",
      },
    ]);
    expect(await instant(engine, db, 'ALERTS{alertname="HighErrors"}', T0 + MIN)).toEqual([
      { labels: { __name__: "ALERTS", alertname: "HighErrors", alertstate: "pending", host: "a", instance: "a:80", job: "api", severity: "page" }, v: 1 },
    ]);
    expect(await instant(engine, db, 'ALERTS_FOR_STATE{alertname="HighErrors"}', T0 + MIN)).toEqual([
      { labels: { __name__: "ALERTS_FOR_STATE", alertname: "HighErrors", host: "a", instance: "a:80", job: "api", severity: "page" }, v: (T0 + MIN) / 1000 },
    ]);
    // KeepFiring has no `for`: it fires and is sent at once; pending alerts are never sent.
    expect(notified.flat().map((a) => labelsToRecord(a.labels).alertname)).toEqual(["KeepFiring"]);
    notified.length = 0;

    await g.eval(T0 + 2 * MIN);
    expect(state().state).toBe("pending");
    expect(notified).toEqual([]);

    await g.eval(T0 + 3 * MIN);
    expect(state().state).toBe("firing");
    // HighErrors fires; KeepFiring, last sent 2m ago, is past the 1m resend delay and is sent again.
    expect(notified.flat().map((a) => [labelsToRecord(a.labels).alertname, a.startsAtMs, a.endsAtMs])).toEqual([
      ["HighErrors", T0 + 3 * MIN, T0 + 3 * MIN + 4 * 3600_000],
      ["KeepFiring", T0 + MIN, T0 + 3 * MIN + 4 * 3600_000],
    ]);
    expect(notified[0][0].generatorUrl).toBe("http://prom.example:9090/graph?g0.expr=http_errors+%3E+10&g0.tab=1");
    expect(notified[0][0].annotations).toEqual(labelsFromRecord({ summary: "a:80 has 20 errors in eu-1", value: "20" }));
    expect(await instant(engine, db, 'ALERTS{alertname="HighErrors"}', T0 + 3 * MIN)).toEqual([
      { labels: { __name__: "ALERTS", alertname: "HighErrors", alertstate: "firing", host: "a", instance: "a:80", job: "api", severity: "page" }, v: 1 },
    ]);
    notified.length = 0;

    // Within the 1m resend delay nothing is re-sent.
    await g.eval(T0 + 4 * MIN);
    expect(notified).toEqual([]);

    await g.eval(T0 + 5 * MIN);
    expect(state().state).toBe("inactive");
    expect(manager.alerts().map((a) => [a.labels.alertname, a.state])).toEqual([["KeepFiring", "firing"]]);
    // Resolved alerts are sent with endsAt at the resolution time.
    expect(notified.flat().map((a) => [labelsToRecord(a.labels).alertname, a.endsAtMs])).toEqual([
      ["HighErrors", T0 + 5 * MIN],
      ["KeepFiring", T0 + 5 * MIN + 4 * 3600_000],
    ]);
    // Stale markers end the series at once instead of after the 5m lookback.
    expect(await instant(engine, db, 'ALERTS{alertname="HighErrors"}', T0 + 5 * MIN)).toEqual([]);
    expect(await instant(engine, db, "errors:high", T0 + 5 * MIN)).toEqual([]);
    expect(await instant(engine, db, "errors:high", T0 + 5 * MIN - 1)).toEqual([{ labels: { __name__: "errors:high", instance: "a:80", job: "api" }, v: 20 }]);

    // keep_firing_for 2m: still firing 1m after the condition stopped, resolved after 2m.
    await g.eval(T0 + 6 * MIN);
    expect(manager.alerts().map((a) => [a.labels.alertname, a.state])).toEqual([["KeepFiring", "firing"]]);
    await g.eval(T0 + 7 * MIN);
    expect(manager.alerts()).toEqual([]);
    const keep = manager.groups()[0].rules.find((r) => r.name === "KeepFiring")!;
    expect([keep.state, keep.health, keep.keepFiringFor]).toEqual(["inactive", "ok", 120]);
  });

  it("keeps the running groups when a reload fails validation", async () => {
    const bad = join(tmp.dir, "zz-bad.yml");
    writeFileSync(bad, "groups:\n  - name: x\n    rules:\n      - record: a b\n        expr: up\n");
    await expect(manager.update(MIN, [join(tmp.dir, "*.yml")])).rejects.toBeInstanceOf(RuleFileError);
    expect(manager.groups().map((g) => g.name)).toEqual(["test"]);
    writeFileSync(bad, "groups:\n  - name: x\n    rules:\n      - record: ab\n        expr: up\n");
    await manager.update(MIN, [join(tmp.dir, "*.yml")]);
    expect(manager.groups().map((g) => [g.name, g.interval])).toEqual([
      ["test", 3600],
      ["x", 60],
    ]);
  });

  it("records rule errors as health and last error", async () => {
    const f = join(tmp.dir, "zz-bad.yml");
    // The rule label x: "" removes the only label telling the two series apart.
    writeFileSync(f, `groups:\n  - name: x\n    interval: 1h\n    rules:\n      - record: dup\n        expr: http_errors or label_replace(http_errors, "x", "y", "", "")\n        labels:\n          x: ""\n`);
    await manager.update(MIN, [join(tmp.dir, "*.yml")]);
    const g = manager.ruleGroupList().find((x) => x.name === "x")!;
    await g.eval(T0 + MIN);
    const r = manager.groups().find((x) => x.name === "x")!.rules[0];
    expect([r.health, r.lastError]).toEqual(["err", "vector contains metrics with the same labelset after applying rule labels"]);
    expect(await instant(engine, db, "dup", T0 + MIN)).toEqual([]);
  });
});

describe("for-state restore after a restart", () => {
  const tmp = tempDir("rules-restore");
  const engine = new Engine();
  const file = join(tmp.dir, "rules.yml");

  afterAll(() => tmp.cleanup());

  it("continues the pending time from ALERTS_FOR_STATE, shifted by the downtime", async () => {
    writeFileSync(file, "groups:\n  - name: r\n    interval: 1h\n    rules:\n      - alert: HighErrors\n        expr: http_errors > 10\n        for: 2m\n");
    const db = await openDB(join(tmp.dir, "data"), { noLockfile: true });
    try {
      const points: [number, number][] = [];
      for (let t = T0; t <= T0 + 5 * MIN; t += 10_000) points.push([t, 20]);
      await writeSeries(db, errorsA, points);
      const opts = { engine, queryable: db, appendable: db, notify: () => {}, forGracePeriodMs: 10_000 };

      const first = new RuleManager(opts);
      await first.update(MIN, [file]);
      const g1 = first.ruleGroupList()[0];
      await g1.restoreForState(T0);
      await g1.eval(T0);
      await g1.eval(T0 + MIN);
      await first.stop();

      // "Restart" 30s later: the alert had been pending for 60s of its 120s when we went down.
      const second = new RuleManager(opts);
      await second.update(MIN, [file]);
      const g2 = second.ruleGroupList()[0];
      const restartAt = T0 + MIN + 30_000;
      await g2.eval(restartAt);
      // Before restore nothing is written, so the old for-state is what restore reads.
      expect(await instant(engine, db, "ALERTS_FOR_STATE", restartAt)).toEqual([{ labels: { __name__: "ALERTS_FOR_STATE", alertname: "HighErrors", instance: "a:80", job: "api" }, v: T0 / 1000 }]);
      await g2.restoreForState(restartAt);
      const activeAt = T0 + 30_000;
      expect(second.alerts()[0].activeAt).toBe(new Date(activeAt).toISOString().replace(".000Z", "Z"));
      await g2.eval(activeAt + 2 * MIN - 10_000);
      expect(second.alerts()[0].state).toBe("pending");
      await g2.eval(activeAt + 2 * MIN);
      expect(second.alerts()[0].state).toBe("firing");
      expect(await instant(engine, db, "ALERTS_FOR_STATE", activeAt + 2 * MIN)).toEqual([
        { labels: { __name__: "ALERTS_FOR_STATE", alertname: "HighErrors", instance: "a:80", job: "api" }, v: activeAt / 1000 },
      ]);
      await second.stop();
    } finally {
      await db.close();
    }
  });
});

describe("group loop", () => {
  const tmp = tempDir("rules-loop");
  afterAll(() => tmp.cleanup());

  it("evaluates on its own at the group interval, on the interval grid, and stops on stop()", async () => {
    await withRules(tmp.dir, "groups:\n  - name: loop\n    interval: 200ms\n    rules:\n      - record: one\n        expr: vector(1)\n", async ({ file, db, engine, manager }) => {
      const started = Date.now();
      const evalTimes = async (): Promise<number[]> => {
        const res = await engine.rangeQuery(db, "timestamp(one) * 1000", started, Date.now(), 1);
        if (res.value.type !== "matrix") throw new Error("expected a matrix");
        return [...new Set(res.value.series[0]?.vs ?? [])].sort((a, b) => a - b);
      };
      await manager.update(MIN, [file]);
      const g = manager.ruleGroupList()[0];
      // A loaded machine makes the loop skip missed iterations, so wait for three evaluations
      // rather than for a fixed time.
      await waitFor(() => g.metrics.iterations >= 3, 20_000, "three evaluations");
      await manager.stop();
      const times = await evalTimes();
      expect(times.length).toBeGreaterThanOrEqual(3);
      // Every evaluation lands on start + offset + k*interval.
      const grid = g.evalTimestamp(times[0]);
      for (const t of times) expect((t - grid) % 200).toBe(0);
      // Stopped: no evaluation in more than two intervals after stop() returned.
      await new Promise((r) => setTimeout(r, 500));
      expect(await evalTimes()).toEqual(times);
    });
  });
});

describe("removed groups", () => {
  const tmp = tempDir("rules-removed");
  afterAll(() => tmp.cleanup());

  it("mark their series stale when a reload drops them", async () => {
    await withRules(tmp.dir, "groups:\n  - name: gone\n    interval: 1h\n    rules:\n      - record: soon_gone\n        expr: vector(7)\n", async ({ file, db, engine, manager }) => {
      await manager.update(MIN, [file]);
      const evalAt = Date.now() - MIN;
      await manager.ruleGroupList()[0].eval(evalAt);
      const before = await instant(engine, db, "soon_gone", Date.now());
      expect(before.map((s) => s.v)).toEqual([7]);
      writeFileSync(file, "groups: []\n");
      await manager.update(MIN, [file]);
      expect(manager.groups()).toEqual([]);
      expect(await instant(engine, db, "soon_gone", Date.now() + 1)).toEqual([]);
      await manager.stop();
    });
  });
});

describe("reloads", () => {
  const tmp = tempDir("rules-reload");
  afterAll(() => tmp.cleanup());

  it("keep unchanged groups running and hand alert state to changed ones", async () => {
    await withRules(tmp.dir, "groups:\n  - name: r\n    interval: 1h\n    rules:\n      - alert: Always\n        expr: vector(1)\n        for: 10m\n        annotations:\n          where: '{{ $externalLabels.cluster }}'\n", async ({ file, manager }) => {
      await manager.update(MIN, [file], labelsFromRecord({ cluster: "a" }));
      const g1 = manager.ruleGroupList()[0];
      await g1.restoreForState(T0);
      await g1.eval(T0);
      expect(manager.alerts().map((a) => [a.state, a.annotations.where])).toEqual([["pending", "a"]]);

      await manager.update(MIN, [file], labelsFromRecord({ cluster: "a" }));
      expect(manager.ruleGroupList()[0]).toBe(g1);

      // New external labels change what templates see: the group is rebuilt but the alert keeps its activeAt.
      await manager.update(MIN, [file], labelsFromRecord({ cluster: "b" }));
      const g2 = manager.ruleGroupList()[0];
      expect(g2).not.toBe(g1);
      await g2.eval(T0 + MIN);
      expect(manager.alerts().map((a) => [a.state, a.annotations.where, a.activeAt])).toEqual([["pending", "b", new Date(T0).toISOString().replace(".000Z", "Z")]]);
      await g2.eval(T0 + 10 * MIN);
      expect(manager.alerts().map((a) => a.state)).toEqual(["firing"]);
      await manager.stop();
    });
  });
});

describe("limits and scalar results", () => {
  const tmp = tempDir("rules-limit");
  afterAll(() => tmp.cleanup());

  it("fails rules over the group limit and records scalar results as one series", async () => {
    await withRules(tmp.dir, `groups:
  - name: limited
    interval: 1h
    limit: 1
    rules:
      - record: two
        expr: label_replace(vector(1), "x", "a", "", "") or label_replace(vector(2), "x", "b", "", "")
      - alert: TwoAlerts
        expr: label_replace(vector(1), "x", "a", "", "") or label_replace(vector(2), "x", "b", "", "")
      - record: constant
        expr: "42"
`, async ({ file, db, engine, manager }) => {
      await manager.update(MIN, [file]);
      const g = manager.ruleGroupList()[0];
      await g.restoreForState(T0);
      await g.eval(T0);
      expect(manager.groups()[0].rules.map((r) => [r.name, r.health, r.lastError])).toEqual([
        ["two", "err", "exceeded limit of 1 with 2 series"],
        ["TwoAlerts", "err", "exceeded limit of 1 with 2 alerts"],
        ["constant", "ok", undefined],
      ]);
      expect(manager.alerts()).toEqual([]);
      expect(await instant(engine, db, "constant", T0)).toEqual([{ labels: { __name__: "constant" }, v: 42 }]);
      expect(await instant(engine, db, "two", T0)).toEqual([]);
      await manager.stop();
    });
  });
});
