// Command-line flags with Prometheus' names and defaults (flag-specs.ts), parsed the way
// kingpin does: --name=value, --name value, --[no-]bool, --help, --version; unknown flags
// and values of the wrong kind are errors.

import { parseByteSize } from "../config/bytes.js";
import { parseDuration } from "../model/duration.js";
import { FLAG_SPECS, type FlagSpec } from "./flag-specs.js";

const SPEC_BY_NAME = new Map(FLAG_SPECS.map((s) => [s.name, s]));

export class FlagError extends Error {}

export interface ParsedFlags {
  /** Every flag's value as text (defaults included), as /api/v1/status/flags shows them. */
  readonly values: Readonly<Record<string, string>>;
  /** Flags given on the command line. */
  readonly explicit: ReadonlySet<string>;
  readonly help: boolean;
  readonly version: boolean;
  /** --write-documentation: print the flags as a Markdown table. */
  readonly writeDocumentation: boolean;
}

export function parseFlags(argv: readonly string[]): ParsedFlags {
  const values: Record<string, string> = {};
  for (const s of FLAG_SPECS) values[s.name] = s.default;
  const explicit = new Set<string>();
  let help = false;
  let version = false;
  let writeDocumentation = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h" || arg === "--help-long") {
      help = true;
      continue;
    }
    if (arg === "--version") {
      version = true;
      continue;
    }
    if (arg === "--write-documentation") {
      writeDocumentation = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new FlagError(`unexpected ${arg}, try --help`);
    const eq = arg.indexOf("=");
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    let spec = SPEC_BY_NAME.get(name);
    if (!spec && name.startsWith("no-") && SPEC_BY_NAME.get(name.slice(3))?.kind === "bool" && value === undefined) {
      name = name.slice(3);
      spec = SPEC_BY_NAME.get(name);
      value = "false";
    }
    if (!spec) throw new FlagError(`unknown long flag '--${name}', try --help`);
    if (value === undefined) {
      if (spec.kind === "bool") value = "true";
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new FlagError(`expected argument for flag '--${name}'`);
    }
    checkValue(spec, value);
    if (spec.kind === "strings" && explicit.has(name)) value = `${values[name]},${value}`;
    values[name] = value;
    explicit.add(name);
  }
  return { values, explicit, help, version, writeDocumentation };
}

/** Rejects a value the flag's kind cannot hold, in kingpin's words. */
function checkValue(spec: FlagSpec, value: string): void {
  const bad = (why: string) => new FlagError(`invalid value "${value}" for flag --${spec.name}: ${why}`);
  switch (spec.kind) {
    case "bool":
      if (!/^(true|false)$/.test(value)) throw new FlagError(`strconv.ParseBool: parsing "${value}": invalid syntax for flag '--${spec.name}'`);
      break;
    case "int":
      if (!/^[+-]?\d+$/.test(value) && !(/^[+-]?\d+(\.\d*)?e\d+$/i.test(value) && Number.isInteger(Number(value)))) throw bad(`strconv.ParseInt: parsing "${value}": invalid syntax`);
      break;
    case "float":
      if (value.trim() === "" || !Number.isFinite(Number(value))) throw bad(`strconv.ParseFloat: parsing "${value}": invalid syntax`);
      break;
    case "duration":
    case "size":
      try {
        if (spec.kind === "duration") parseDuration(value);
        else parseByteSize(value);
      } catch (err) {
        throw bad((err as Error).message);
      }
      break;
  }
  if (spec.oneOf && !spec.oneOf.includes(value)) throw new FlagError(`enum value must be one of ${spec.oneOf.join(",")}, got '${value}'`);
}

export interface FlagNotice {
  readonly flag: string;
  readonly msg: string;
}

/** What the log must say about flags given on the command line that promwasm does not carry out. */
export function flagNotices(f: ParsedFlags): FlagNotice[] {
  const out: FlagNotice[] = [];
  for (const name of f.explicit) {
    const spec = SPEC_BY_NAME.get(name)!;
    if (spec.removed) out.push({ flag: name, msg: `Flag --${name} was removed in Prometheus 3: ${spec.removed}` });
    else if (spec.noEffect) out.push({ flag: name, msg: `Flag --${name} is accepted but not implemented by promwasm: ${spec.noEffect}` });
  }
  return out;
}

/** --write-documentation: the flags as a Markdown table, as Prometheus documents its own. */
export function flagDocumentation(program: string): string {
  let out = `# ${program}\n\nThe Prometheus monitoring server\n\n## Flags\n\n| Flag | Description | Default |\n| --- | --- | --- |\n`;
  for (const s of FLAG_SPECS) {
    if (s.hidden) continue;
    out += `| <code class="text-nowrap">--${s.name}</code> | ${s.help.replace(/\|/g, "\\|")} | ${s.default === "" ? "" : "`" + s.default + "`"} |\n`;
  }
  return out;
}

export function usage(program: string): string {
  let out = `usage: ${program} [<flags>]\n\nThe Prometheus monitoring server\n\nFlags:\n  -h, --help  Show context-sensitive help.\n      --version  Show application version.\n`;
  for (const s of FLAG_SPECS) {
    if (s.hidden) continue;
    const arg = s.kind === "bool" ? `--[no-]${s.name}` : `--${s.name}=${s.kind === "strings" ? "<name>" : `"${s.default}"`}`;
    out += `      ${arg}\n          ${s.help}\n`;
  }
  return out;
}
