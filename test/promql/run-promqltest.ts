// Runs every upstream PromQL test script and prints per-file and per-skip-reason counts;
// the last line is the total. Exit code 1 when any case failed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runScript, UPSTREAM_DIR, upstreamFiles, type CaseOutcome } from "./promqltest.js";

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const reasons = new Map<string, number>();
  for (const file of upstreamFiles()) {
    if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
    let outcomes: CaseOutcome[];
    try {
      outcomes = await runScript(readFileSync(join(UPSTREAM_DIR, file), "utf8"));
    } catch (err) {
      console.log(`${file}: script error: ${(err as Error).message}`);
      failed++;
      continue;
    }
    const p = outcomes.filter((o) => o.status === "passed").length;
    const f = outcomes.filter((o) => o.status === "failed");
    const s = outcomes.filter((o) => o.status === "skipped");
    passed += p;
    failed += f.length;
    skipped += s.length;
    for (const o of s) reasons.set(o.reason!, (reasons.get(o.reason!) ?? 0) + 1);
    console.log(`${file}: ${p} passed, ${f.length} failed, ${s.length} skipped`);
    const show = Number(process.env.SHOW_FAILURES ?? 5);
    for (const o of f.slice(0, show)) console.log(`  line ${o.line}: ${o.query}\n    ${o.reason}`);
  }
  console.log("skipped by reason:");
  for (const [reason, count] of reasons) console.log(`  ${reason}: ${count}`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
