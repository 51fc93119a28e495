// `promwasm-tool check rules [--lint=duplicate-rules|all|none] [--lint-fatal] FILE...`, with
// promtool's output and exit codes (1 for invalid files, 3 for lint findings with --lint-fatal).
import { errorText } from "../log/logger.js";
import { RuleFileError } from "../rules/errors.js";
import { loadRuleFile, type RuleGroupSpec } from "../rules/rule-file.js";

type Command = (args: string[]) => Promise<number>;

export interface RulesToolIO {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const STDIO: RulesToolIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

const FAILURE = 1;
const LINT_FAILURE = 3;

interface RuleId {
  readonly metric: string;
  readonly labels: readonly (readonly [string, string])[];
}

function compareIds(a: RuleId, b: RuleId): number {
  if (a.metric !== b.metric) return a.metric < b.metric ? -1 : 1;
  const n = Math.min(a.labels.length, b.labels.length);
  for (let i = 0; i < n; i++) {
    if (a.labels[i][0] !== b.labels[i][0]) return a.labels[i][0] < b.labels[i][0] ? -1 : 1;
    if (a.labels[i][1] !== b.labels[i][1]) return a.labels[i][1] < b.labels[i][1] ? -1 : 1;
  }
  return a.labels.length - b.labels.length;
}

/** Rules of a file sharing name and labels, each reported once (promtool's duplicate-rules lint). */
export function duplicateRules(groups: readonly RuleGroupSpec[]): RuleId[] {
  const ids: RuleId[] = groups.flatMap((g) =>
    g.rules.map((r) => ({ metric: r.record !== "" ? r.record : r.alert, labels: [...new Map(r.labels)].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)) })),
  );
  ids.sort(compareIds);
  const dups: RuleId[] = [];
  for (let i = 1; i < ids.length; i++) {
    if (compareIds(ids[i - 1], ids[i]) === 0 && (dups.length === 0 || compareIds(ids[i - 1], dups[dups.length - 1]) !== 0)) dups.push(ids[i]);
  }
  return dups;
}

function lintMessage(dups: readonly RuleId[]): string {
  let msg = `lint error ${dups.length} duplicate rule(s) found.\n`;
  for (const d of dups) {
    msg += `Metric: ${d.metric}\nLabel(s):\n`;
    for (const [k, v] of d.labels) msg += `\t${k}: ${v}\n`;
  }
  return msg + "Might cause inconsistency while recording expressions";
}

/** Checks each file; prints "SUCCESS: N rules found" or "FAILED:" with every problem, as promtool does. */
export async function checkRulesCommand(args: string[], io: RulesToolIO = STDIO): Promise<number> {
  let lint = "duplicate-rules";
  let lintFatal = false;
  const files: string[] = [];
  for (const a of args) {
    if (a.startsWith("--lint=")) lint = a.slice("--lint=".length);
    else if (a === "--lint-fatal") lintFatal = true;
    else files.push(a);
  }
  if (files.length === 0 || !["all", "duplicate-rules", "none"].includes(lint)) {
    io.err("usage: promwasm-tool check rules [--lint=duplicate-rules|all|none] [--lint-fatal] FILE...\n");
    return FAILURE;
  }
  let hasErrors = false;
  let hasLint = false;
  for (const f of files) {
    io.out(`Checking ${f}\n`);
    try {
      const groups = await loadRuleFile(f);
      const dups = lint === "none" ? [] : duplicateRules(groups);
      if (dups.length > 0) {
        hasLint = true;
        io.err(`  FAILED:\n${lintMessage(dups)}\n`);
      } else {
        const n = groups.reduce((sum, g) => sum + g.rules.length, 0);
        io.out(`  SUCCESS: ${n} rules found\n`);
      }
    } catch (err) {
      hasErrors = true;
      const lines = err instanceof RuleFileError ? err.problems.map((p) => `${f}: ${p}`) : [`${f}: ${errorText(err)}`];
      io.err(`  FAILED:\n${lines.join("\n")}\n`);
    }
    io.out("\n");
  }
  if (hasErrors) return FAILURE;
  return hasLint && lintFatal ? LINT_FAILURE : 0;
}

/** Wraps the `check` group so that `check rules` lands here and every other check goes on to `other`. */
export function withCheckRules(other: Command): Command {
  return (args) => (args[0] === "rules" ? checkRulesCommand(args.slice(1)) : other(args));
}
