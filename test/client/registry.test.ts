// Registry validation on register and consistency checks on gather.
import { describe, expect, test } from "vitest";
import {
  AlreadyRegisteredError, Counter, CounterVec, Desc, GatherError, Gauge, InvalidNameError, Registry,
  RegistrationError, newConstMetric, type Collector, type MetricFamily,
} from "../../src/client/index.js";

describe("names", () => {
  test("invalid metric and label names are rejected at construction", () => {
    expect(() => new Counter({ name: "1abc", help: "X." })).toThrow(InvalidNameError);
    expect(() => new Counter({ name: "a-b", help: "X." })).toThrow(InvalidNameError);
    expect(() => new Counter({ name: "ok", help: "" })).toThrow(InvalidNameError);
    expect(() => new CounterVec({ name: "ok", help: "X.", labelNames: ["__reserved"] })).toThrow(InvalidNameError);
    expect(() => new CounterVec({ name: "ok", help: "X.", labelNames: ["a:b"] })).toThrow(InvalidNameError);
    expect(() => new CounterVec({ name: "ok", help: "X.", labelNames: ["a", "a"] })).toThrow(InvalidNameError);
    expect(() => new CounterVec({ name: "ok", help: "X.", labelNames: ["a"], constLabels: { a: "1" } })).toThrow(InvalidNameError);
    // Colons are fine in metric names; namespace and subsystem join with "_".
    expect(new Counter({ name: "total", namespace: "app", subsystem: "http:x", help: "X." }).desc.fqName).toBe("app_http:x_total");
  });
});

describe("register", () => {
  test("registering the same collector twice, or an equal one, is AlreadyRegisteredError carrying the first", () => {
    const r = new Registry();
    const c = new Counter({ name: "a_total", help: "A.", registers: [r] });
    expect(() => r.register(c)).toThrow(AlreadyRegisteredError);
    const twin = new Counter({ name: "a_total", help: "A." });
    try {
      r.register(twin);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AlreadyRegisteredError);
      expect((err as AlreadyRegisteredError).existing).toBe(c);
    }
  });

  test("same name with other help or label names is a conflict; other const label values are fine", () => {
    const r = new Registry();
    r.register(new Gauge({ name: "g", help: "G.", constLabels: { shard: "1" } }));
    expect(() => r.register(new Gauge({ name: "g", help: "Other help.", constLabels: { shard: "2" } }))).toThrow(RegistrationError);
    expect(() => r.register(new Gauge({ name: "g", help: "G.", constLabels: { other: "2" } }))).toThrow(RegistrationError);
    r.register(new Gauge({ name: "g", help: "G.", constLabels: { shard: "2" } }));
    expect(r.metrics()).toBe('# HELP g G.\n# TYPE g gauge\ng{shard="1"} 0\ng{shard="2"} 0\n');
  });

  test("a collector sharing one descriptor with a registered one is a RegistrationError", () => {
    const r = new Registry();
    const d1 = new Desc({ fqName: "x", help: "X." });
    const d2 = new Desc({ fqName: "y", help: "Y." });
    const custom = (descs: Desc[]): Collector => ({ describe: () => descs, collect: () => [] });
    r.register(custom([d1]));
    const err = (() => { try { r.register(custom([d1, d2])); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(RegistrationError);
    expect(err).not.toBeInstanceOf(AlreadyRegisteredError);
    expect(() => r.register(custom([d2, d2]))).toThrow(RegistrationError);
  });

  test("unregister frees the name", () => {
    const r = new Registry();
    const c = new Counter({ name: "a_total", help: "A.", registers: [r] });
    expect(r.unregister(c)).toBe(true);
    expect(r.unregister(c)).toBe(false);
    r.register(new Counter({ name: "a_total", help: "Different help now." }));
    expect(r.gather().map((f) => f.help)).toEqual(["Different help now."]);
  });
});

describe("gather", () => {
  const d = new Desc({ fqName: "custom", help: "C.", variableLabels: ["k"] });
  const collector = (fams: () => MetricFamily[]): Collector => ({ describe: () => [], collect: fams });

  test("families with the same name merge and sort; duplicates are a GatherError", () => {
    const r = new Registry();
    r.register(collector(() => [newConstMetric(d, "gauge", 2, ["b"]), newConstMetric(d, "gauge", 1, ["a"])]));
    r.register(collector(() => [newConstMetric(d, "gauge", 3, ["c"])]));
    expect(r.metrics()).toBe('# HELP custom C.\n# TYPE custom gauge\ncustom{k="a"} 1\ncustom{k="b"} 2\ncustom{k="c"} 3\n');
    r.register(collector(() => [newConstMetric(d, "gauge", 9, ["a"])]));
    expect(() => r.gather()).toThrow(GatherError);
  });

  test("a family whose type differs from an earlier one is a GatherError", () => {
    const r = new Registry();
    r.register(collector(() => [newConstMetric(d, "gauge", 1, ["a"])]));
    r.register(collector(() => [newConstMetric(d, "counter", 1, ["b"])]));
    expect(() => r.gather()).toThrow(GatherError);
  });

  test("a collector that described its metrics may not yield others", () => {
    const r = new Registry();
    const other = new Desc({ fqName: "other", help: "O." });
    r.register({ describe: () => [d], collect: () => [newConstMetric(other, "gauge", 1)] });
    expect(() => r.gather()).toThrow(GatherError);
  });

  test("families come out sorted by name", () => {
    const r = new Registry();
    for (const name of ["b", "c", "a"]) new Gauge({ name, help: "H.", registers: [r] });
    expect(r.gather().map((f) => f.name)).toEqual(["a", "b", "c"]);
  });
});
