import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord } from "../../src/model/labels.js";
import { compileRelabelConfig, type RelabelConfig } from "../../src/relabel/config.js";
import { RelabelConfigError } from "../../src/relabel/errors.js";
import { relabel } from "../../src/relabel/relabel.js";

function run(input: Record<string, string>, configs: RelabelConfig[]): Record<string, string> | undefined {
  const out = relabel(labelsFromRecord(input), configs);
  return out === undefined ? undefined : labelsToRecord(out);
}

describe("relabel replace", () => {
  it("uses the defaults: regex (.*), replacement $1, separator ;", () => {
    expect(run({ a: "foo", b: "bar" }, [{ sourceLabels: ["a", "b"], targetLabel: "c" }])).toEqual({ a: "foo", b: "bar", c: "foo;bar" });
  });
  it("expands numbered and named groups in the replacement and the target", () => {
    const cfg: RelabelConfig = { sourceLabels: ["a"], regex: "f(?P<mid>o+)(.*)", targetLabel: "x_${2}", replacement: "$mid-${1}-$2", action: "replace" };
    expect(run({ a: "foobar" }, [cfg])).toEqual({ a: "foobar", x_bar: "oo-oo-bar" });
  });
  it("treats $1x as a reference to a group named 1x, which expands to nothing", () => {
    expect(run({ a: "foo" }, [{ sourceLabels: ["a"], regex: "(f)oo", targetLabel: "b", replacement: "$1x|${1}x|$$" }])).toEqual({
      a: "foo",
      b: "|fx|$",
    });
  });
  it("leaves the set unchanged when the regex does not match the whole value", () => {
    expect(run({ a: "foobar" }, [{ sourceLabels: ["a"], regex: "foo", targetLabel: "b", replacement: "x" }])).toEqual({ a: "foobar" });
  });
  it("deletes the target when the replacement expands to empty", () => {
    expect(run({ a: "foo", b: "keepme" }, [{ sourceLabels: ["a"], regex: "foo(.*)", targetLabel: "b" }])).toEqual({ a: "foo" });
  });
  it("skips an expanded target that is not a valid label name", () => {
    expect(run({ a: "1bad" }, [{ sourceLabels: ["a"], targetLabel: "${1}", replacement: "v" }])).toEqual({ a: "1bad" });
  });
  it("sets a constant label from missing sources (empty value still matches (.*))", () => {
    expect(run({ a: "x" }, [{ sourceLabels: ["nope"], targetLabel: "env", replacement: "prod" }])).toEqual({ a: "x", env: "prod" });
  });
  it("rewrites __address__ like the common host:port example", () => {
    const cfg: RelabelConfig = { sourceLabels: ["__address__"], regex: "([^:]+)(?::\\d+)?", replacement: "${1}:9100", targetLabel: "__address__" };
    expect(run({ __address__: "node1:22" }, [cfg])).toEqual({ __address__: "node1:9100" });
  });
});

describe("relabel keep/drop and the equal variants", () => {
  it("keep drops sets whose joined source value does not match", () => {
    const cfg: RelabelConfig = { sourceLabels: ["job", "env"], regex: "api;prod", action: "keep" };
    expect(run({ job: "api", env: "prod" }, [cfg])).toEqual({ job: "api", env: "prod" });
    expect(run({ job: "api", env: "dev" }, [cfg])).toBeUndefined();
  });
  it("drop drops matching sets, with a custom separator", () => {
    const cfg: RelabelConfig = { sourceLabels: ["a", "b"], separator: "-", regex: "x-.*", action: "drop" };
    expect(run({ a: "x", b: "y" }, [cfg])).toBeUndefined();
    expect(run({ a: "z", b: "y" }, [cfg])).toEqual({ a: "z", b: "y" });
  });
  it("keepequal and dropequal compare the joined sources to the target label", () => {
    const keep: RelabelConfig = { sourceLabels: ["__meta_port"], targetLabel: "port", action: "keepequal" };
    expect(run({ __meta_port: "80", port: "80" }, [keep])).toEqual({ __meta_port: "80", port: "80" });
    expect(run({ __meta_port: "80", port: "81" }, [keep])).toBeUndefined();
    const drop: RelabelConfig = { sourceLabels: ["__meta_port"], targetLabel: "port", action: "dropequal" };
    expect(run({ __meta_port: "80", port: "80" }, [drop])).toBeUndefined();
    expect(run({ __meta_port: "80" }, [drop])).toEqual({ __meta_port: "80" });
  });
  it("stops at the first dropping step", () => {
    const cfgs: RelabelConfig[] = [{ sourceLabels: ["a"], regex: "no", action: "keep" }, { targetLabel: "b", replacement: "x" }];
    expect(run({ a: "yes" }, cfgs)).toBeUndefined();
  });
});

describe("relabel hashmod", () => {
  it("takes md5 of the joined value, low 8 bytes big-endian, modulo", () => {
    // md5("foo;bar") computed independently: bytes 8..15 as an unsigned big-endian integer.
    const digest = createHash("md5").update("foo;bar").digest("hex");
    const expected = (BigInt("0x" + digest.slice(16)) % 1000n).toString();
    expect(run({ a: "foo", b: "bar" }, [{ sourceLabels: ["a", "b"], modulus: 1000, targetLabel: "shard", action: "hashmod" }])).toEqual({
      a: "foo",
      b: "bar",
      shard: expected,
    });
  });
  it("gives the value computed outside JS for md5('foo') mod 1000", () => {
    // md5("foo") = acbd18db4cc2f85cedef654fccc4a4d8 (md5sum); 0xedef654fccc4a4d8 % 1000 = 696 (python3).
    expect(run({ a: "foo" }, [{ sourceLabels: ["a"], modulus: 1000, targetLabel: "h", action: "hashmod" }])).toEqual({ a: "foo", h: "696" });
  });
});

describe("relabel label-name actions", () => {
  it("labelmap copies matching labels under the expanded name", () => {
    const cfg: RelabelConfig = { regex: "__meta_kubernetes_(.+)", action: "labelmap" };
    expect(run({ __meta_kubernetes_pod: "p1", __meta_kubernetes_ns: "default", other: "x" }, [cfg])).toEqual({
      __meta_kubernetes_pod: "p1",
      __meta_kubernetes_ns: "default",
      other: "x",
      pod: "p1",
      ns: "default",
    });
  });
  it("labeldrop removes and labelkeep retains names matching the regex", () => {
    expect(run({ a: "1", ab: "2", b: "3" }, [{ regex: "a.*", action: "labeldrop" }])).toEqual({ b: "3" });
    expect(run({ a: "1", ab: "2", b: "3" }, [{ regex: "a.*", action: "labelkeep" }])).toEqual({ a: "1", ab: "2" });
  });
  it("lowercase and uppercase write the case-mapped joined value", () => {
    expect(run({ a: "FoO", b: "Bar" }, [{ sourceLabels: ["a", "b"], targetLabel: "l", action: "lowercase" }])).toEqual({ a: "FoO", b: "Bar", l: "foo;bar" });
    expect(run({ a: "FoO" }, [{ sourceLabels: ["a"], targetLabel: "u", action: "uppercase" }])).toEqual({ a: "FoO", u: "FOO" });
  });
});

describe("relabel config validation", () => {
  it("rejects what Prometheus rejects at load time", () => {
    expect(() => compileRelabelConfig({ action: "hashmod", targetLabel: "x" })).toThrow(/non-zero modulus/);
    expect(() => compileRelabelConfig({ action: "replace" })).toThrow(/requires 'target_label'/);
    expect(() => compileRelabelConfig({ action: "replace", targetLabel: "1abc" })).toThrow(/invalid 'target_label'/);
    expect(() => compileRelabelConfig({ action: "lowercase", targetLabel: "x", replacement: "y" })).toThrow(/'replacement' can not be set/);
    expect(() => compileRelabelConfig({ action: "labeldrop", regex: "a", sourceLabels: ["b"] })).toThrow(/requires only 'regex'/);
    expect(() => compileRelabelConfig({ action: "keepequal", targetLabel: "x", regex: "a" })).toThrow(/requires only 'source_labels'/);
    expect(() => compileRelabelConfig({ action: "labelmap", replacement: "a-b" })).toThrow(/invalid 'replacement'/);
    expect(() => compileRelabelConfig({ regex: "(", targetLabel: "x" })).toThrow(RelabelConfigError);
    expect(() => compileRelabelConfig({ action: "bogus" as never })).toThrow(/unknown relabel action/);
  });
  it("accepts labeldrop/labelkeep with the empty source_labels a loaded config carries", () => {
    const drop = compileRelabelConfig({ action: "labeldrop", regex: "a.*", sourceLabels: [] });
    expect(labelsToRecord(relabel(labelsFromRecord({ a: "1", b: "2" }), [drop])!)).toEqual({ b: "2" });
    expect(() => compileRelabelConfig({ action: "labelkeep", regex: "a.*", sourceLabels: [] })).not.toThrow();
  });
  it("accepts a template target label", () => {
    expect(compileRelabelConfig({ targetLabel: "lbl_$1" }).targetLabel).toBe("lbl_$1");
  });
});
