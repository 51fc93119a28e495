// promwasm-tool check config must judge each fixture as /usr/bin/promtool does.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cmd/tool-check.js";
import { referenceBinary } from "../helpers/reference.js";

const dir = join(import.meta.dirname, "testdata");
const fixtures = ["valid", "invalid"].flatMap((kind) => readdirSync(join(dir, kind)).filter((f) => f.endsWith(".yml")).map((f) => ({ kind, file: join(dir, kind, f) })));
const promtool = referenceBinary("promtool");

async function ours(file: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await checkCommand(["config", file], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function theirs(file: string): number {
  try {
    execFileSync(promtool!, ["check", "config", file], { stdio: "pipe", cwd: dir });
    return 0;
  } catch (e) {
    return (e as { status: number }).status;
  }
}

describe("check config", () => {
  for (const { kind, file } of fixtures) {
    it(`${kind}/${file.split("/").pop()} is judged ${kind}`, async () => {
      const r = await ours(file);
      expect(r.code, r.err).toBe(kind === "valid" ? 0 : 1);
      if (kind === "valid") expect(r.out).toContain("SUCCESS");
      else expect(r.err).toContain("FAILED");
    });
  }

  it.runIf(promtool !== undefined)("agrees with promtool on every fixture", async () => {
    for (const { file } of fixtures) {
      expect({ file, code: (await ours(file)).code }).toEqual({ file, code: theirs(file) });
    }
  });

  it.runIf(promtool !== undefined)("prints what promtool prints for a config with rule files", async () => {
    const file = join(dir, "valid", "with-rules.yml");
    const theirsOut = execFileSync(promtool!, ["check", "config", file], { encoding: "utf8" });
    expect((await ours(file)).out).toBe(theirsOut);
  });

  it("names the offending line", async () => {
    const r = await ours(join(dir, "invalid", "unknown-field.yml"));
    expect(r.err).toContain("line 3: field foo not found in type config.plain");
    expect(r.err).toContain("line 6: field bar not found in type config.ScrapeConfig");
    const dup = await ours(join(dir, "invalid", "bad-regex.yml"));
    expect(dup.err).toMatch(/bad-regex\.yml:5\)/);
  });
});
