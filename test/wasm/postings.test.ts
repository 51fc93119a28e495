import { describe, expect, test } from "vitest";
import { differencePostings, intersectPostings, unionPostings } from "../../src/wasm/index.js";
import { rng } from "./gen.js";

function sortedList(r: () => number, n: number, range: number): Uint32Array {
  const s = new Set<number>();
  for (let i = 0; i < n; i++) s.add(Math.floor(r() * range));
  return Uint32Array.from([...s].sort((a, b) => a - b));
}

const refIntersect = (lists: Uint32Array[]): number[] => {
  const sets = lists.map((l) => new Set(l));
  return lists.length === 0 ? [] : [...lists[0]!].filter((x) => sets.every((s) => s.has(x)));
};
const refUnion = (lists: Uint32Array[]): number[] => [...new Set(lists.flatMap((l) => [...l]))].sort((a, b) => a - b);
const refDiff = (a: Uint32Array, b: Uint32Array): number[] => {
  const sb = new Set(b);
  return [...a].filter((x) => !sb.has(x));
};

describe("postings set operations against Set-based references", () => {
  test("random lists of mixed sizes, densities and counts", () => {
    const r = rng(42);
    for (let round = 0; round < 200; round++) {
      const k = 1 + Math.floor(r() * 6);
      const range = 10 + Math.floor(r() * 5000);
      // Some lists much longer than others exercise the galloping path.
      const lists = Array.from({ length: k }, () => sortedList(r, Math.floor(r() * (r() < 0.3 ? 2000 : 50)), range));
      expect(Array.from(intersectPostings(lists))).toEqual(refIntersect(lists));
      expect(Array.from(unionPostings(lists))).toEqual(refUnion(lists));
      expect(Array.from(differencePostings(lists[0]!, lists[k - 1]!))).toEqual(refDiff(lists[0]!, lists[k - 1]!));
    }
  });

  test("edges: no lists, empty lists, identical lists, values at the top of u32", () => {
    expect(intersectPostings([]).length).toBe(0);
    expect(unionPostings([]).length).toBe(0);
    const a = Uint32Array.from([0, 1, 5, 0xfffffffe, 0xffffffff]);
    const empty = new Uint32Array(0);
    expect(Array.from(intersectPostings([a, empty]))).toEqual([]);
    expect(Array.from(intersectPostings([a, a, a]))).toEqual(Array.from(a));
    expect(Array.from(unionPostings([empty, a, empty, a]))).toEqual(Array.from(a));
    expect(Array.from(differencePostings(a, empty))).toEqual(Array.from(a));
    expect(Array.from(differencePostings(empty, a))).toEqual([]);
    expect(Array.from(differencePostings(a, Uint32Array.from([1, 0xffffffff])))).toEqual([0, 5, 0xfffffffe]);
    expect(Array.from(unionPostings([Uint32Array.from([0xffffffff]), Uint32Array.from([0])]))).toEqual([0, 0xffffffff]);
  });

  test("many lists (k-way union of 500 small lists, intersection of 50)", () => {
    const r = rng(5);
    const lists = Array.from({ length: 500 }, () => sortedList(r, 20, 100_000));
    expect(Array.from(unionPostings(lists))).toEqual(refUnion(lists));
    const dense = Array.from({ length: 50 }, () => sortedList(r, 900, 1000));
    expect(Array.from(intersectPostings(dense))).toEqual(refIntersect(dense));
  });

  test("difference with a much longer b (galloping path)", () => {
    const r = rng(8);
    for (let round = 0; round < 20; round++) {
      const a = sortedList(r, 30, 100_000);
      const b = sortedList(r, 5000, 100_000);
      const withShared = Uint32Array.from(new Set([...b, ...a.filter(() => r() < 0.5)])).sort();
      expect(Array.from(differencePostings(a, withShared))).toEqual(refDiff(a, withShared));
      expect(Array.from(intersectPostings([a, withShared]))).toEqual(refIntersect([a, withShared]));
    }
  });

  test("results are copies: inputs are left untouched", () => {
    const a = Uint32Array.from([1, 2, 3]);
    const b = Uint32Array.from([2, 3, 4]);
    const i = intersectPostings([a, b]);
    i[0] = 99;
    expect(Array.from(a)).toEqual([1, 2, 3]);
    expect(Array.from(b)).toEqual([2, 3, 4]);
  });
});
