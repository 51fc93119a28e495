// Child processes of bench:ingest and what the kernel says about them. Every child is
// tracked, so an error or Ctrl-C stops each one by its PID; CPU and RSS come from /proc
// (all threads, no help from the child) so the three systems are measured the same way.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** The tail of what the child wrote to stdout and stderr. */
  readonly logs: () => string;
  readonly exited: Promise<void>;
}

const LOG_TAIL = 64 * 1024;
const live = new Set<Child>();

export function spawnChild(name: string, command: string, args: readonly string[]): Child {
  const proc = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  if (proc.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let out = "";
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 2 * LOG_TAIL) out = out.slice(-LOG_TAIL);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const child: Child = { name, proc, pid: proc.pid, logs: () => out, exited: new Promise((resolve) => proc.once("exit", () => resolve())) };
  live.add(child);
  void child.exited.then(() => live.delete(child));
  return child;
}

/** SIGKILL: nothing a child wrote is kept, so a graceful shutdown would only cost time. */
export async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  process.kill(child.pid, "SIGKILL");
  await child.exited;
}

/** For exit paths that cannot wait (signal handlers). */
export function killAllNow(): void {
  for (const c of live) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) process.kill(c.pid, "SIGKILL");
  }
}

/** Polls fn until it returns a value; fails at once when the child exits, with its log. */
export async function waitFor<T>(child: Child, fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  let gone = false;
  void child.exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (gone) throw new Error(`${child.name} exited while waiting for ${what}; its log:\n${child.logs()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${child.name}'s log:\n${child.logs()}`);
    await sleep(250);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** User + system CPU seconds of the process, all its threads together (/proc/<pid>/stat utime, stime). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: state is [0], utime [11], stime [12].
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size in bytes (/proc/<pid>/status VmRSS). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
