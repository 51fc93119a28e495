// The engine opens one querier per query, over the range all selectors need (offsets, @,
// ranges, subqueries and the lookback included), and closes it when the query ends.
import { describe, expect, test } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import type { Querier, Queryable } from "../../src/storage/interface.js";
import { Engine } from "../../src/promql/engine.js";
import { queryTimeRange } from "../../src/promql/query-range.js";
import { parseExpr } from "../../src/promql/parser/parse.js";
import { MemoryStorage } from "./memory-storage.js";

const MIN = 60_000;

/** Records every querier opened, its range, its selects and whether it was closed. */
class Recording implements Queryable {
  readonly opened: { mint: number; maxt: number; selects: number; closed: number }[] = [];
  constructor(private readonly inner: Queryable) {}

  async querier(mint: number, maxt: number): Promise<Querier> {
    const q = await this.inner.querier(mint, maxt);
    const rec = { mint, maxt, selects: 0, closed: 0 };
    this.opened.push(rec);
    return {
      select: (sorted, hints, matchers) => {
        rec.selects++;
        return q.select(sorted, hints, matchers);
      },
      labelNames: (m) => q.labelNames(m),
      labelValues: (n, m) => q.labelValues(n, m),
      close: () => {
        rec.closed++;
        q.close();
      },
    };
  }
}

function storage(): MemoryStorage {
  const s = new MemoryStorage();
  for (let k = 0; k <= 240; k++) {
    s.add(labelsFromRecord({ __name__: "a_total", job: "x" }), k * MIN, k * 10);
    s.add(labelsFromRecord({ __name__: "b", job: "x" }), k * MIN, k);
  }
  return s;
}

describe("one querier per query", () => {
  test("a query with several selectors, an offset and a subquery opens one querier and closes it", async () => {
    const rec = new Recording(storage());
    const engine = new Engine({ lookbackDeltaMs: 5 * MIN });
    const query = "rate(a_total[10m]) + on(job) b offset 30m + on(job) max_over_time(b[20m:1m])";
    const r = await engine.rangeQuery(rec, query, 120 * MIN, 180 * MIN, MIN);
    expect(r.value.type).toBe("matrix");
    if (r.value.type === "matrix") expect(r.value.series.length).toBe(1);
    expect(rec.opened).toHaveLength(1);
    expect(rec.opened[0]).toEqual({ mint: 90 * MIN - 5 * MIN, maxt: 180 * MIN, selects: 3, closed: 1 });
  });

  test("the result is the one selectors evaluated alone give", async () => {
    const engine = new Engine();
    const s = storage();
    const sum = await engine.instantQuery(s, "b offset 1h + b @ 100", 200 * MIN);
    const lhs = await engine.instantQuery(s, "b offset 1h", 200 * MIN);
    if (sum.value.type !== "vector" || lhs.value.type !== "vector") throw new Error("expected vectors");
    expect(sum.value.samples.map((x) => x.v)).toEqual([lhs.value.samples[0].v + 1]);
  });

  test("a query that fails still closes its querier", async () => {
    const rec = new Recording(storage());
    const engine = new Engine();
    await expect(engine.instantQuery(rec, 'a_total + on(job) {job="x"}', 100 * MIN)).rejects.toThrow("found duplicate series for the match group");
    expect(rec.opened.map((o) => o.closed)).toEqual([1]);
  });

  test("a query without selectors opens no querier", async () => {
    const rec = new Recording(storage());
    await new Engine().instantQuery(rec, "1 + 2", 100 * MIN);
    expect(rec.opened).toHaveLength(0);
  });
});

describe("queryTimeRange", () => {
  const ctx = { lookbackDeltaMs: 5 * MIN, resolveAt: () => undefined, dur: (ms: number) => ms };

  test("widens by range, offset, lookback and nested subqueries", () => {
    const e = parseExpr("max_over_time(rate(a_total[5m] offset 10m)[1h:1m] offset 1h)");
    expect(queryTimeRange(e, 300 * MIN, 400 * MIN, ctx)).toEqual({ mint: 300 * MIN - 60 * MIN - 60 * MIN - 10 * MIN - 5 * MIN, maxt: 400 * MIN - 60 * MIN - 10 * MIN });
  });

  test("@ pins a selector's window whatever the query's range", () => {
    const e = parseExpr("b @ 60 + b");
    expect(queryTimeRange(e, 300 * MIN, 400 * MIN, { ...ctx, resolveAt: (at) => (at?.kind === "time" ? at.ms : undefined) })).toEqual({
      mint: MIN - 5 * MIN,
      maxt: 400 * MIN,
    });
  });

  test("is empty without selectors", () => {
    const r = queryTimeRange(parseExpr("1 + 2"), 0, MIN, ctx);
    expect(r.mint > r.maxt).toBe(true);
  });
});
