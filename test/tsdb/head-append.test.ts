import { afterEach, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { DuplicateSampleError, InvalidSampleError, OutOfBoundsError, OutOfOrderSampleError, TooOldSampleError } from "../../src/storage/errors.js";
import { Head } from "../../src/tsdb/head.js";
import { HeadAppender } from "../../src/tsdb/head-append.js";
import { HeadQuerier } from "../../src/tsdb/head-read.js";
import { tempDir } from "../helpers/reference.js";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function newHead(opts: { outOfOrderTimeWindowMs?: number } = {}): Head {
  const t = tempDir("head");
  const head = new Head({ dir: t.dir, ...opts });
  cleanups.push(() => {
    head.close();
    t.cleanup();
  });
  return head;
}

const a = labelsFromRecord({ __name__: "m", job: "a" });
const b = labelsFromRecord({ __name__: "m", job: "b" });

async function samplesOf(head: Head, labels = a, mint = -Infinity, maxt = Infinity): Promise<[number, number][]> {
  const q = new HeadQuerier(head, mint, maxt);
  const job = labels.find((l) => l.name === "job")!.value;
  const got = await q.select(true, undefined, [new Matcher("=", "job", job)]);
  if (got.length === 0) return [];
  const s = got[0].samples();
  return Array.from(s.ts, (t, i) => [t, s.vs[i]]);
}

describe("head appender", () => {
  it("returns a ref that skips the label lookup and is stable per series", async () => {
    const head = newHead();
    const app = new HeadAppender(head);
    const r1 = app.append(0, a, 1000, 1);
    const r2 = app.append(0, b, 1000, 2);
    expect(r1).toBeGreaterThan(0);
    expect(r2).not.toBe(r1);
    // The ref is honoured even with empty labels: no lookup happens.
    expect(app.append(r1, [], 2000, 3)).toBe(r1);
    await app.commit();
    const app2 = new HeadAppender(head);
    expect(app2.append(0, a, 3000, 4)).toBe(r1);
    await app2.commit();
    expect(await samplesOf(head)).toEqual([
      [1000, 1],
      [2000, 3],
      [3000, 4],
    ]);
  });

  it("hides uncommitted samples from readers and drops them on rollback", async () => {
    const head = newHead();
    const app = new HeadAppender(head);
    app.append(0, a, 1000, 1);
    expect(await samplesOf(head)).toEqual([]);
    await app.rollback();
    expect(await samplesOf(head)).toEqual([]);
    const app2 = new HeadAppender(head);
    app2.append(0, a, 1000, 7);
    await app2.commit();
    expect(await samplesOf(head)).toEqual([[1000, 7]]);
  });

  it("rejects out-of-order and duplicate samples, ignores exact repeats", async () => {
    const head = newHead();
    const app = new HeadAppender(head);
    app.append(0, a, 1000, 1);
    app.append(0, a, 2000, 2);
    // Within one appender, pending samples count.
    expect(() => app.append(0, a, 1500, 9)).toThrow(OutOfOrderSampleError);
    expect(() => app.append(0, a, 2000, 9)).toThrow(DuplicateSampleError);
    app.append(0, a, 2000, 2);
    await app.commit();
    const app2 = new HeadAppender(head);
    expect(() => app2.append(0, a, 1999, 1)).toThrow(OutOfOrderSampleError);
    expect(() => app2.append(0, a, 2000, 3)).toThrow(DuplicateSampleError);
    expect(app2.append(0, a, 2000, 2)).toBeGreaterThan(0);
    app2.append(0, a, 2000, 2);
    await app2.commit();
    expect(head.counters.outOfOrderSamples).toBe(2);
    expect(head.counters.duplicateSamples).toBe(2);
    expect(await samplesOf(head)).toEqual([
      [1000, 1],
      [2000, 2],
    ]);
  });

  it("treats stale markers as equal values at the same timestamp", async () => {
    const head = newHead();
    const app = new HeadAppender(head);
    app.append(0, a, 1000, STALE_NAN);
    await app.commit();
    const app2 = new HeadAppender(head);
    app2.append(0, a, 1000, STALE_NAN);
    expect(() => app2.append(0, a, 1000, NaN)).toThrow(DuplicateSampleError);
    await app2.commit();
    const got = await samplesOf(head);
    expect(got.length).toBe(1);
    expect(isStaleNaN(got[0][1])).toBe(true);
  });

  it("rejects samples more than half a block range behind the head as out of bounds", async () => {
    const head = newHead();
    const app = new HeadAppender(head);
    app.append(0, a, 10 * 3600_000, 1);
    await app.commit();
    const app2 = new HeadAppender(head);
    expect(() => app2.append(0, b, 10 * 3600_000 - 3600_001, 1)).toThrow(OutOfBoundsError);
    app2.append(0, b, 10 * 3600_000 - 3600_000, 1);
    await app2.commit();
    expect(head.counters.outOfBoundsSamples).toBe(1);
  });

  it("a later commit of an older sample by another appender is dropped, not applied", async () => {
    const head = newHead();
    const x = new HeadAppender(head);
    const y = new HeadAppender(head);
    x.append(0, a, 2000, 2);
    y.append(0, a, 1000, 1);
    await x.commit();
    await y.commit();
    expect(await samplesOf(head)).toEqual([[2000, 2]]);
    expect(head.counters.outOfOrderSamples).toBe(1);
  });

  it("accepts out-of-order samples inside the window and merges them on read", async () => {
    const head = newHead({ outOfOrderTimeWindowMs: 600_000 });
    const app = new HeadAppender(head);
    app.append(0, a, 1_000_000, 1);
    app.append(0, a, 1_100_000, 2);
    await app.commit();
    const app2 = new HeadAppender(head);
    app2.append(0, a, 1_050_000, 1.5);
    app2.append(0, a, 900_000, 0.5);
    expect(() => app2.append(0, a, 1_100_000 - 600_001, 0)).toThrow(TooOldSampleError);
    expect(() => app2.append(0, a, 1_100_000, 9)).toThrow(DuplicateSampleError);
    // An out-of-order timestamp that the in-order data already has: same value is a no-op, another is dropped.
    app2.append(0, a, 1_000_000, 1);
    app2.append(0, a, 1_000_000, 7);
    await app2.commit();
    expect(head.counters.duplicateSamples).toBe(2);
    expect(await samplesOf(head)).toEqual([
      [900_000, 0.5],
      [1_000_000, 1],
      [1_050_000, 1.5],
      [1_100_000, 2],
    ]);
  });

  it("cuts chunks at 120 samples to chunks_head and reads them back across the cut", async () => {
    const head = newHead();
    const n = 1000;
    for (let i = 0; i < n; i++) {
      const app = new HeadAppender(head);
      app.append(0, a, i * 15_000, i * 0.5);
      await app.commit();
    }
    expect(head.counters.chunksCreated).toBe(Math.floor((n - 1) / 120));
    const got = await samplesOf(head);
    expect(got.length).toBe(n);
    for (let i = 0; i < n; i++) expect(got[i]).toEqual([i * 15_000, i * 0.5]);
    const mid = await samplesOf(head, a, 100 * 15_000, 130 * 15_000);
    expect(mid.map((s) => s[0])).toEqual(Array.from({ length: 31 }, (_, i) => (100 + i) * 15_000));
  });

  it("cuts a chunk at the block range boundary", async () => {
    const head = newHead();
    const app = new HeadAppender(head);
    app.append(0, a, 7_100_000, 1);
    app.append(0, a, 7_200_000, 2); // 2h boundary
    await app.commit();
    expect(head.counters.chunksCreated).toBe(1);
  });

  it("selects with all matcher types and answers label names and values", async () => {
    const head = newHead();
    const app = new HeadAppender(head);
    app.append(0, a, 1000, 1);
    app.append(0, b, 1000, 2);
    app.append(0, labelsFromRecord({ __name__: "other", env: "prod" }), 1000, 3);
    await app.commit();
    const q = new HeadQuerier(head, 0, 5000);
    const names = async (...ms: Matcher[]) => (await q.select(true, undefined, ms)).map((s) => s.labels.map((l) => l.value).join(","));
    expect(await names(new Matcher("=", "__name__", "m"))).toEqual(["m,a", "m,b"]);
    expect(await names(new Matcher("=", "__name__", "m"), new Matcher("!=", "job", "a"))).toEqual(["m,b"]);
    expect(await names(new Matcher("=~", "job", "a|b"))).toEqual(["m,a", "m,b"]);
    expect(await names(new Matcher("!~", "job", "a"))).toEqual(["m,b", "other,prod"]);
    expect(await names(new Matcher("=", "job", ""))).toEqual(["other,prod"]);
    expect(await names(new Matcher("=~", "job", "b.*"))).toEqual(["m,b"]);
    expect(await names(new Matcher("=~", "job", "x"))).toEqual([]);
    expect(await q.labelNames([])).toEqual(["__name__", "env", "job"]);
    expect(await q.labelNames([new Matcher("=", "job", "a")])).toEqual(["__name__", "job"]);
    expect(await q.labelValues("job", [])).toEqual(["a", "b"]);
    expect(await q.labelValues("__name__", [new Matcher("=", "env", "prod")])).toEqual(["other"]);
    // Outside the time range nothing is selected.
    expect(await new HeadQuerier(head, 2000, 3000).select(false, undefined, [new Matcher("=", "__name__", "m")])).toEqual([]);
  });

  it("rejects empty label sets and repeated label names as invalid samples", () => {
    const head = newHead();
    const app = new HeadAppender(head);
    expect(() => app.append(0, [], 1, 1)).toThrow(/empty labelset: invalid sample/);
    expect(() =>
      app.append(0, [{ name: "a", value: "1" }, { name: "a", value: "2" }], 1, 1),
    ).toThrow(InvalidSampleError);
    expect(head.numSeries).toBe(0);
  });

  it("keeps colliding series apart, also after one of them is removed", async () => {
    const t = tempDir("head-collide");
    const head = new Head({ dir: t.dir, chunkRangeMs: 1000, hash: () => 42 });
    cleanups.push(() => {
      head.close();
      t.cleanup();
    });
    const lbl = (i: number) => labelsFromRecord({ __name__: "c", i: String(i) });
    const app = new HeadAppender(head);
    const refs = [0, 1, 2, 3].map((i) => app.append(0, lbl(i), i === 0 ? 10 : 5000, i));
    await app.commit();
    expect(new Set(refs).size).toBe(4);
    for (let i = 0; i < 4; i++) expect(head.lookup(lbl(i))).toBe(refs[i]);
    // Series 0 only has data before 2000: truncation removes it, the others stay findable.
    expect(head.truncateMemory(2000)).toBe(1);
    expect(head.lookup(lbl(0))).toBe(0);
    for (let i = 1; i < 4; i++) expect(head.lookup(lbl(i))).toBe(refs[i]);
    const again = new HeadAppender(head);
    const r0 = again.append(0, lbl(0), 6000, 9);
    expect(refs).not.toContain(r0);
    expect(head.labelsOf(r0)).toEqual(lbl(0));
    await again.commit();
  });

  it("gives every distinct label set its own ref", () => {
    const head = newHead();
    // Different label sets must never share a ref, whatever their hash.
    const refs = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const app = new HeadAppender(head);
      refs.add(app.append(0, labelsFromRecord({ __name__: "c", i: String(i) }), 1, 1));
    }
    expect(refs.size).toBe(5000);
    expect(head.numSeries).toBe(5000);
  });
});
