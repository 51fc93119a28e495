// The engine is the one timeout layer: a per-query limit (the API's timeout parameter)
// shortens the engine's --query.timeout but never extends it.
import { describe, expect, test } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine.js";
import { QueryTimeoutError } from "../../src/promql/errors.js";
import type { Querier, Queryable } from "../../src/storage/interface.js";
import { MemoryStorage } from "./memory-storage.js";

/** A storage whose selects answer after delayMs, so that a shorter timeout fires first. */
class Slow implements Queryable {
  constructor(
    private readonly inner: Queryable,
    private readonly delayMs: number,
  ) {}

  async querier(mint: number, maxt: number): Promise<Querier> {
    const q = await this.inner.querier(mint, maxt);
    return {
      select: async (sorted, hints, matchers) => {
        await new Promise((r) => setTimeout(r, this.delayMs));
        return q.select(sorted, hints, matchers);
      },
      labelNames: (m) => q.labelNames(m),
      labelValues: (n, m) => q.labelValues(n, m),
      close: () => q.close(),
    };
  }
}

function slowStorage(): Slow {
  const s = new MemoryStorage();
  s.add(labelsFromRecord({ __name__: "up", job: "a" }), 0, 1);
  return new Slow(s, 200);
}

describe("query timeouts", () => {
  test("a per-query timeout shorter than the engine's stops the query as a timeout", async () => {
    const err = await new Engine({ timeoutMs: 60_000 }).instantQuery(slowStorage(), "up + up", 1000, { timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect((err as Error).message).toBe("query timed out in expression evaluation");
  });

  test("a per-query timeout longer than the engine's does not extend it", async () => {
    const err = await new Engine({ timeoutMs: 1 }).instantQuery(slowStorage(), "up", 1000, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryTimeoutError);
  });

  test("within both limits the query answers", async () => {
    const r = await new Engine({ timeoutMs: 60_000 }).instantQuery(slowStorage(), "up", 1000, { timeoutMs: 30_000 });
    expect(r.value.type === "vector" && r.value.samples.map((s) => s.v)).toEqual([1]);
  });
});
