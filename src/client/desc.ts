// Metric descriptors: the fully-qualified name, help, constant labels and variable label names
// of a metric, validated the way Prometheus validates names.
import { labelsFromRecord, type Labels } from "../model/labels.js";
import { InvalidNameError } from "./errors.js";
import { labelPairsText } from "./format.js";

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/** Joins namespace, subsystem and name with "_", skipping empty parts, as client_golang's BuildFQName. */
export function buildFqName(namespace: string | undefined, subsystem: string | undefined, name: string): string {
  let out = "";
  for (const part of [namespace, subsystem, name]) {
    if (!part) continue;
    out = out === "" ? part : out + "_" + part;
  }
  return out;
}

export interface DescOptions {
  readonly fqName: string;
  readonly help: string;
  readonly variableLabels?: readonly string[];
  readonly constLabels?: Readonly<Record<string, string>>;
  /** Label names a metric type keeps for itself ("le" for histograms, "quantile" for summaries). */
  readonly reservedLabels?: readonly string[];
}

export class Desc {
  readonly fqName: string;
  readonly help: string;
  readonly constLabels: Labels;
  readonly variableLabels: readonly string[];
  /** Identifies the descriptor: name plus constant label values. */
  readonly id: string;
  /** Must agree between descriptors sharing a name: help plus all label names. */
  readonly dimKey: string;
  /** Pre-escaped constant labels, for children without variable labels. */
  readonly constLabelText: string;

  constructor(opts: DescOptions) {
    const { fqName, help } = opts;
    const variableLabels = opts.variableLabels ?? [];
    if (!isValidMetricName(fqName)) throw new InvalidNameError(`"${fqName}" is not a valid metric name`);
    if (help === "") throw new InvalidNameError(`metric ${fqName}: help text is empty`);
    const constLabels = labelsFromRecord(opts.constLabels ?? {});
    const seen = new Set<string>();
    const check = (name: string, kind: string) => {
      if (!isValidLabelName(name) || name.startsWith("__")) {
        throw new InvalidNameError(`metric ${fqName}: "${name}" is not a valid ${kind} label name`);
      }
      if (opts.reservedLabels?.includes(name)) {
        throw new InvalidNameError(`metric ${fqName}: label name "${name}" is reserved for this metric type`);
      }
      if (seen.has(name)) throw new InvalidNameError(`metric ${fqName}: duplicate label name "${name}"`);
      seen.add(name);
    };
    for (const l of constLabels) check(l.name, "constant");
    for (const name of variableLabels) check(name, "variable");
    this.fqName = fqName;
    this.help = help;
    this.constLabels = constLabels;
    this.variableLabels = [...variableLabels];
    this.id = [fqName, ...constLabels.map((l) => l.value)].join("\xff");
    this.dimKey = [help, ...[...seen].sort()].join("\xff");
    this.constLabelText = labelPairsText(constLabels);
  }

  toString(): string {
    return `Desc{fqName: "${this.fqName}", constLabels: {${this.constLabelText}}, variableLabels: [${this.variableLabels.join(",")}]}`;
  }
}
