// Helpers for tests that use the reference binaries from Debian and real sockets (test/helpers/process.ts
// runs them).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The binary's path, or undefined (with a message saying why tests skip) when missing. */
export function referenceBinary(name: string): string | undefined {
  try {
    return execFileSync("which", [name], { encoding: "utf8" }).trim() || undefined;
  } catch {
    console.warn(`skipping: reference binary ${name} is not installed (apt-get install it; .ci/run does)`);
    return undefined;
  }
}

/**
 * Listens on 127.0.0.1 at a port the kernel picks and resolves with it. Prefer this to
 * freePort for servers in the test process: a port found free can be taken before it is bound.
 */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** A port free now, for what cannot listen on port 0 and report it (reference binaries). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temp dir; call the returned cleanup in afterAll/afterEach. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `promwasm-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until fn resolves truthy or the deadline passes; an aborted signal ends the polling. */
export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, what = "condition", signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastErr });
}
