// Child processes: the real promwasm bin (build/dist/src/cmd/promwasm.js, built by
// test/global-setup.ts) and the reference binaries. Every wait on a child fails as soon as it
// exits, and both that failure and a timeout carry the child's log, so a dead child never
// looks like a slow one.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { freePort, referenceBinary, tempDir, waitFor } from "./reference.js";

export const BIN = join(import.meta.dirname, "..", "..", "build", "dist", "src", "cmd", "promwasm.js");

export interface Child {
  /** What the errors call it: "promwasm", "prometheus", … */
  readonly name: string;
  readonly proc: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  readonly logs: () => string;
  readonly exited: Promise<number | null>;
}

/** A child serving HTTP at base (http://127.0.0.1:<port>). */
export interface Server extends Child {
  readonly base: string;
}

export function spawnChild(name: string, command: string, args: readonly string[], cwd?: string): Child {
  const proc = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { name, proc, logs: () => out, exited };
}

/** Spawns the promwasm bin with args as they are (for runs that exit by themselves, such as --help). */
export function spawnPromwasm(args: readonly string[], cwd: string): Child {
  return spawnChild("promwasm", process.execPath, [BIN, ...args], cwd);
}

/**
 * Polls fn like waitFor, but rejects at once when the child exits first, and adds the child's
 * log to that error and to a timeout.
 */
export async function waitForChild<T>(child: Child, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const stop = new AbortController();
  const exit = child.exited.then((code): never => {
    throw new Error(`${child.name} exited (code ${code}, signal ${child.proc.signalCode}) while waiting for ${what}; its log:\n${child.logs()}`);
  });
  try {
    return await Promise.race([
      waitFor(fn, timeoutMs, what, stop.signal).catch((err: Error): never => {
        throw new Error(`${err.message}; ${child.name}'s log:\n${child.logs()}`, { cause: err });
      }),
      exit,
    ]);
  } finally {
    stop.abort();
  }
}

export async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill("SIGKILL");
  await c.exited;
}

/**
 * Starts promwasm on a port the kernel picks (127.0.0.1:0) and reads the bound port back from
 * its "Listening on" log line: handing it a port found free earlier races with other processes.
 */
export async function startPromwasm(args: readonly string[], cwd: string): Promise<Server> {
  const child = spawnPromwasm(["--web.listen-address=127.0.0.1:0", ...args], cwd);
  try {
    const port = await waitForChild(child, () => /msg="Listening on" .*\bport=(\d+)/.exec(child.logs())?.[1], 30_000, "its listening log line");
    return { ...child, base: `http://127.0.0.1:${port}` };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

export async function waitReady(server: Server, timeoutMs = 30_000): Promise<void> {
  await waitForChild(server, async () => (await fetch(`${server.base}/-/ready`)).ok, timeoutMs, `${server.base}/-/ready`);
}

export interface ReferenceOptions {
  /** True once the binary serves; by default when GET <base>/-/ready answers 2xx. */
  readonly ready?: (base: string) => Promise<boolean>;
  readonly timeoutMs?: number;
}

/**
 * Starts a reference binary with the flags argsFor gives for a port and waits until it is
 * ready. These binaries cannot report a port the kernel picked, so they get one found free;
 * when another process takes it first, they start again on a new one.
 */
export async function startReference(binary: string, argsFor: (port: number) => readonly string[], opts: ReferenceOptions = {}): Promise<Server> {
  const ready = opts.ready ?? (async (base: string) => (await fetch(`${base}/-/ready`)).ok);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server: Server = { ...spawnChild(basename(binary), binary, argsFor(port)), base: `http://127.0.0.1:${port}` };
    try {
      await waitForChild(server, () => ready(server.base), opts.timeoutMs ?? 30_000, `${server.name} ready`);
      return server;
    } catch (err) {
      await stopChild(server);
      if (attempt < 3 && /address already in use/i.test(server.logs())) continue;
      throw err;
    }
  }
}

export interface PrometheusProcess extends Server {
  stop(): void;
}

/** Starts Prometheus on a free port; config gets that port (for self-scraping). */
export async function startPrometheus(binary: string, dir: string, config: (port: number) => string, extraFlags: string[] = []): Promise<PrometheusProcess> {
  const prom = await startReference(binary, (port) => {
    writeFileSync(join(dir, "prometheus.yml"), config(port));
    return [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, ...extraFlags];
  });
  return { ...prom, stop: () => void stopChild(prom) };
}

/**
 * A reference Prometheus with an empty config for the enclosing describe block (started in
 * beforeAll, stopped in afterAll). base() is "" when the binary is missing; tests then skip.
 */
export function useReferencePrometheus(name: string): { readonly available: boolean; base(): string } {
  const bin = referenceBinary("prometheus");
  const tmp = tempDir(name);
  let prom: PrometheusProcess | undefined;
  beforeAll(async () => {
    if (bin) prom = await startPrometheus(bin, tmp.dir, () => "global: {}\n");
  }, 40_000);
  afterAll(() => {
    prom?.stop();
    tmp.cleanup();
  });
  return { available: bin !== undefined, base: () => prom?.base ?? "" };
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
