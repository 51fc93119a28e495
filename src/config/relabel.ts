// relabel_configs entries: defaults and the same validation Prometheus applies on load.
import type { Node } from "yaml";
import { RE2JS } from "re2js";
import type { RelabelAction, RelabelRule } from "./types.js";
import type { YamlReader } from "./yaml-reader.js";

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A target label may reference capture groups ($1, ${name}) for the replace action.
const RELABEL_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

const ACTIONS: ReadonlySet<string> = new Set<RelabelAction>([
  "replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase",
]);

export const DEFAULT_RELABEL: RelabelRule = {
  sourceLabels: [],
  separator: ";",
  regex: "(.*)",
  modulus: 0,
  targetLabel: "",
  replacement: "$1",
  action: "replace",
};

export function readRelabelConfigs(node: Node, r: YamlReader): RelabelRule[] {
  return r.list(node, (n) => readRelabel(n, r));
}

function readRelabel(node: Node, r: YamlReader): RelabelRule {
  const c = { ...DEFAULT_RELABEL, sourceLabels: [] as string[] };
  let actionNode: Node = node;
  r.object(node, "relabel.Config", {
    source_labels: (v) => {
      c.sourceLabels = r.stringList(v);
      for (const l of c.sourceLabels) if (!LABEL_NAME.test(l)) r.fail(v, `"${l}" is not a valid label name`);
    },
    separator: (v) => (c.separator = r.string(v)),
    regex: (v) => {
      c.regex = r.string(v);
      try {
        RE2JS.compile(`^(?:${c.regex})$`);
      } catch (err) {
        // RE2JS words it as Go does: "error parsing regexp: missing closing ): `...`".
        r.fail(v, (err as Error).message);
      }
    },
    modulus: (v) => (c.modulus = r.int(v)),
    target_label: (v) => (c.targetLabel = r.string(v)),
    replacement: (v) => (c.replacement = r.string(v)),
    action: (v) => {
      actionNode = v;
      c.action = r.string(v).toLowerCase() as RelabelAction;
    },
  });
  const a = c.action;
  if ((a as string) === "") r.fail(actionNode, "relabel action cannot be empty");
  if (!ACTIONS.has(a)) r.fail(actionNode, `unknown relabel action "${a}"`);
  if (c.modulus === 0 && a === "hashmod") r.fail(node, "relabel configuration for hashmod requires non-zero modulus");
  const needsTarget: RelabelAction[] = ["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"];
  if (needsTarget.includes(a) && c.targetLabel === "") r.fail(node, `relabel configuration for ${a} action requires 'target_label' value`);
  if ((a === "replace" && !RELABEL_TARGET.test(c.targetLabel)) || ((a === "lowercase" || a === "uppercase" || a === "hashmod" || a === "keepequal" || a === "dropequal") && !LABEL_NAME.test(c.targetLabel))) {
    r.fail(node, `"${c.targetLabel}" is invalid 'target_label' for ${a} action`);
  }
  if ((a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal") && c.replacement !== DEFAULT_RELABEL.replacement) {
    r.fail(node, `'replacement' can not be set for ${a} action`);
  }
  if (a === "labelmap" && !RELABEL_TARGET.test(c.replacement)) r.fail(node, `"${c.replacement}" is invalid 'replacement' for ${a} action`);
  if (a === "labeldrop" || a === "labelkeep") {
    if (c.sourceLabels.length > 0 || c.targetLabel !== "" || c.modulus !== 0 || c.separator !== ";" || c.replacement !== "$1") {
      r.fail(node, `${a} action requires only 'regex', and no other fields`);
    }
  }
  if (a === "keepequal" || a === "dropequal") {
    if (c.regex !== "(.*)" || c.modulus !== 0 || c.separator !== ";" || c.replacement !== "$1") {
      r.fail(node, `${a} action requires only 'source_labels' and \`target_label\`, and no other fields`);
    }
  }
  return c;
}
