// Vecs: children keyed by label values, curried views, removal.
import { describe, expect, test } from "vitest";
import { CounterVec, GaugeVec, HistogramVec, LabelValuesError, Registry, SummaryVec } from "../../src/client/index.js";

function values(vec: { collect(): Iterable<{ metrics: readonly { labels: readonly { name: string; value: string }[]; value?: number }[] }> }) {
  const out: string[] = [];
  for (const fam of vec.collect()) for (const m of fam.metrics) out.push(m.labels.map((l) => `${l.name}=${l.value}`).join(",") + " " + m.value);
  return out;
}

describe("child lookup", () => {
  test("positional and object forms reach the same child", () => {
    const v = new CounterVec({ name: "req_total", help: "R.", labelNames: ["method", "code"] });
    const a = v.labels("GET", "200");
    expect(v.labels("GET", "200")).toBe(a);
    expect(v.labels({ code: "200", method: "GET" })).toBe(a);
    expect(v.withLabelValues(["GET", "200"])).toBe(a);
    expect(v.withLabels({ method: "GET", code: "200" })).toBe(a);
    a.inc();
    v.labels("GET", "500").inc(2);
    expect(values(v)).toEqual(["code=200,method=GET 1", "code=500,method=GET 2"]);
  });

  test("wrong label values are rejected with LabelValuesError", () => {
    const v = new GaugeVec({ name: "g", help: "G.", labelNames: ["a", "b"] });
    expect(() => v.labels("x")).toThrow(LabelValuesError);
    expect(() => v.labels("x", "y", "z")).toThrow(LabelValuesError);
    expect(() => v.labels({ a: "x" })).toThrow(LabelValuesError);
    expect(() => v.labels({ a: "x", c: "y" })).toThrow(LabelValuesError);
    expect(() => v.labels({ a: "x", b: "y", c: "z" })).toThrow(LabelValuesError);
    expect(() => v.withLabelValues(["x"])).toThrow(LabelValuesError);
    v.labels("x", "y").set(1);
    // A hit does not skip the count check.
    expect(() => v.labels("x", "y", "z")).toThrow(LabelValuesError);
    expect(values(v)).toEqual(["a=x,b=y 1"]);
  });

  test("more than eight labels go through withLabelValues", () => {
    const names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const v = new CounterVec({ name: "wide_total", help: "W.", labelNames: names });
    expect(() => v.labels("1", "2", "3", "4", "5", "6", "7", "8")).toThrow(LabelValuesError);
    v.withLabelValues(names.map((n) => n.toUpperCase())).inc();
    expect(v.withLabelValues(names.map((n) => n.toUpperCase())).get()).toBe(1);
  });

  test("children are sorted by label set, constant labels included", () => {
    const v = new GaugeVec({ name: "g", help: "G.", labelNames: ["zone"], constLabels: { app: "x" } });
    for (const z of ["b", "a!", "a", "c"]) v.labels(z).set(1);
    expect(values(v)).toEqual(["app=x,zone=a 1", "app=x,zone=a! 1", "app=x,zone=b 1", "app=x,zone=c 1"]);
  });
});

describe("curry, remove, reset", () => {
  test("curried views share children with the parent", () => {
    const v = new CounterVec({ name: "req_total", help: "R.", labelNames: ["method", "code", "path"] });
    const get = v.curryWith({ method: "GET" });
    const getRoot = get.curryWith({ path: "/" });
    getRoot.labels("200").inc();
    expect(v.labels("GET", "200", "/").get()).toBe(1);
    expect(get.labels({ code: "200", path: "/" })).toBe(getRoot.labels("200"));
    expect(() => get.curryWith({ method: "POST" })).toThrow(LabelValuesError);
    expect(() => v.curryWith({ nope: "x" })).toThrow(LabelValuesError);
    expect(() => getRoot.labels("200", "/")).toThrow(LabelValuesError);
    expect(getRoot.remove("200")).toBe(true);
    expect(values(v)).toEqual([]);
  });

  test("remove, removePartial and reset", () => {
    const v = new HistogramVec({ name: "h", help: "H.", labelNames: ["a", "b"], buckets: [1] });
    v.labels("1", "x").observe(1);
    v.labels("1", "y").observe(1);
    v.labels("2", "x").observe(1);
    expect(v.remove("1", "y")).toBe(true);
    expect(v.remove({ a: "1", b: "y" })).toBe(false);
    expect([...v.collect()][0].metrics.length).toBe(2);
    expect(v.removePartial({ b: "x" })).toBe(2);
    expect([...v.collect()]).toEqual([]);
    v.labels("3", "z").observe(2);
    v.reset();
    expect([...v.collect()]).toEqual([]);
    // A removed child starts over when it comes back.
    expect(v.labels("3", "z").metric().histogram!.count).toBe(0);
  });

  test("a Vec without children is left out of the exposition", () => {
    const r = new Registry();
    new SummaryVec({ name: "s", help: "S.", labelNames: ["x"], registers: [r] });
    expect(r.metrics()).toBe("");
  });
});

test("a Vec without label names has exactly one child", () => {
  const v = new GaugeVec({ name: "solo", help: "S.", labelNames: [], constLabels: { k: "v" } });
  v.labels().set(3);
  expect(v.labels()).toBe(v.withLabelValues([]));
  expect(v.labels({})).toBe(v.labels());
  expect(() => v.labels("x")).toThrow(LabelValuesError);
  expect(values(v)).toEqual(["k=v 3"]);
  expect(v.remove()).toBe(true);
  expect(values(v)).toEqual([]);
});
