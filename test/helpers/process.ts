// Runs the real promwasm bin (build/dist/src/cmd/promwasm.js, built by test/global-setup.ts)
// as a child process. Every wait on a child fails as soon as it exits, and both that failure
// and a timeout carry the child's log, so a dead child never looks like a slow one.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { waitFor } from "./reference.js";

export const BIN = join(import.meta.dirname, "..", "..", "build", "dist", "src", "cmd", "promwasm.js");

export interface Child {
  readonly proc: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  readonly logs: () => string;
  readonly exited: Promise<number | null>;
}

/** A promwasm child that is listening; base is its http://127.0.0.1:<port>. */
export interface Server extends Child {
  readonly base: string;
}

/** Spawns the bin with args as they are (for runs that exit by themselves, such as --help). */
export function spawnPromwasm(args: readonly string[], cwd: string): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, logs: () => out, exited };
}

/**
 * Polls fn like waitFor, but rejects at once when the child exits first, and adds the child's
 * log to that error and to a timeout.
 */
export async function waitForChild<T>(child: Child, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const stop = new AbortController();
  const exit = child.exited.then((code): never => {
    throw new Error(`promwasm exited (code ${code}, signal ${child.proc.signalCode}) while waiting for ${what}; its log:\n${child.logs()}`);
  });
  try {
    return await Promise.race([
      waitFor(fn, timeoutMs, what, stop.signal).catch((err: Error): never => {
        throw new Error(`${err.message}; promwasm's log:\n${child.logs()}`, { cause: err });
      }),
      exit,
    ]);
  } finally {
    stop.abort();
  }
}

/**
 * Starts promwasm on a port the kernel picks (127.0.0.1:0) and reads the bound port back from
 * its "Listening on" log line: handing it a port found free earlier races with other processes.
 */
export async function startPromwasm(args: readonly string[], cwd: string): Promise<Server> {
  const child = spawnPromwasm(["--web.listen-address=127.0.0.1:0", ...args], cwd);
  const port = await waitForChild(child, () => /msg="Listening on" .*\bport=(\d+)/.exec(child.logs())?.[1], 30_000, "its listening log line").catch(async (err: unknown) => {
    await stopChild(child);
    throw err;
  });
  return { ...child, base: `http://127.0.0.1:${port}` };
}

export async function waitReady(server: Server, timeoutMs = 30_000): Promise<void> {
  await waitForChild(server, async () => (await fetch(`${server.base}/-/ready`)).ok, timeoutMs, `${server.base}/-/ready`);
}

export async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill("SIGKILL");
  await c.exited;
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
