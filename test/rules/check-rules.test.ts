// `promwasm-tool check rules` against `promtool check rules` (Prometheus 2.42) on good and bad fixtures.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRulesCommand } from "../../src/cmd/tool-rules.js";
import { referenceBinary } from "../helpers/reference.js";

const testdata = join(import.meta.dirname, "testdata");
const fixtures = ["good", "bad"].flatMap((d) => readdirSync(join(testdata, d)).filter((f) => f.endsWith(".yml")).map((f) => `${d}/${f}`));
const promtool = referenceBinary("promtool");

async function ours(file: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await checkRulesCommand([file], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function theirs(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(promtool!, ["check", "rules", ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Problem lines, without the ones whose wording comes from the YAML library rather than Prometheus. */
function problems(err: string): string[] {
  return err
    .split("\n")
    .filter((l) => l !== "" && l !== "  FAILED:" && !/: yaml: line \d+:/.test(l))
    .sort();
}

describe.skipIf(!promtool)("check rules vs promtool", () => {
  it.each(fixtures)("%s", async (fixture) => {
    const ref = theirs(join(testdata, fixture));
    const got = await ours(join(testdata, fixture));
    expect(got.code).toBe(ref.code);
    expect(fixture.startsWith("good/") ? 0 : 1).toBe(ref.code);
    expect(got.out).toBe(ref.out);
    expect(problems(got.err)).toEqual(problems(ref.err));
  });
});

describe.skipIf(!promtool)("check rules --lint-fatal vs promtool", () => {
  it.each(["good/duplicates.yml", "good/basic.yml"])("%s", async (fixture) => {
    const file = join(testdata, fixture);
    const ref = theirs("--lint-fatal", file);
    let out = "";
    let err = "";
    const code = await checkRulesCommand(["--lint-fatal", file], { out: (s) => (out += s), err: (s) => (err += s) });
    expect({ code, out, err }).toEqual(ref);
  });
});

describe("check rules", () => {
  it("reports a missing file", async () => {
    const got = await ours(join(testdata, "no-such-file.yml"));
    expect(got.code).toBe(1);
    expect(got.err).toContain("no such file or directory");
  });
});
