// Writes build/build-info.json: the version, git revision and branch, who built it and when,
// which `promwasm --version` and /api/v1/status/buildinfo report (Prometheus stamps the same
// into its binary). Outside a git checkout the revision and branch are "unknown".
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

function git(...args) {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

const pad = (n) => String(n).padStart(2, "0");
const now = new Date();
const info = {
  version: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version,
  revision: git("rev-parse", "HEAD"),
  branch: git("rev-parse", "--abbrev-ref", "HEAD"),
  buildUser: `${userInfo().username}@${hostname()}`,
  // Prometheus' form: 20230131-15:59:27 (UTC).
  buildDate: `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`,
};
mkdirSync(join(root, "build"), { recursive: true });
writeFileSync(join(root, "build", "build-info.json"), JSON.stringify(info, null, 2) + "\n");
