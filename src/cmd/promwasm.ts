#!/usr/bin/env node
// Server entry point: flags, then startServer; SIGTERM/SIGINT stop it, SIGHUP reloads the config.
import { Logger, type LogLevel } from "../log/logger.js";
import { versionText } from "./build-info.js";
import { FlagError, flagDocumentation, parseFlags, usage } from "./flags.js";
import { startServer } from "./server.js";

async function main(args: string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(args);
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`promwasm: error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(usage("promwasm"));
    return 0;
  }
  if (flags.version) {
    process.stdout.write(versionText("promwasm"));
    return 0;
  }
  if (flags.writeDocumentation) {
    process.stdout.write(flagDocumentation("promwasm"));
    return 0;
  }
  const v = flags.values;
  const logger = new Logger({ level: v["log.level"] as LogLevel, format: v["log.format"] === "json" ? "json" : "logfmt" });
  let server;
  try {
    server = await startServer({ args });
  } catch (err) {
    logger.error("Error starting promwasm", { err });
    return 1;
  }
  const running = server;
  const onStop = (signal: string): void => {
    running.logger.warn("Received termination request, exiting gracefully...", { signal });
    void running.stop();
  };
  process.on("SIGTERM", () => onStop("SIGTERM"));
  process.on("SIGINT", () => onStop("SIGINT"));
  // reload() logs its own failure; the old config stays in place.
  process.on("SIGHUP", () => void running.reload().catch(() => {}));
  try {
    await running.done;
    return 0;
  } catch (err) {
    running.logger.error("promwasm stopped with an error", { err });
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// Timers left by libraries (e.g. keep-alive sockets) must not keep a stopped server alive.
process.exit();
