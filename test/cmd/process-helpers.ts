// Runs the real promwasm bin (build/dist/src/cmd/promwasm.js) as a child process.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { waitFor } from "../helpers/reference.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "build", "dist", "src", "cmd", "promwasm.js");
export const TOOL = join(ROOT, "build", "dist", "src", "cmd", "promwasm-tool.js");

/** Compiles the TypeScript so the bins match the sources (type errors elsewhere do not stop emit). */
export async function buildBins(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.json")], { cwd: ROOT }).catch(() => {});
  if (!existsSync(BIN)) throw new Error(`build did not produce ${BIN}`);
}

export interface Child {
  readonly proc: ChildProcess;
  readonly logs: () => string;
  readonly exited: Promise<number | null>;
}

export function spawnServer(args: string[], cwd: string): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, logs: () => out, exited };
}

export async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null) return;
  c.proc.kill("SIGKILL");
  await c.exited;
}

export async function waitReady(base: string): Promise<void> {
  await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, 30_000, `${base} ready`);
}

export async function query(base: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return body.data.result;
}

export async function activeTargets(base: string): Promise<{ scrapePool: string; health: string; lastScrape: string }[]> {
  const res = await fetch(`${base}/api/v1/targets?state=active`);
  return ((await res.json()) as { data: { activeTargets: { scrapePool: string; health: string; lastScrape: string }[] } }).data.activeTargets;
}
