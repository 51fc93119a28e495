// `promwasm-tool test rules` against `promtool test rules` (Prometheus 2.42) on the fixtures in
// testdata/unit: same exit code, same stdout and byte-for-byte the same failure report on
// stderr. 2.42 prints a "Unit Testing:  <file>" line that Prometheus 3 dropped; it is removed
// before comparing. The fixtures avoid what 2.42 reads differently from 3.x (a group without
// `interval` loads every value at time 0 there; `0x10` is a hex number there, ten zeros in 3.x).
// --run and --junit came after 2.42 and are checked against what Prometheus documents.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const dir = join(import.meta.dirname, "testdata", "unit");
const TOOL = join(import.meta.dirname, "..", "..", "build", "dist", "src", "cmd", "promwasm-tool.js");
const promtool = referenceBinary("promtool");

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function ours(...args: string[]): Run {
  const r = spawnSync(process.execPath, [TOOL, "test", ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function theirs(...args: string[]): Run {
  const r = spawnSync(promtool!, ["test", ...args], { cwd: dir, encoding: "utf8" });
  // The program names itself in usage errors.
  return { code: r.status, out: r.stdout.replace(/^Unit Testing: {2}.*\n/gm, ""), err: r.stderr.replace(/^promtool: /gm, "promwasm-tool: ") };
}

describe.runIf(promtool)("test rules vs promtool", () => {
  const cases: [string, number][] = [
    ["pass.yml", 0],
    ["fail.yml", 1],
    ["eval-error.yml", 1],
    ["bad-field.yml", 1],
    ["no-alertname.yml", 1],
    ["repeated-order.yml", 1],
    ["no-match.yml", 0],
    ["missing.yml", 1],
  ];
  it.each(cases)("%s", (file, code) => {
    const ref = theirs("rules", file);
    expect(ref.code).toBe(code);
    expect(ours("rules", file)).toEqual(ref);
  });

  it("several files: each reported in turn, failing if any fails", () => {
    const files = ["pass.yml", "fail.yml", "no-match.yml"];
    const ref = theirs("rules", ...files);
    expect(ref.code).toBe(1);
    expect(ours("rules", ...files)).toEqual(ref);
  });
});

describe("test rules options Prometheus 3 added", () => {
  const tmp = tempDir("unit-junit");
  afterAll(() => tmp.cleanup());

  it("--run picks the test groups whose names match", () => {
    const all = ours("rules", "fail.yml");
    const named = ours("rules", "--run=^wrong", "fail.yml");
    const none = ours("rules", "--run", "^nothing$", "fail.yml");
    expect(all.err).toContain("nonexistent_fn");
    expect(named.code).toBe(1);
    expect(named.err).toContain("name: wrong expectations,");
    expect(named.err).not.toContain("nonexistent_fn");
    expect(none).toEqual({ code: 0, out: "  SUCCESS\n\n", err: "" });
    // Several --run flags are alternatives.
    expect(ours("rules", "--run=^nothing$", "--run=^wrong", "fail.yml").err).toBe(named.err);
  });

  it("--junit writes one testsuite per file and one testcase per group, with each failure", () => {
    const out = join(tmp.dir, "junit.xml");
    const r = ours(`--junit=${out}`, "rules", "pass.yml", "fail.yml", "bad-field.yml");
    expect(r.code).toBe(1);
    const xml = readFileSync(out, "utf8");
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="0" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d">/g)].map((m) => m.slice(1));
    // fail.yml: six failed expectations in its named group, two in the unnamed one;
    // bad-field.yml cannot be read, which is an error of the suite, not a failure.
    expect(suites).toEqual([
      ["pass.yml", "2", "0", "0"],
      ["fail.yml", "2", "8", "0"],
      ["bad-field.yml", "1", "0", "1"],
    ]);
    expect(xml).toMatch(/^<testsuites><testsuite /);
    expect(xml).toContain('<testcase name="one instance down"></testcase><testcase name="stale and gaps"></testcase>');
    expect(xml).toContain('<testcase name="unnamed#1"><failure>    expr: &#34;nonexistent_fn(up)&#34;');
    expect(xml).toContain('<testcase name="unknown"><error>yaml: unmarshal errors:&#xA;  line 5: field promql_exp_test not found in type main.testGroup</error></testcase>');
  });

  it("a group without interval loads its values at evaluation_interval steps", () => {
    // Prometheus 2.42 loaded them all at time 0 here; 3.x defaults the interval.
    const r = ours("rules", "default-interval.yml");
    expect(r).toEqual({ code: 0, out: "  SUCCESS\n\n", err: "" });
  });

  it("usage errors name the problem", () => {
    expect(ours("rules")).toMatchObject({ code: 1, err: "promwasm-tool: error: required argument 'test-rule-file' not provided, try --help\n" });
    expect(ours("rules", "--bogus", "pass.yml")).toMatchObject({ code: 1, err: "promwasm-tool: error: unknown long flag '--bogus', try --help\n" });
    expect(ours("--help").code).toBe(0);
  });
});
