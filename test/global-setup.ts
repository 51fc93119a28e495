// Builds what tests load from build/ once, before any test file runs: children run the tsc
// output, and the UI and browser tests serve build/ui and build/browser. A test rebuilding
// them itself would race with the files (and children) reading them meanwhile.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const ROOT = join(import.meta.dirname, "..");

const STEPS: readonly (readonly [name: string, args: readonly string[]])[] = [
  ["tsc -p tsconfig.json", [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.json")]],
  ["scripts/build-browser.mjs", [join(ROOT, "scripts", "build-browser.mjs")]],
  ["scripts/build-ui.mjs", [join(ROOT, "scripts", "build-ui.mjs")]],
  ["scripts/build-info.mjs", [join(ROOT, "scripts", "build-info.mjs")]],
];

export default async function setup(): Promise<void> {
  for (const [name, args] of STEPS) {
    try {
      await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 });
    } catch (err) {
      // tsc reports type errors on stdout, the build scripts on stderr.
      const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
      throw new Error(`build before tests: ${name} failed:\n${stdout}${stderr}`, { cause: err });
    }
  }
}
