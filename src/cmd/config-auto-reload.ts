// --config.auto-reload: every --config.auto-reload-interval, a checksum of the config file and
// of the rule files it names; when it changes, the same reload as SIGHUP runs. A reload that
// fails keeps the old checksum, so the next tick tries again (as Prometheus does).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expandGlob } from "../config/glob.js";
import type { Logger } from "../log/logger.js";
import { waitingActor, type Actor } from "./run-group.js";

export interface AutoReloadOptions {
  readonly configFile: string;
  readonly intervalMs: number;
  /** The rule file patterns of the config in effect (absolute). */
  readonly ruleFiles: () => readonly string[];
  readonly reload: () => Promise<void>;
  readonly logger: Logger;
}

async function checksum(configFile: string, ruleFiles: readonly string[]): Promise<string> {
  const h = createHash("sha256");
  h.update(await readFile(configFile));
  for (const pattern of ruleFiles) {
    for (const f of await expandGlob(pattern)) {
      h.update(f);
      h.update(await readFile(f));
    }
  }
  return h.digest("hex");
}

/** An actor that watches until stopped. */
export function configAutoReloader(opts: AutoReloadOptions): Actor {
  let last: string | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      let current: string;
      try {
        current = await checksum(opts.configFile, opts.ruleFiles());
      } catch (err) {
        opts.logger.error("Failed to get config checksum", { err, file: opts.configFile });
        return;
      }
      if (last === undefined) last = current;
      if (current === last) return;
      opts.logger.info("Configuration file change detected, reloading the configuration.");
      try {
        await opts.reload();
        last = current;
      } catch {
        // reload() logged why; the old config stays and the next tick retries.
      }
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), opts.intervalMs);
  return waitingActor("config auto-reload", () => clearInterval(timer));
}
