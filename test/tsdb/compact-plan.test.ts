import { describe, expect, it } from "vitest";
import type { BlockMeta } from "../../src/tsdb/block-meta.js";
import { exponentialBlockRanges, planCompaction } from "../../src/tsdb/compact.js";
import { blocksBeyondRetention } from "../../src/tsdb/retention.js";

const H = 3600_000;
let n = 0;
function meta(minH: number, maxH: number): BlockMeta {
  return { ulid: `B${n++}`, minTime: minH * H, maxTime: maxH * H, stats: { numSamples: 1, numSeries: 1, numChunks: 1 }, compaction: { level: 1 }, version: 1 };
}
const spans = (plan: BlockMeta[] | undefined) => plan?.map((m) => [m.minTime / H, m.maxTime / H]);

describe("compaction planning", () => {
  it("uses ranges of 3x steps up to the max block duration", () => {
    expect(exponentialBlockRanges(2 * H, 31 * 24 * H).map((r) => r / H)).toEqual([2, 6, 18, 54, 162, 486]);
    expect(exponentialBlockRanges(2 * H, 2 * H)).toEqual([2 * H]);
  });

  it("merges overlapping blocks first", () => {
    expect(spans(planCompaction([meta(0, 2), meta(2, 4), meta(1, 3), meta(10, 12)], exponentialBlockRanges(2 * H, 54 * H)))).toEqual([
      [0, 2],
      [1, 3],
      [2, 4],
    ]);
  });

  it("leaves the newest block out and merges a full 6h range", () => {
    const ranges = exponentialBlockRanges(2 * H, 54 * H);
    expect(spans(planCompaction([meta(0, 2), meta(2, 4)], ranges))).toBeUndefined();
    expect(spans(planCompaction([meta(0, 2), meta(2, 4), meta(4, 6)], ranges))).toBeUndefined();
    expect(spans(planCompaction([meta(0, 2), meta(2, 4), meta(4, 6), meta(6, 8)], ranges))).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
  });

  it("merges an incomplete range once newer blocks start after it", () => {
    const ranges = exponentialBlockRanges(2 * H, 54 * H);
    expect(spans(planCompaction([meta(0, 2), meta(2, 4), meta(8, 10), meta(10, 12)], ranges))).toEqual([
      [0, 2],
      [2, 4],
    ]);
  });

  it("rewrites a big block with many tombstones on its own", () => {
    const ranges = exponentialBlockRanges(2 * H, 54 * H);
    const big = { ...meta(0, 18), stats: { numSamples: 10, numSeries: 10, numChunks: 10, numTombstones: 3 } };
    expect(planCompaction([big, meta(18, 20)], ranges)).toEqual([big]);
    const small = { ...meta(0, 2), stats: { numSamples: 10, numSeries: 10, numChunks: 10, numTombstones: 10 } };
    expect(planCompaction([small, meta(2, 4)], ranges)).toEqual([small]);
  });

  it("does not go past the max block duration", () => {
    expect(planCompaction([meta(0, 2), meta(2, 4), meta(4, 6), meta(6, 8)], exponentialBlockRanges(2 * H, 2 * H))).toBeUndefined();
  });
});

describe("retention", () => {
  const b = (ulid: string, minH: number, maxH: number, size: number) => ({ ulid, minTime: minH * H, maxTime: maxH * H, sizeBytes: size });
  it("drops blocks ending more than the retention before the newest block's end", () => {
    const d = blocksBeyondRetention([b("a", 0, 2, 1), b("b", 2, 4, 1), b("c", 4, 6, 1), b("d", 6, 8, 1)], { retentionTimeMs: 4 * H, retentionSizeBytes: 0, otherBytes: 0 });
    expect(d.beyondTime).toEqual(["a"]);
    expect(d.beyondSize).toEqual([]);
  });
  it("drops the oldest blocks once the total size (with WAL and head chunks) passes the limit", () => {
    const d = blocksBeyondRetention([b("a", 0, 2, 100), b("b", 2, 4, 100), b("c", 4, 6, 100)], { retentionTimeMs: 0, retentionSizeBytes: 250, otherBytes: 40 });
    expect(d.beyondSize).toEqual(["a"]);
    const tighter = blocksBeyondRetention([b("a", 0, 2, 100), b("b", 2, 4, 100), b("c", 4, 6, 100)], { retentionTimeMs: 0, retentionSizeBytes: 200, otherBytes: 40 });
    expect(tighter.beyondSize).toEqual(["b", "a"]);
  });
});
