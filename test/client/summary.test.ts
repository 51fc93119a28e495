// Summary quantiles stay within each objective's rank error, and the window slides.
import { describe, expect, test } from "vitest";
import { InvalidNameError, InvalidValueError, Summary, SummaryVec } from "../../src/client/index.js";
import { QuantileStream } from "../../src/client/quantile-stream.js";
import { rng } from "../../bench/helpers/random.js";

/** True if some position of v in sorted data lies within [(q-e)n, (q+e)n]. */
function withinRankError(sorted: Float64Array, v: number, q: number, e: number): boolean {
  let lo = 0;
  while (lo < sorted.length && sorted[lo] < v) lo++;
  let hi = lo;
  while (hi < sorted.length && sorted[hi] === v) hi++;
  const n = sorted.length;
  return hi >= Math.floor((q - e) * n) && lo <= Math.ceil((q + e) * n);
}

const OBJECTIVES = { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 };

describe("quantile accuracy on seeded data", () => {
  const distributions: Record<string, (r: () => number) => number> = {
    uniform: (r) => r() * 1000,
    exponential: (r) => -Math.log(1 - r()) * 0.2,
    "normal-ish": (r) => r() + r() + r() + r() - 2,
    "few distinct": (r) => Math.floor(r() * 7),
  };
  for (const [name, draw] of Object.entries(distributions)) {
    test(name, () => {
      const r = rng(42);
      const s = new Summary({ name: "s", help: "S.", objectives: OBJECTIVES });
      const n = 50_000;
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        data[i] = draw(r);
        s.observe(data[i]);
      }
      data.sort();
      const got = s.get();
      expect(got.count).toBe(n);
      expect(got.quantiles.map((q) => q.quantile)).toEqual([0.5, 0.9, 0.99]);
      for (const { quantile, value } of got.quantiles) {
        const e = OBJECTIVES[quantile as 0.5 | 0.9 | 0.99];
        expect(withinRankError(data, value, quantile, e), `${name} q=${quantile} value=${value}`).toBe(true);
      }
    });
  }

  test("the stream stays far smaller than the data", () => {
    const st = new QuantileStream([{ quantile: 0.5, error: 0.05 }, { quantile: 0.99, error: 0.001 }]);
    const r = rng(7);
    const batch = new Float64Array(500);
    for (let k = 0; k < 200; k++) {
      for (let i = 0; i < batch.length; i++) batch[i] = r();
      batch.sort();
      st.insertSorted(batch, batch.length);
    }
    expect(st.count).toBe(100_000);
    const tuples = (st as unknown as { len: number }).len;
    expect(tuples).toBeLessThan(5_000);
  });
});

describe("sliding window", () => {
  test("observations older than maxAge leave the quantiles; sum and count are all-time", () => {
    let now = 1_000_000;
    const s = new Summary({ name: "w", help: "W.", objectives: { 0.5: 0.01 }, maxAgeMs: 10_000, ageBuckets: 5, now: () => now });
    for (let i = 0; i < 100; i++) s.observe(1);
    now += 5_000;
    for (let i = 0; i < 10; i++) s.observe(100);
    expect(s.get().quantiles[0].value).toBe(1);
    // 10.5s after the first batch: all of it has aged out, the later batch has not.
    now += 5_500;
    expect(s.get().quantiles[0].value).toBe(100);
    now += 20_000;
    const idle = s.get();
    expect(idle.quantiles[0].value).toBeNaN();
    expect(idle.count).toBe(110);
    expect(idle.sum).toBe(1100);
  });

  test("a rotation due before an observation is applied before it is buffered", () => {
    let now = 0;
    const s = new Summary({ name: "w", help: "W.", objectives: { 0.5: 0.01 }, maxAgeMs: 1_000, ageBuckets: 2, now: () => now });
    s.observe(5);
    now = 1_200;
    s.observe(7);
    expect(s.get().quantiles[0].value).toBe(7);
  });

  test("with the real clock, the window still moves between observations", async () => {
    const s = new Summary({ name: "w", help: "W.", objectives: { 0.5: 0.01 }, maxAgeMs: 300, ageBuckets: 1 });
    for (let i = 0; i < 10; i++) s.observe(1);
    await new Promise((r) => setTimeout(r, 450));
    s.observe(5);
    expect(s.get().quantiles[0].value).toBe(5);
    expect(s.get().count).toBe(11);
  });

  test("without objectives only sum and count are kept", () => {
    const s = new Summary({ name: "plain", help: "P." });
    s.observe(2);
    s.observe(3);
    expect(s.get()).toEqual({ sum: 5, count: 2, quantiles: [] });
  });

  test("invalid objectives and the reserved quantile label are rejected", () => {
    expect(() => new Summary({ name: "x", help: "X.", objectives: { 1.5: 0.1 } })).toThrow(InvalidValueError);
    expect(() => new SummaryVec({ name: "x", help: "X.", labelNames: ["quantile"] })).toThrow(InvalidNameError);
  });
});
