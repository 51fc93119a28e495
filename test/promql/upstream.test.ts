// Runs the upstream PromQL test scripts as part of `npm test`: one test per file, failing
// with the failed cases listed. Skipped cases are features promwasm does not implement (skips.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { runScript, UPSTREAM_DIR, upstreamFiles } from "./promqltest.js";

for (const file of upstreamFiles()) {
  test(`upstream ${file}`, async () => {
    const outcomes = await runScript(readFileSync(join(UPSTREAM_DIR, file), "utf8"));
    const failed = outcomes.filter((o) => o.status === "failed").map((o) => `line ${o.line}: ${o.query}: ${o.reason}`);
    expect(failed).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(0);
  });
}
