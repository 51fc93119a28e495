// promwasm-tool check web-config must judge each fixture as /usr/bin/promtool does.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cmd/tool-check.js";
import { referenceBinary } from "../helpers/reference.js";

const dir = join(import.meta.dirname, "testdata", "web");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml")).map((f) => join(dir, f));
const promtool = referenceBinary("promtool");

async function ours(file: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await checkCommand(["web-config", file], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe("check web-config", () => {
  it("accepts the ok-* fixtures and rejects the others, naming the problem", async () => {
    for (const f of files) {
      const r = await ours(f);
      const ok = f.split("/").pop()!.startsWith("ok-");
      expect({ f, code: r.code }).toEqual({ f, code: ok ? 0 : 1 });
      expect(ok ? r.out : r.err).toContain(ok ? `${f} SUCCESS` : `${f} FAILED: `);
    }
    expect((await ours(join(dir, "bad-header.yml"))).err).toContain('HTTP header "X-Foo" can not be configured');
    expect((await ours(join(dir, "missing-key-file.yml"))).err).toContain("missing key_file");
    expect((await ours(join(dir, "unknown-field.yml"))).err).toContain("line 1: field foo not found in type web.Config");
  });

  it.runIf(promtool !== undefined)("agrees with promtool", async () => {
    for (const f of files) {
      let theirs = 0;
      try {
        execFileSync(promtool!, ["check", "web-config", f], { stdio: "pipe" });
      } catch (e) {
        theirs = (e as { status: number }).status;
      }
      expect({ f, code: (await ours(f)).code }).toEqual({ f, code: theirs });
    }
  });
});
