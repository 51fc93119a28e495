// Fanout over a real TSDB (primary) and secondaries: appends reach all, primary errors
// win, secondary failures are logged and do not fail appends or queries.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToString, type Labels } from "../../src/model/labels.js";
import { Logger } from "../../src/log/logger.js";
import { Matcher } from "../../src/model/matcher.js";
import { OutOfOrderSampleError } from "../../src/storage/errors.js";
import { Fanout } from "../../src/storage/fanout.js";
import type { Appendable, Appender, Querier, SeriesRef } from "../../src/storage/interface.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";

/** Records what it is given; fails appends of series named "boom". */
class RecordingSecondary implements Appendable {
  committed: string[] = [];
  rolledBack = 0;
  appender(): Appender {
    const pending: string[] = [];
    return {
      append: (ref: SeriesRef, labels: Labels, t: number, v: number) => {
        if (labels[0]?.value === "boom") throw new Error("secondary refuses boom");
        pending.push(`${ref}:${labelsToString(labels)}@${t}=${v}`);
        return ref;
      },
      commit: async () => void this.committed.push(...pending.splice(0)),
      rollback: async () => {
        pending.length = 0;
        this.rolledBack++;
      },
    };
  }
}

const ALL = [new Matcher("=~", "__name__", ".+")];

describe("fanout storage", () => {
  const tmp = tempDir("fanout");
  let primary: DB;
  let other: DB;
  const logs: string[] = [];
  const logger = new Logger({ write: (l) => void logs.push(l), level: "debug" });
  beforeAll(async () => {
    primary = await openDB(join(tmp.dir, "primary"));
    other = await openDB(join(tmp.dir, "other"));
  });
  afterAll(async () => {
    await primary.close();
    await other.close();
    tmp.cleanup();
  });

  it("appends to the primary and forwards its refs; primary rejections are not forwarded", async () => {
    const rec = new RecordingSecondary();
    const f = new Fanout({ primary, appendables: [rec], logger });
    const app = f.appender();
    const lx = labelsFromRecord({ __name__: "x" });
    const ref = app.append(0, lx, 1000, 1);
    expect(ref).not.toBe(0);
    app.append(ref, lx, 2000, 2);
    expect(() => app.append(ref, lx, 1500, 9)).toThrow(OutOfOrderSampleError);
    // The secondary fails this one; the primary still stores it.
    app.append(0, labelsFromRecord({ __name__: "boom" }), 1000, 3);
    await app.commit();
    expect(rec.committed).toEqual([`${ref}:x@1000=1`, `${ref}:x@2000=2`]);
    expect(logs.some((l) => l.includes("secondary append failed") && l.includes("secondary refuses boom"))).toBe(true);
    const q = await f.querier(0, 10_000);
    const got = await q.select(true, undefined, ALL);
    q.close();
    expect(got.map((s) => `${labelsToString(s.labels)} ${Array.from(s.samples().vs)}`)).toEqual(["boom 3", "x 1,2"]);
    expect(f.startTime()).toBe(1000);
  });

  it("rolls back every appender", async () => {
    const rec = new RecordingSecondary();
    const f = new Fanout({ primary, appendables: [rec], logger });
    const app = f.appender();
    app.append(0, labelsFromRecord({ __name__: "never" }), 5000, 1);
    await app.rollback();
    expect(rec.rolledBack).toBe(1);
    expect(rec.committed).toEqual([]);
    const q = await primary.querier(0, 10_000);
    expect(await q.select(false, undefined, [new Matcher("=", "__name__", "never")])).toEqual([]);
    q.close();
  });

  it("merges queriers: same labels become one series, primary wins on equal timestamps", async () => {
    const app = other.appender();
    const lx = labelsFromRecord({ __name__: "x" });
    app.append(0, lx, 2000, 222); // same time as the primary's 2
    app.append(0, lx, 3000, 3);
    app.append(0, labelsFromRecord({ __name__: "only_other" }), 1000, 7);
    await app.commit();
    const f = new Fanout({ primary, queryables: [{ querier: (mint, maxt) => other.querier(mint, maxt) }], logger });
    const q = await f.querier(0, 10_000);
    const got = await q.select(true, undefined, ALL);
    expect(got.map((s) => `${labelsToString(s.labels)} ${Array.from(s.samples().ts)}/${Array.from(s.samples().vs)}`)).toEqual([
      "boom 1000/3",
      "only_other 1000/7",
      "x 1000,2000,3000/1,2,3",
    ]);
    // Union of both sides, each value once (the primary also still holds the rolled-back series' name).
    const names = await q.labelValues("__name__", []);
    expect(names).toEqual([...new Set(names)].sort());
    expect(names).toEqual(expect.arrayContaining(["boom", "only_other", "x"]));
    q.close();
  });

  it("answers from the primary alone when a secondary querier fails", async () => {
    const failing: Querier = {
      select: async () => {
        throw new Error("remote unreachable");
      },
      labelNames: async () => [],
      labelValues: async () => [],
      close: () => undefined,
    };
    const f = new Fanout({ primary, queryables: [{ querier: async () => failing }, { querier: async () => Promise.reject(new Error("cannot open")) }], logger });
    const q = await f.querier(0, 10_000);
    const got = await q.select(true, undefined, [new Matcher("=", "__name__", "x")]);
    q.close();
    expect(got.map((s) => Array.from(s.samples().vs))).toEqual([[1, 2]]);
    expect(logs.some((l) => l.includes("remote unreachable"))).toBe(true);
    expect(logs.some((l) => l.includes("cannot open"))).toBe(true);
  });
});
