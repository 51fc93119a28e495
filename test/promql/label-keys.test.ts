// Grouping and matching key label sets exactly: a value may hold any character, including
// the bytes an earlier key format used as separators.
import { describe, expect, test } from "vitest";
import { labelsFromRecord, labelsKey, labelsToString } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine.js";
import type { QueryValue } from "../../src/promql/value.js";
import { MemoryStorage } from "./memory-storage.js";

const tricky = [
  { __name__: "m", a: "1\xffb\xfe2" },
  { __name__: "m", a: "1", b: "2" },
  { __name__: "m", a: "1\xff", b: "2" },
  { __name__: "m", a: "1", b: "\xff2" },
  { __name__: "m", a: "2:a1:1", b: "" },
];

function printed(v: QueryValue): string[] {
  if (v.type !== "vector") throw new Error(`expected a vector, got ${v.type}`);
  return v.samples.map((s) => `${labelsToString(s.metric)} ${s.v}`).sort();
}

describe("label set keys", () => {
  test("differ for every distinct label set", () => {
    const keys = new Set(tricky.map((r) => labelsKey(labelsFromRecord(r))));
    expect(keys.size).toBe(tricky.length);
  });

  test("keep groups and one-to-one matches apart", async () => {
    const s = new MemoryStorage();
    tricky.forEach((r, i) => s.add(labelsFromRecord(r), 0, i + 1));
    const engine = new Engine();
    const byAB = await engine.instantQuery(s, "count by (a, b) (m)", 0);
    expect(printed(byAB.value).length).toBe(tricky.length);
    // Each series matches only itself: m / m is 1 for all five, none dropped as ambiguous.
    const ratio = await engine.instantQuery(s, "m / m", 0);
    expect(printed(ratio.value).map((l) => l.split(" ").pop())).toEqual(["1", "1", "1", "1", "1"]);
  });
});
