// Applies relabel_configs to a label set, with Prometheus' semantics for every action.
import { createHash } from "node:crypto";
import type { RE2JS } from "re2js";
import { labelsFromList, type Label, type Labels } from "../model/labels.js";
import { compileRelabelConfig, isValidLabelName, RELABEL_DEFAULTS, type CompiledRelabelConfig, type RelabelConfig } from "./config.js";
import { expandTemplate, hasVariable, type MatchSpans } from "./expand.js";

/**
 * Runs the configs in order over labels. Returns the new sorted label set (empty values
 * removed), or undefined when a keep/drop/keepequal/dropequal step drops it.
 */
export function relabel(labels: Labels, configs: readonly RelabelConfig[]): Labels | undefined {
  if (configs.length === 0) return labels;
  const lb = new Map<string, string>();
  for (const l of labels) lb.set(l.name, l.value);
  for (const c of configs) {
    if (!applyOne(compileRelabelConfig(c), lb)) return undefined;
  }
  const out: Label[] = [];
  for (const [name, value] of lb) out.push({ name, value });
  return labelsFromList(out);
}

function setLabel(lb: Map<string, string>, name: string, value: string): void {
  if (value === "") lb.delete(name);
  else lb.set(name, value);
}

function fullMatch(re: RE2JS, input: string): MatchSpans | undefined {
  const m = re.matcher(input);
  if (!m.find()) return undefined;
  const spans: number[] = [];
  for (let i = 0; i <= m.groupCount(); i++) {
    const s = m.start(i);
    spans.push(s, s < 0 ? -1 : m.end(i));
  }
  return { input, spans, names: re.namedGroups() };
}

/** md5 of the value; the low 8 bytes, big-endian, modulo modulus (as Prometheus' hashmod). */
export function hashMod(value: string, modulus: number): number {
  const digest = createHash("md5").update(value, "utf8").digest();
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}

function applyOne(cfg: CompiledRelabelConfig, lb: Map<string, string>): boolean {
  let val = "";
  for (let i = 0; i < cfg.sourceLabels.length; i++) {
    if (i > 0) val += cfg.separator;
    val += lb.get(cfg.sourceLabels[i]) ?? "";
  }
  switch (cfg.action) {
    case "drop":
      return !cfg.regex.matches(val);
    case "keep":
      return cfg.regex.matches(val);
    case "dropequal":
      return (lb.get(cfg.targetLabel) ?? "") !== val;
    case "keepequal":
      return (lb.get(cfg.targetLabel) ?? "") === val;
    case "replace": {
      if (val === "" && cfg.regexSource === RELABEL_DEFAULTS.regex && !hasVariable(cfg.targetLabel) && !hasVariable(cfg.replacement)) {
        setLabel(lb, cfg.targetLabel, cfg.replacement);
        return true;
      }
      const m = fullMatch(cfg.regex, val);
      if (!m) return true;
      const target = expandTemplate(cfg.targetLabel, m);
      if (!isValidLabelName(target)) return true;
      setLabel(lb, target, expandTemplate(cfg.replacement, m));
      return true;
    }
    case "lowercase":
      setLabel(lb, cfg.targetLabel, val.toLowerCase());
      return true;
    case "uppercase":
      setLabel(lb, cfg.targetLabel, val.toUpperCase());
      return true;
    case "hashmod":
      setLabel(lb, cfg.targetLabel, String(hashMod(val, cfg.modulus)));
      return true;
    case "labelmap":
      for (const [name, value] of [...lb]) {
        const m = fullMatch(cfg.regex, name);
        if (m) setLabel(lb, expandTemplate(cfg.replacement, m), value);
      }
      return true;
    case "labeldrop":
      for (const name of [...lb.keys()]) if (cfg.regex.matches(name)) lb.delete(name);
      return true;
    case "labelkeep":
      for (const name of [...lb.keys()]) if (!cfg.regex.matches(name)) lb.delete(name);
      return true;
  }
}
