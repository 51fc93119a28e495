// `promwasm-tool test [--junit=FILE] rules [--run=REGEX]... [--debug] [--diff]
// [--ignore-unknown-fields] [--enable-feature=...] FILE...`: rule unit tests with promtool's
// output (SUCCESS on stdout, FAILED and each failure on stderr) and exit codes (0 all passed,
// 1 a test failed or a file could not be run).
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { nopLogger } from "../log/logger.js";
import { runUnitTestFile } from "../rules/unit-test.js";
import { JUnitSuite, junitXml } from "../rules/unit-test-junit.js";
import { enabledFeatures } from "./features.js";

export interface TestToolIO {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const STDIO: TestToolIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

const USAGE = `usage: promwasm-tool test [--junit=FILE] rules [<flags>] <test-rule-file>...

Unit tests for rules.

Flags:
  --junit=FILE               File path to store JUnit XML test results.
  --run=REGEX ...            If set, will only run test groups whose names match the regular
                             expression. Can be specified multiple times.
  --debug                    Enable unit test debugging.
  --diff                     Accepted for promtool compatibility; failures print expected and
                             got values in full.
  --ignore-unknown-fields    Ignore unknown fields in the test files.
  --enable-feature=NAME ...  PromQL features to enable (promql-experimental-functions, ...).

Args:
  <test-rule-file>  The unit test file.
`;

interface Parsed {
  junit?: string;
  run: string[];
  debug: boolean;
  ignoreUnknownFields: boolean;
  features: string[];
  files: string[];
}

function parseArgs(args: readonly string[]): Parsed | string {
  const p: Parsed = { run: [], debug: false, ignoreUnknownFields: false, features: [], files: [] };
  let sawRules = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      if (!sawRules && a === "rules") sawRules = true;
      else if (sawRules) p.files.push(a);
      else return `expected command but got "${a}"`;
      continue;
    }
    const [, name, inline] = m;
    const value = () => inline ?? args[++i];
    if (name === "help") return "help";
    else if (name === "debug") p.debug = true;
    else if (name === "diff") continue;
    else if (name === "ignore-unknown-fields") p.ignoreUnknownFields = true;
    else if (name === "junit") p.junit = value();
    else if (name === "run") p.run.push(value());
    else if (name === "enable-feature") p.features.push(value());
    else return `unknown long flag '--${name}'`;
  }
  if (!sawRules) return "expected command but got none";
  if (p.files.length === 0) return "required argument 'test-rule-file' not provided";
  const missing = p.files.find((f) => !existsSync(f));
  if (missing !== undefined) return `path '${missing}' does not exist`;
  return p;
}

export async function testCommand(args: string[], io: TestToolIO = STDIO): Promise<number> {
  const p = parseArgs(args);
  if (p === "help") {
    io.out(USAGE);
    return 0;
  }
  if (typeof p === "string") {
    io.err(`promwasm-tool: error: ${p}, try --help\n`);
    return 1;
  }
  let run: RegExp | undefined;
  try {
    run = p.run.length > 0 ? new RegExp(p.run.join("|")) : undefined;
  } catch (err) {
    io.err(`promwasm-tool: error: --run: ${(err as Error).message}\n`);
    return 1;
  }
  const { parseOptions } = enabledFeatures(p.features.join(","), nopLogger);
  const suites: JUnitSuite[] = [];
  let failed = false;
  for (const f of p.files) {
    const suite = new JUnitSuite(f);
    suites.push(suite);
    const errors = await runUnitTestFile(f, { run, debug: p.debug, ignoreUnknownFields: p.ignoreUnknownFields, parseOptions, warn: (line) => io.err(line + "\n") }, suite);
    if (errors.length > 0) {
      failed = true;
      io.err("  FAILED:\n");
      for (const e of errors) {
        io.err(e + "\n");
        io.out("\n");
      }
    } else {
      io.out("  SUCCESS\n");
    }
    io.out("\n");
  }
  if (p.junit !== undefined) {
    try {
      await writeFile(p.junit, junitXml(suites));
    } catch (err) {
      io.err(`failed to write JUnit XML: ${(err as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}
