// Behaviour of each metric type, values derived from the documented semantics.
import { describe, expect, test } from "vitest";
import {
  Counter, Gauge, Histogram, InvalidValueError, exponentialBuckets, exponentialBucketsRange, linearBuckets,
  DEFAULT_BUCKETS, InvalidNameError,
} from "../../src/client/index.js";

describe("Counter", () => {
  test("inc and add accumulate; negative and NaN increments are rejected", () => {
    const c = new Counter({ name: "jobs_total", help: "Jobs." });
    c.inc();
    c.inc(2.5);
    c.add(0.5);
    expect(c.get()).toBe(4);
    expect(() => c.inc(-1)).toThrow(InvalidValueError);
    expect(() => c.add(NaN)).toThrow(InvalidValueError);
    expect(c.get()).toBe(4);
  });

  test("reset returns to zero and renews the created time; exemplars need 128 runes or fewer", () => {
    const c = new Counter({ name: "jobs_total", help: "Jobs." });
    c.incWithExemplar({ trace_id: "a".repeat(120) }, 2);
    expect(c.metric().exemplar?.value).toBe(2);
    expect(() => c.incWithExemplar({ trace_id: "a".repeat(121) })).toThrow(InvalidValueError);
    expect(c.get()).toBe(2);
    const before = c.metric().createdMs!;
    c.reset();
    expect(c.get()).toBe(0);
    expect(c.metric().createdMs).toBeGreaterThanOrEqual(before);
    expect(c.metric().exemplar).toBeUndefined();
  });
});

describe("Gauge", () => {
  test("set, inc, dec, add, sub", () => {
    const g = new Gauge({ name: "temp_celsius", help: "T." });
    g.set(10);
    g.inc();
    g.dec(3);
    g.add(0.5);
    g.sub(2);
    expect(g.get()).toBe(6.5);
    g.dec();
    expect(g.get()).toBe(5.5);
  });

  test("setToCurrentTime uses Unix seconds; startTimer sets the elapsed seconds", async () => {
    const g = new Gauge({ name: "last_run_seconds", help: "T." });
    const before = Date.now() / 1000;
    g.setToCurrentTime();
    expect(g.get()).toBeGreaterThanOrEqual(before);
    expect(g.get()).toBeLessThanOrEqual(Date.now() / 1000);
    const end = g.startTimer();
    await new Promise((r) => setTimeout(r, 30));
    const elapsed = end();
    expect(elapsed).toBeGreaterThanOrEqual(0.02);
    expect(g.get()).toBe(elapsed);
  });
});

describe("Histogram", () => {
  test("upper bounds are inclusive and buckets cumulative", () => {
    const h = new Histogram({ name: "size_bytes", help: "S.", buckets: [1, 2, 5] });
    for (const v of [0.5, 1, 1.5, 2, 4, 7, 100]) h.observe(v);
    const m = h.metric().histogram!;
    expect(m.buckets.map((b) => [b.upperBound, b.cumulativeCount])).toEqual([[1, 2], [2, 4], [5, 5]]);
    expect(m.count).toBe(7);
    expect(m.sum).toBe(116);
  });

  test("many buckets use the binary search and agree with a linear count", () => {
    const bounds = linearBuckets(0, 1, 100);
    const h = new Histogram({ name: "x", help: "X.", buckets: bounds });
    const values = [-1, 0, 0.5, 37, 37.0001, 99, 99.5, 1000];
    for (const v of values) h.observe(v);
    const got = h.metric().histogram!.buckets;
    for (const b of got) expect(b.cumulativeCount).toBe(values.filter((v) => v <= b.upperBound).length);
  });

  test("default and generated buckets", () => {
    expect(DEFAULT_BUCKETS).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(new Histogram({ name: "d", help: "D." }).metric().histogram!.buckets.map((b) => b.upperBound)).toEqual(DEFAULT_BUCKETS);
    expect(linearBuckets(1, 2, 3)).toEqual([1, 3, 5]);
    expect(exponentialBuckets(1, 2, 4)).toEqual([1, 2, 4, 8]);
    const r = exponentialBucketsRange(1, 1000, 4);
    expect(r[0]).toBe(1);
    expect(r[3]).toBeCloseTo(1000, 9);
    expect(r[1]).toBeCloseTo(10, 9);
    expect(() => linearBuckets(0, 0, 3)).toThrow(InvalidValueError);
    expect(() => exponentialBuckets(0, 2, 3)).toThrow(InvalidValueError);
  });

  test("bad buckets and the reserved le label are rejected; a trailing +Inf is dropped", () => {
    expect(() => new Histogram({ name: "h", help: "H.", buckets: [1, 1] })).toThrow(InvalidValueError);
    expect(() => new Histogram({ name: "h", help: "H.", buckets: [2, 1] })).toThrow(InvalidValueError);
    expect(() => new Histogram({ name: "h", help: "H.", constLabels: { le: "1" } })).toThrow(InvalidNameError);
    const h = new Histogram({ name: "h", help: "H.", buckets: [1, Infinity] });
    expect(h.metric().histogram!.buckets.length).toBe(1);
  });

  test("exemplars attach to the observation's bucket, with the 128-rune limit", () => {
    const h = new Histogram({ name: "lat_seconds", help: "L.", buckets: [0.1, 1] });
    h.observeWithExemplar(0.5, { trace_id: "t1" });
    h.observeWithExemplar(5, { trace_id: "t2" });
    const m = h.metric().histogram!;
    expect(m.buckets[0].exemplar).toBeUndefined();
    expect(m.buckets[1].exemplar?.labels).toEqual([{ name: "trace_id", value: "t1" }]);
    expect(m.infExemplar?.value).toBe(5);
    // 8 runes of name + 120 of value (emoji count once each) is exactly the limit.
    h.observeWithExemplar(0.05, { trace_id: "😀".repeat(120) });
    expect(() => h.observeWithExemplar(0.05, { trace_id: "😀".repeat(121) })).toThrow(InvalidValueError);
    expect(h.metric().histogram!.count).toBe(3);
  });

  test("startTimer observes elapsed seconds", async () => {
    const h = new Histogram({ name: "op_seconds", help: "O.", buckets: [0.001, 10] });
    const end = h.startTimer();
    await new Promise((r) => setTimeout(r, 20));
    const s = end();
    const m = h.metric().histogram!;
    expect(m.count).toBe(1);
    expect(m.sum).toBe(s);
    expect(m.buckets.map((b) => b.cumulativeCount)).toEqual([0, 1]);
  });
});
