// Strict reading of YAML nodes into typed values, with line numbers for every
// complaint. Unknown fields and wrongly typed values are collected (Prometheus
// lists them all as "unmarshal errors"); semantic problems throw at once.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { parseDuration } from "../model/duration.js";
import { ConfigError, ConfigUnmarshalError } from "./errors.js";
import { expandAliases, YamlAliasError } from "./yaml-aliases.js";

export type FieldReaders = Record<string, (node: Node, r: YamlReader) => void>;

export class YamlReader {
  readonly file: string;
  private readonly lines: LineCounter;
  private readonly problems: { line: number; message: string }[] = [];

  private constructor(file: string, lines: LineCounter) {
    this.file = file;
    this.lines = lines;
  }

  /** Parses text; returns the root node (undefined for an empty document) and a reader for it. */
  static parse(text: string, file: string): { root: Node | undefined; reader: YamlReader } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const reader = new YamlReader(file, lines);
    const first = doc.errors[0];
    if (first) {
      const line = lines.linePos(first.pos[0]).line;
      throw new ConfigError(file, line, `yaml: line ${line}: ${first.message.split("\n")[0]}`);
    }
    const root = doc.contents ?? undefined;
    if (root === undefined || (isScalar(root) && root.value === null)) return { root: undefined, reader };
    try {
      return { root: expandAliases(root as Node), reader };
    } catch (err) {
      if (err instanceof YamlAliasError) throw new ConfigError(file, undefined, `yaml: ${err.message}`);
      throw err;
    }
  }

  line(node: Node | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  fail(node: Node | undefined, message: string, cause?: unknown): never {
    throw new ConfigError(this.file, this.line(node), message, cause === undefined ? undefined : { cause });
  }

  problem(node: Node | undefined, message: string): void {
    this.problems.push({ line: this.line(node) ?? 0, message });
  }

  /** Throws the collected unmarshal errors, if any. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigUnmarshalError(this.file, this.problems);
  }

  /**
   * Walks a mapping, calling the reader of each known key; unknown keys are reported as Go
   * reports them, or skipped with ignoreUnknown (promtool's --ignore-unknown-fields).
   */
  object(node: Node | undefined, goType: string, fields: FieldReaders, opts: { ignoreUnknown?: boolean } = {}): void {
    if (node === undefined || isNull(node)) return;
    if (!isMap(node)) {
      this.problem(node, `cannot unmarshal ${yamlTag(node)} into ${goType}`);
      return;
    }
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : "";
      const read = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
      if (!read) {
        if (!opts.ignoreUnknown) this.problem(keyNode, `field ${key} not found in type ${goType}`);
        continue;
      }
      const value = pair.value as Node | null;
      if (value === null || isNull(value)) continue;
      read(value, this);
    }
  }

  string(node: Node): string {
    if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number" || typeof node.value === "boolean")) {
      return String(node.source ?? node.value);
    }
    this.problem(node, `cannot unmarshal ${yamlTag(node)} into string`);
    return "";
  }

  bool(node: Node): boolean {
    if (isScalar(node) && typeof node.value === "boolean") return node.value;
    this.problem(node, `cannot unmarshal ${yamlTag(node)} \`${scalarText(node)}\` into bool`);
    return false;
  }

  int(node: Node): number {
    if (isScalar(node) && typeof node.value === "number" && Number.isSafeInteger(node.value)) return node.value;
    this.problem(node, `cannot unmarshal ${yamlTag(node)} \`${scalarText(node)}\` into int`);
    return 0;
  }

  float(node: Node): number {
    if (isScalar(node) && typeof node.value === "number") return node.value;
    this.problem(node, `cannot unmarshal ${yamlTag(node)} \`${scalarText(node)}\` into float64`);
    return 0;
  }

  /** A Prometheus duration ("1m30s"), in ms. */
  duration(node: Node): number {
    const s = this.string(node);
    try {
      return parseDuration(s);
    } catch (err) {
      return this.fail(node, (err as Error).message);
    }
  }

  list<T>(node: Node, item: (n: Node) => T): T[] {
    if (!isSeq(node)) {
      this.problem(node, `cannot unmarshal ${yamlTag(node)} into a list`);
      return [];
    }
    return node.items.map((n) => item(n as Node));
  }

  stringList(node: Node): string[] {
    return this.list(node, (n) => this.string(n));
  }

  /** The key/value pairs of a mapping, for maps whose values are not plain strings. */
  entries(node: Node, goType: string): [string, Node][] {
    if (!isMap(node)) {
      this.problem(node, `cannot unmarshal ${yamlTag(node)} into ${goType}`);
      return [];
    }
    return node.items.filter((p) => p.value !== null).map((p) => [this.string(p.key as Node), p.value as Node]);
  }

  /** A mapping of strings to strings, in document order. */
  stringMap(node: Node): Map<string, { value: string; node: Node }> {
    const out = new Map<string, { value: string; node: Node }>();
    if (!isMap(node)) {
      this.problem(node, `cannot unmarshal ${yamlTag(node)} into map[string]string`);
      return out;
    }
    for (const pair of node.items) {
      const k = pair.key as Node;
      const v = pair.value as Node | null;
      out.set(this.string(k), { value: v === null || isNull(v) ? "" : this.string(v), node: k });
    }
    return out;
  }
}

function isNull(node: Node): boolean {
  return isScalar(node) && node.value === null;
}

function scalarText(node: Node): string {
  return isScalar(node) ? String(node.source ?? node.value) : "";
}

function yamlTag(node: Node): string {
  if (isMap(node)) return "!!map";
  if (isSeq(node)) return "!!seq";
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "number") return Number.isInteger(v) ? "!!int" : "!!float";
    if (typeof v === "boolean") return "!!bool";
    return "!!str";
  }
  return "!!node";
}
