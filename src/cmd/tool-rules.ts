// `promwasm-tool check rules FILE...`, with promtool's output and exit codes.
import { errorText } from "../log/logger.js";
import { RuleFileError } from "../rules/errors.js";
import { loadRuleFile } from "../rules/rule-file.js";

type Command = (args: string[]) => Promise<number>;

export interface RulesToolIO {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const STDIO: RulesToolIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Checks each file; prints "SUCCESS: N rules found" or "FAILED:" with every problem, as promtool does. */
export async function checkRulesCommand(files: string[], io: RulesToolIO = STDIO): Promise<number> {
  if (files.length === 0) {
    io.err("usage: promwasm-tool check rules FILE...\n");
    return 1;
  }
  let failed = false;
  for (const f of files) {
    io.out(`Checking ${f}\n`);
    try {
      const groups = await loadRuleFile(f);
      const n = groups.reduce((sum, g) => sum + g.rules.length, 0);
      io.out(`  SUCCESS: ${n} rules found\n\n`);
    } catch (err) {
      failed = true;
      const lines = err instanceof RuleFileError ? err.problems.map((p) => `${f}: ${p}`) : [`${f}: ${errorText(err)}`];
      io.err(`  FAILED:\n${lines.join("\n")}\n`);
      io.out("\n");
    }
  }
  return failed ? 1 : 0;
}

/** Wraps the `check` group so that `check rules` lands here and every other check goes on to `other`. */
export function withCheckRules(other: Command): Command {
  return (args) => (args[0] === "rules" ? checkRulesCommand(args.slice(1)) : other(args));
}
