// relabel_config: the typed form, Prometheus' defaults and its load-time validation.
import { RE2JS } from "re2js";
import { RelabelConfigError } from "./errors.js";

export type RelabelAction =
  | "replace"
  | "keep"
  | "drop"
  | "keepequal"
  | "dropequal"
  | "hashmod"
  | "labelmap"
  | "labeldrop"
  | "labelkeep"
  | "lowercase"
  | "uppercase";

const ACTIONS: ReadonlySet<string> = new Set<RelabelAction>([
  "replace",
  "keep",
  "drop",
  "keepequal",
  "dropequal",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
]);

/** One relabel_config as written in prometheus.yml (camelCase); unset fields take the defaults below. */
export interface RelabelConfig {
  readonly sourceLabels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly modulus?: number;
  readonly targetLabel?: string;
  readonly replacement?: string;
  readonly action?: RelabelAction;
}

export const RELABEL_DEFAULTS = {
  separator: ";",
  regex: "(.*)",
  replacement: "$1",
  action: "replace",
  targetLabel: "",
  modulus: 0,
} as const;

/** A validated config with its anchored regex compiled once. */
export interface CompiledRelabelConfig {
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly regexSource: string;
  readonly regex: RE2JS;
  readonly modulus: number;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly action: RelabelAction;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A target/replacement template: label-name characters and $var / ${var} references only.
const TEMPLATE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Compiles a regex the way Prometheus does: fully anchored RE2. */
export function compileRelabelRegex(source: string): RE2JS {
  try {
    return RE2JS.compile(`^(?:${source})$`);
  } catch (cause) {
    throw new RelabelConfigError(`invalid relabel regex ${JSON.stringify(source)}`, { cause });
  }
}

const compiledCache = new WeakMap<RelabelConfig, CompiledRelabelConfig>();

/** Validates and compiles a config; throws RelabelConfigError with Prometheus' wording. */
export function compileRelabelConfig(c: RelabelConfig): CompiledRelabelConfig {
  const cached = compiledCache.get(c);
  if (cached) return cached;
  const action = c.action ?? RELABEL_DEFAULTS.action;
  if (!ACTIONS.has(action)) throw new RelabelConfigError(`unknown relabel action ${JSON.stringify(action)}`);
  const separator = c.separator ?? RELABEL_DEFAULTS.separator;
  const regexSource = c.regex ?? RELABEL_DEFAULTS.regex;
  const replacement = c.replacement ?? RELABEL_DEFAULTS.replacement;
  const targetLabel = c.targetLabel ?? RELABEL_DEFAULTS.targetLabel;
  const modulus = c.modulus ?? RELABEL_DEFAULTS.modulus;
  if (!Number.isInteger(modulus) || modulus < 0) throw new RelabelConfigError(`invalid relabel modulus ${modulus}`);
  if (modulus === 0 && action === "hashmod") {
    throw new RelabelConfigError("relabel configuration for hashmod requires non-zero modulus");
  }
  const needsTarget = ["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"].includes(action);
  if (needsTarget && targetLabel === "") {
    throw new RelabelConfigError(`relabel configuration for ${action} action requires 'target_label' value`);
  }
  const invalidTarget = () => new RelabelConfigError(`${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`);
  if (action === "replace") {
    const ok = targetLabel.includes("$") ? TEMPLATE.test(targetLabel) : LABEL_NAME.test(targetLabel);
    if (!ok) throw invalidTarget();
  }
  if (["lowercase", "uppercase", "keepequal", "dropequal", "hashmod"].includes(action) && !LABEL_NAME.test(targetLabel)) {
    throw invalidTarget();
  }
  if (["lowercase", "uppercase", "keepequal", "dropequal"].includes(action) && replacement !== RELABEL_DEFAULTS.replacement) {
    throw new RelabelConfigError(`'replacement' can not be set for ${action} action`);
  }
  if (action === "labelmap" && !TEMPLATE.test(replacement)) {
    throw new RelabelConfigError(`${JSON.stringify(replacement)} is invalid 'replacement' for ${action} action`);
  }
  if (
    (action === "keepequal" || action === "dropequal") &&
    (regexSource !== RELABEL_DEFAULTS.regex || modulus !== 0 || separator !== RELABEL_DEFAULTS.separator)
  ) {
    throw new RelabelConfigError(`${action} action requires only 'source_labels' and \`target_label\`, and no other fields`);
  }
  if (
    (action === "labeldrop" || action === "labelkeep") &&
    ((c.sourceLabels?.length ?? 0) > 0 || targetLabel !== "" || modulus !== 0 || separator !== RELABEL_DEFAULTS.separator || replacement !== RELABEL_DEFAULTS.replacement)
  ) {
    throw new RelabelConfigError(`${action} action requires only 'regex', and no other fields`);
  }
  const compiled: CompiledRelabelConfig = {
    sourceLabels: c.sourceLabels ?? [],
    separator,
    regexSource,
    regex: compileRelabelRegex(regexSource),
    modulus,
    targetLabel,
    replacement,
    action,
  };
  compiledCache.set(c, compiled);
  return compiled;
}
