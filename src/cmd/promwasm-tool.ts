#!/usr/bin/env node
// promwasm-tool, in the manner of promtool: dispatches to each subsystem's commands.

type Command = (args: string[]) => Promise<number>;

const groups: Record<string, () => Promise<Command>> = {
  check: async () => (await import("./tool-rules.js")).withCheckRules((await import("./tool-check.js")).checkCommand),
  query: async () => (await import("./tool-query.js")).queryCommand,
  test: async () => (await import("./tool-test.js")).testCommand,
  tsdb: async () => (await import("./tool-tsdb.js")).runTsdbCommand,
};

async function main(argv: string[]): Promise<number> {
  const [group, ...rest] = argv;
  const load = group === undefined ? undefined : groups[group];
  if (!load) {
    process.stderr.write(`usage: promwasm-tool <${Object.keys(groups).join("|")}> ...\n`);
    return group === "--help" || group === "-h" ? 0 : 1;
  }
  const run = await load();
  return run(rest);
}

process.exitCode = await main(process.argv.slice(2));
