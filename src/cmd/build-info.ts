// Build information: written by scripts/build-info.mjs at build time (version, git revision
// and branch, user, date) and read from the package root, which this file finds by walking
// up from itself (src/ when run from sources, build/dist/src/ when built).
import { existsSync, readFileSync } from "node:fs";
import type { BuildInfo } from "../web/sources.js";

function packageRoot(): URL | undefined {
  let dir = new URL(".", import.meta.url);
  for (let i = 0; i < 6; i++) {
    const candidate = new URL("package.json", dir);
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "promwasm") return dir;
    dir = new URL("..", dir);
  }
  return undefined;
}

export function buildInfo(): BuildInfo {
  const goVersion = `node${process.versions.node}`;
  const root = packageRoot();
  const unknown = { version: "unknown", revision: "unknown", branch: "unknown", buildUser: "", buildDate: "", goVersion };
  if (!root) return unknown;
  const built = new URL("build/build-info.json", root);
  if (existsSync(built)) return { ...unknown, ...(JSON.parse(readFileSync(built, "utf8")) as Partial<BuildInfo>), goVersion };
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { version?: string };
  return { ...unknown, version: pkg.version ?? "unknown" };
}

/** `--version`, laid out as Prometheus prints it. */
export function versionText(program: string): string {
  const b = buildInfo();
  return [
    `${program}, version ${b.version} (branch: ${b.branch}, revision: ${b.revision})`,
    `  build user:       ${b.buildUser}`,
    `  build date:       ${b.buildDate}`,
    `  node version:     ${process.version}`,
    `  platform:         ${process.platform}/${process.arch}`,
    "",
  ].join("\n");
}
