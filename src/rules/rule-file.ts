// Rule files (groups of recording and alerting rules), read strictly like Prometheus' rulefmt:
// unknown fields are unmarshal errors, then every validation problem is listed with the
// line:column of the offending node and the group/rule it belongs to.
import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from "yaml";
import { expandAliases, YamlAliasError } from "../config/yaml-aliases.js";
import { DurationError, parseDuration } from "../model/duration.js";
import { parseExpr, type ParseOptions } from "../promql/parser/parse.js";
import { RuleFileError } from "./errors.js";
import { checkTemplate } from "./template.js";

export interface RuleSpec {
  /** Exactly one of record and alert is non-empty. */
  readonly record: string;
  readonly alert: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** In file order; values of alerting rules are templates. */
  readonly labels: readonly (readonly [string, string])[];
  readonly annotations: readonly (readonly [string, string])[];
}

export interface RuleGroupSpec {
  readonly name: string;
  readonly file: string;
  /** 0 means the global evaluation interval. */
  readonly intervalMs: number;
  readonly queryOffsetMs: number;
  readonly limit: number;
  readonly rules: readonly RuleSpec[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Position {
  readonly line: number;
  readonly col: number;
}

/** Strict YAML walking that collects Go-style unmarshal errors. */
class Reader {
  readonly problems: string[] = [];
  private readonly lines: LineCounter;
  constructor(lines: LineCounter) {
    this.lines = lines;
  }

  pos(node: Node | undefined | null): Position {
    const start = node?.range?.[0];
    if (start === undefined) return { line: 0, col: 0 };
    const p = this.lines.linePos(start);
    return { line: p.line, col: p.col };
  }

  problem(node: Node, msg: string): void {
    this.problems.push(`line ${this.pos(node).line}: ${msg}`);
  }

  /** Key -> value node of a mapping, reporting keys not in `known`. */
  fields(node: Node, goType: string, known: readonly string[]): Map<string, Node> {
    const out = new Map<string, Node>();
    if (!isMap(node)) {
      this.problem(node, `cannot unmarshal ${describe(node)} into ${goType}`);
      return out;
    }
    const seen = new Map<string, number>();
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const line = this.pos(pair.key).line;
      const first = seen.get(key);
      if (first !== undefined) {
        this.problem(pair.key, `mapping key ${JSON.stringify(key)} already defined at line ${first}`);
        continue;
      }
      seen.set(key, line);
      if (!known.includes(key)) {
        this.problem(pair.key, `field ${key} not found in type ${goType}`);
        continue;
      }
      if (pair.value && !(isScalar(pair.value) && pair.value.value === null)) out.set(key, pair.value);
    }
    return out;
  }

  string(node: Node | undefined): string {
    if (node === undefined) return "";
    if (isScalar(node) && node.value !== null && typeof node.value !== "object") return String(node.source ?? node.value);
    this.problem(node, `cannot unmarshal ${describe(node)} into string`);
    return "";
  }

  int(node: Node | undefined): number {
    if (node === undefined) return 0;
    if (isScalar(node) && typeof node.value === "number" && Number.isSafeInteger(node.value)) return node.value;
    this.problem(node, `cannot unmarshal ${describe(node)} into int`);
    return 0;
  }

  list(node: Node | undefined, goType: string): Node[] {
    if (node === undefined) return [];
    if (!isSeq(node)) {
      this.problem(node, `cannot unmarshal ${describe(node)} into ${goType}`);
      return [];
    }
    return node.items as Node[];
  }

  stringMap(node: Node | undefined): [string, string][] {
    if (node === undefined) return [];
    if (!isMap(node)) {
      this.problem(node, `cannot unmarshal ${describe(node)} into map[string]string`);
      return [];
    }
    return (node.items as Pair<Node, Node | null>[]).map((p) => [this.string(p.key), p.value === null || (isScalar(p.value) && p.value.value === null) ? "" : this.string(p.value)]);
  }
}

/** How Go's yaml names a node in "cannot unmarshal" errors: the tag, plus the text of a scalar. */
function describe(node: Node): string {
  return isScalar(node) ? `${tag(node)} \`${String(node.source ?? node.value)}\`` : tag(node);
}

function tag(node: Node): string {
  if (isMap(node)) return "!!map";
  if (isSeq(node)) return "!!seq";
  if (isScalar(node)) {
    if (typeof node.value === "number") return Number.isInteger(node.value) ? "!!int" : "!!float";
    if (typeof node.value === "boolean") return "!!bool";
  }
  return "!!str";
}

/** A model.Duration field; a bad value fails the whole file, as Go's unmarshaler does. */
function duration(r: Reader, node: Node | undefined, file: string): number {
  if (node === undefined) return 0;
  const s = r.string(node);
  try {
    return parseDuration(s);
  } catch (err) {
    if (err instanceof DurationError) throw new RuleFileError(file, [err.message], { cause: err });
    throw err;
  }
}

interface RawRule {
  readonly spec: RuleSpec;
  readonly node: Node;
  readonly nodes: { record?: Node; alert?: Node; expr?: Node };
}

/** Parses and validates rule file text; throws RuleFileError listing every problem. */
/** parseOptions enables the experimental PromQL syntax --enable-feature turned on. */
export function parseRuleFile(text: string, file: string, parseOptions: ParseOptions = {}): RuleGroupSpec[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new RuleFileError(file, [`yaml: line ${line}: ${first.message.split("\n")[0]}`]);
  }
  const contents = doc.contents as Node | null;
  if (contents === null || (isScalar(contents) && contents.value === null)) return [];
  let root: Node;
  try {
    root = expandAliases(contents);
  } catch (err) {
    if (err instanceof YamlAliasError) throw new RuleFileError(file, [`yaml: ${err.message}`]);
    throw err;
  }
  const r = new Reader(lines);
  const top = r.fields(root, "rulefmt.RuleGroups", ["groups"]);
  const raw: { name: string; node: Node; intervalMs: number; queryOffsetMs: number; limit: number; rules: RawRule[] }[] = [];
  for (const gNode of r.list(top.get("groups"), "[]rulefmt.RuleGroup")) {
    const g = r.fields(gNode, "rulefmt.RuleGroup", ["name", "interval", "query_offset", "limit", "rules"]);
    const rules: RawRule[] = [];
    for (const rNode of r.list(g.get("rules"), "[]rulefmt.RuleNode")) {
      const f = r.fields(rNode, "rulefmt.RuleNode", ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"]);
      rules.push({
        node: rNode,
        nodes: { record: f.get("record"), alert: f.get("alert"), expr: f.get("expr") },
        spec: {
          record: r.string(f.get("record")),
          alert: r.string(f.get("alert")),
          expr: r.string(f.get("expr")),
          forMs: duration(r, f.get("for"), file),
          keepFiringForMs: duration(r, f.get("keep_firing_for"), file),
          labels: r.stringMap(f.get("labels")),
          annotations: r.stringMap(f.get("annotations")),
        },
      });
    }
    raw.push({
      name: r.string(g.get("name")),
      node: gNode,
      intervalMs: duration(r, g.get("interval"), file),
      queryOffsetMs: duration(r, g.get("query_offset"), file),
      limit: r.int(g.get("limit")),
      rules,
    });
  }
  if (r.problems.length > 0) throw new RuleFileError(file, ["yaml: unmarshal errors:\n  " + r.problems.join("\n  ")]);

  const errs: string[] = [];
  const seen = new Set<string>();
  for (const g of raw) {
    const p = r.pos(g.node);
    if (g.name === "") errs.push(`${p.line}:${p.col}: Groupname must not be empty`);
    if (seen.has(g.name)) errs.push(`${p.line}:${p.col}: groupname: "${g.name}" is repeated in the same file`);
    seen.add(g.name);
    g.rules.forEach((rule, i) => {
      const name = rule.spec.alert !== "" ? rule.spec.alert : rule.spec.record;
      for (const e of validateRule(rule, r, parseOptions)) errs.push(`${e.at}group "${g.name}", rule ${i + 1}, ${JSON.stringify(name)}: ${e.msg}`);
    });
  }
  if (errs.length > 0) throw new RuleFileError(file, errs);
  return raw.map((g) => ({ name: g.name, file, intervalMs: g.intervalMs, queryOffsetMs: g.queryOffsetMs, limit: g.limit, rules: g.rules.map((x) => x.spec) }));
}

function validateRule(rule: RawRule, r: Reader, parseOptions: ParseOptions): { at: string; msg: string }[] {
  const out: { at: string; msg: string }[] = [];
  const at = (...nodes: (Node | undefined)[]) =>
    nodes
      .map((n) => r.pos(n))
      .map((p) => `${p.line}:${p.col}: `)
      .join("");
  const s = rule.spec;
  const { record, alert, expr } = rule.nodes;
  if (s.record !== "" && s.alert !== "") out.push({ at: at(record, alert), msg: "only one of 'record' and 'alert' must be set" });
  if (s.record === "" && s.alert === "") out.push({ at: at(record), msg: "one of 'record' or 'alert' must be set" });
  if (s.expr === "") out.push({ at: at(expr), msg: "field 'expr' must be set in rule" });
  else {
    try {
      parseExpr(s.expr, parseOptions);
    } catch (err) {
      out.push({ at: at(expr), msg: `could not parse expression: ${(err as Error).message}` });
    }
  }
  if (s.record !== "") {
    if (s.annotations.length > 0) out.push({ at: at(record), msg: "invalid field 'annotations' in recording rule" });
    if (s.forMs !== 0) out.push({ at: at(record), msg: "invalid field 'for' in recording rule" });
    if (s.keepFiringForMs !== 0) out.push({ at: at(record), msg: "invalid field 'keep_firing_for' in recording rule" });
    if (!METRIC_NAME.test(s.record)) out.push({ at: at(record), msg: `invalid recording rule name: ${s.record}` });
  }
  for (const [k] of s.labels) if (!LABEL_NAME.test(k) || k === "__name__") out.push({ at: "", msg: `invalid label name: ${k}` });
  for (const [k] of s.annotations) if (!LABEL_NAME.test(k)) out.push({ at: "", msg: `invalid annotation name: ${k}` });
  if (s.alert !== "") {
    for (const [k, v] of s.labels) {
      try {
        checkTemplate(v, s.alert);
      } catch (err) {
        out.push({ at: "", msg: `label ${JSON.stringify(k)}: ${(err as Error).message}` });
      }
    }
    for (const [k, v] of s.annotations) {
      try {
        checkTemplate(v, s.alert);
      } catch (err) {
        out.push({ at: "", msg: `annotation ${JSON.stringify(k)}: ${(err as Error).message}` });
      }
    }
  }
  return out;
}

/** Reads and validates one rule file. */
export async function loadRuleFile(path: string, parseOptions: ParseOptions = {}): Promise<RuleGroupSpec[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new RuleFileError(path, [`open ${path}: ${(cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (cause as Error).message}`], { cause });
  }
  return parseRuleFile(text, path, parseOptions);
}
