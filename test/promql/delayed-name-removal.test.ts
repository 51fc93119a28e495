// EngineOptions.delayedNameRemoval: off by default (Prometheus' default), where operations drop
// __name__ at once; on, the name stays readable until the result is assembled.
import { describe, expect, test } from "vitest";
import { labelsFromRecord, labelsToString } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine.js";
import type { QueryValue } from "../../src/promql/value.js";
import { MemoryStorage } from "./memory-storage.js";

function storage(): MemoryStorage {
  const s = new MemoryStorage();
  for (let k = 0; k <= 10; k++) {
    s.add(labelsFromRecord({ __name__: "a_total", env: "1" }), k * 60_000, k * 10);
    s.add(labelsFromRecord({ __name__: "b_total", env: "1" }), k * 60_000, k * 20);
    s.add(labelsFromRecord({ __name__: "typed_total", __type__: "counter", __unit__: "requests", env: "2" }), k * 60_000, k);
  }
  return s;
}

function printed(v: QueryValue): string[] {
  if (v.type !== "vector") throw new Error(`expected a vector, got ${v.type}`);
  return v.samples.map((s) => `${labelsToString(s.metric)} ${s.v}`).sort();
}

describe("delayed __name__ removal", () => {
  const at = 600_000;

  test("is off by default: rate drops the name before label_replace can read it", async () => {
    const engine = new Engine();
    await expect(engine.instantQuery(storage(), 'label_replace(rate({env="1"}[5m]), "src", "$1", "__name__", "(.+)")', at)).rejects.toThrow(
      "vector cannot contain metrics with the same labelset",
    );
    const r = await engine.instantQuery(storage(), 'label_replace(rate(a_total[5m]), "src", "$1", "__name__", "(.*)")', at);
    expect(printed(r.value)).toEqual(['{env="1"} 0.16666666666666666']);
  });

  test("when on, label_replace reads the pending name and the result drops it", async () => {
    const engine = new Engine({ delayedNameRemoval: true });
    const r = await engine.instantQuery(storage(), 'label_replace(rate({env="1"}[5m]), "src", "$1", "__name__", "(.+)")', at);
    expect(printed(r.value)).toEqual(['{env="1", src="a_total"} 0.16666666666666666', '{env="1", src="b_total"} 0.3333333333333333']);
  });

  test("when on, writing __name__ with label_replace keeps it", async () => {
    const engine = new Engine({ delayedNameRemoval: true });
    const r = await engine.instantQuery(storage(), 'label_replace(rate(a_total[5m]), "__name__", "rate_$1", "__name__", "(.+)")', at);
    expect(printed(r.value)).toEqual(['rate_a_total{env="1"} 0.16666666666666666']);
  });

  test("both ways, dropping the name also drops __type__ and __unit__", async () => {
    for (const delayedNameRemoval of [false, true]) {
      const engine = new Engine({ delayedNameRemoval });
      const r = await engine.instantQuery(storage(), "typed_total * 2", at);
      expect(printed(r.value)).toEqual(['{env="2"} 20']);
      const kept = await engine.instantQuery(storage(), "typed_total > 1", at);
      expect(printed(kept.value)).toEqual(['typed_total{__type__="counter", __unit__="requests", env="2"} 10']);
    }
  });

  test("when on, series that only differed by name join unless they overlap", async () => {
    const engine = new Engine({ delayedNameRemoval: true });
    await expect(engine.instantQuery(storage(), '-{env="1"}', at)).rejects.toThrow("vector cannot contain metrics with the same labelset");
    const r = await engine.rangeQuery(storage(), "-a_total or -b_total", 0, 120_000, 60_000);
    expect(r.value.type).toBe("matrix");
    if (r.value.type === "matrix") {
      expect(r.value.series.map((s) => labelsToString(s.metric))).toEqual(['{env="1"}']);
      expect([...r.value.series[0].vs]).toEqual([-0, -10, -20]);
    }
  });
});
