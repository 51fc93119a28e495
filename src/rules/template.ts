// Alert label/annotation templates: Prometheus' data ($labels, $value, $externalLabels,
// $externalURL) over our text/template subset, with Prometheus' template functions.
import { RE2JS } from "re2js";
import { parseDuration } from "../model/duration.js";
import { TemplateError } from "./errors.js";
import { goTypeName, sprint, sprintf, sprintValue, TStruct, type TValue } from "./go-format.js";
import { TemplateParser, type Arg, type Pipeline, type TNode } from "./template-parse.js";
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, toFloat } from "./humanize.js";

/** Runs a PromQL instant query for the template's `query` function. */
export type TemplateQueryFunc = (query: string, timeMs: number) => Promise<{ labels: Readonly<Record<string, string>>; value: number }[]>;

export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalUrl: string;
  readonly value: number;
}

/** What Prometheus prepends to every alert template so users can write $labels.x. */
const DEFS = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

type Fn = (args: TValue[], ctx: ExecContext) => TValue | Promise<TValue>;

interface ExecContext {
  readonly timeMs: number;
  readonly externalUrl: string;
  readonly query: TemplateQueryFunc | undefined;
  readonly name: string;
}

function mapOf(rec: Readonly<Record<string, string>>): Map<string, TValue> {
  return new Map(Object.entries(rec));
}

function truth(v: TValue): boolean {
  if (v === undefined || v === null || v === false || v === "" || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

function str(v: TValue, fn: string): string {
  if (typeof v !== "string") throw new TemplateError(`wrong type for value; expected string; got ${goTypeName(v)} (in ${fn})`);
  return v;
}

function compareBasic(a: TValue, b: TValue, fn: string): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === "number" && typeof b === "number") || (typeof a === "bigint" && typeof b === "bigint")) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean" && (fn === "eq" || fn === "ne")) return a === b ? 0 : 1;
  if (typeof a !== typeof b || a === null || b === null) throw new TemplateError(`error calling ${fn}: incompatible types for comparison`);
  throw new TemplateError(`error calling ${fn}: invalid type for comparison`);
}

function sampleStruct(labels: Readonly<Record<string, string>>, value: number): TStruct {
  return new TStruct("*template.sample", { Labels: mapOf(labels), Value: value });
}

function sampleField(v: TValue, field: "Labels" | "Value"): TValue {
  return v instanceof TStruct ? v.fields[field] : undefined;
}

/** Go's Regexp.Expand for $1, ${1}, $name and ${name}. */
function expandReplacement(repl: string, m: ReturnType<RE2JS["matcher"]>, names: Record<string, number>): string {
  return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (all, _x: string, braced?: string, bare?: string) => {
    if (all === "$$") return "$";
    const name = braced ?? bare ?? "";
    const idx = /^\d+$/.test(name) ? Number(name) : names[name];
    if (idx === undefined || idx > m.groupCount()) return "";
    return m.group(idx) ?? "";
  });
}

const FUNCS: Record<string, Fn> = {
  // Go's builtins.
  and: (a) => a.find((v) => !truth(v)) ?? a[a.length - 1],
  or: (a) => a.find((v) => truth(v)) ?? a[a.length - 1],
  not: (a) => !truth(a[0]),
  len: (a) => {
    const v = a[0];
    if (typeof v === "string") return BigInt(Buffer.byteLength(v));
    if (Array.isArray(v)) return BigInt(v.length);
    if (v instanceof Map) return BigInt(v.size);
    throw new TemplateError(`error calling len: len of type ${goTypeName(v)}`);
  },
  index: (a) => {
    let v = a[0];
    for (const k of a.slice(1)) {
      if (v instanceof Map) v = v.get(str(k, "index")) ?? "";
      else if (Array.isArray(v) && typeof k === "bigint") {
        if (k < 0n || k >= BigInt(v.length)) throw new TemplateError(`error calling index: index out of range: ${k}`);
        v = v[Number(k)];
      } else throw new TemplateError(`error calling index: can't index item of type ${goTypeName(v)}`);
    }
    return v;
  },
  print: (a) => sprint(a),
  println: (a) => a.map(sprintValue).join(" ") + "\n",
  printf: (a) => sprintf(str(a[0], "printf"), a.slice(1)),
  urlquery: (a) => encodeURIComponent(sprint(a)).replace(/%20/g, "+"),
  html: (a) => sprint(a).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c] ?? c),
  eq: (a) => {
    if (a.length < 2) throw new TemplateError("error calling eq: missing argument for comparison");
    return a.slice(1).some((b) => compareBasic(a[0], b, "eq") === 0);
  },
  ne: (a) => compareBasic(a[0], a[1], "ne") !== 0,
  lt: (a) => compareBasic(a[0], a[1], "lt") < 0,
  le: (a) => compareBasic(a[0], a[1], "le") <= 0,
  gt: (a) => compareBasic(a[0], a[1], "gt") > 0,
  ge: (a) => compareBasic(a[0], a[1], "ge") >= 0,
  // Prometheus' additions.
  query: async (a, ctx) => {
    if (!ctx.query) throw new TemplateError("error calling query: no query engine available");
    const res = await ctx.query(str(a[0], "query"), ctx.timeMs);
    return res.map((s) => sampleStruct(s.labels, s.value));
  },
  first: (a) => {
    const v = a[0];
    if (Array.isArray(v) && v.length > 0) return v[0];
    throw new TemplateError("error calling first: first() called on vector with no elements");
  },
  label: (a) => {
    const l = sampleField(a[1], "Labels");
    return l instanceof Map ? (l.get(str(a[0], "label")) ?? "") : "";
  },
  value: (a) => sampleField(a[0], "Value") ?? 0,
  strvalue: (a) => {
    const l = sampleField(a[0], "Labels");
    return l instanceof Map ? (l.get("__value__") ?? "") : "";
  },
  args: (a) => new Map(a.map((v, i) => [`arg${i}`, v])),
  reReplaceAll: (a) => {
    const re = RE2JS.compile(str(a[0], "reReplaceAll"));
    const repl = str(a[1], "reReplaceAll");
    const text = str(a[2], "reReplaceAll");
    const m = re.matcher(text);
    const names = re.namedGroups() as Record<string, number>;
    let out = "";
    let last = 0;
    while (m.find()) {
      out += text.slice(last, m.start()) + expandReplacement(repl, m, names);
      last = m.end();
      if (m.end() === m.start() && last >= text.length) break;
    }
    return out + text.slice(last);
  },
  safeHtml: (a) => str(a[0], "safeHtml"),
  match: (a) => RE2JS.compile(str(a[0], "match")).matcher(str(a[1], "match")).find(),
  title: (a) => str(a[0], "title").replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  toUpper: (a) => str(a[0], "toUpper").toUpperCase(),
  toLower: (a) => str(a[0], "toLower").toLowerCase(),
  graphLink: (a) => `/graph?g0.expr=${queryEscape(str(a[0], "graphLink"))}&g0.tab=0`,
  tableLink: (a) => `/graph?g0.expr=${queryEscape(str(a[0], "tableLink"))}&g0.tab=1`,
  sortByLabel: (a) => {
    const name = str(a[0], "sortByLabel");
    const list = Array.isArray(a[1]) ? [...a[1]] : [];
    const key = (v: TValue) => {
      const l = sampleField(v, "Labels");
      return l instanceof Map ? String(l.get(name) ?? "") : "";
    };
    return list.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  },
  humanize: (a) => humanize(toFloat(a[0])),
  humanize1024: (a) => humanize1024(toFloat(a[0])),
  humanizeDuration: (a) => humanizeDuration(toFloat(a[0])),
  humanizePercentage: (a) => humanizePercentage(toFloat(a[0])),
  humanizeTimestamp: (a) => humanizeTimestamp(toFloat(a[0])),
  toTime: (a) => humanizeTimestamp(toFloat(a[0])),
  pathPrefix: (_a, ctx) => pathOf(ctx.externalUrl),
  externalURL: (_a, ctx) => ctx.externalUrl,
  parseDuration: (a) => {
    try {
      return parseDuration(str(a[0], "parseDuration")) / 1000;
    } catch (cause) {
      throw new TemplateError(`error calling parseDuration: ${(cause as Error).message}`, { cause });
    }
  },
  stripPort: (a) => {
    const s = str(a[0], "stripPort");
    const m = /^\[([^\]]+)\]:\d*$/.exec(s) ?? /^([^:]*):\d*$/.exec(s);
    return m ? m[1] : s;
  },
  stripDomain: (a) => {
    const s = str(a[0], "stripDomain");
    const m = /^(\[[^\]]+\]|[^:]*)(:\d*)?$/.exec(s);
    if (!m || m[1].startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(m[1])) return s;
    return m[1].split(".")[0] + (m[2] ?? "");
  },
};

/** The names the parser accepts as functions. */
export const TEMPLATE_FUNCS: ReadonlySet<string> = new Set(Object.keys(FUNCS));

function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function pathOf(u: string): string {
  try {
    return new URL(u).pathname.replace(/\/$/, "");
  } catch {
    return "";
  }
}

/** Parses a label or annotation template as Prometheus does on rule load; throws TemplateError. */
export function checkTemplate(text: string, alertName: string): void {
  new TemplateParser({ name: `__alert_${alertName}`, funcs: TEMPLATE_FUNCS }).parse(DEFS + text);
}

// Rules expand the same few templates for every alert at every evaluation; parse each once.
const PARSED_CACHE_LIMIT = 4096;
const parsedCache = new Map<string, TNode[]>();

function parsed(name: string, text: string): TNode[] {
  const key = name + "\x00" + text;
  let nodes = parsedCache.get(key);
  if (!nodes) {
    nodes = new TemplateParser({ name, funcs: TEMPLATE_FUNCS }).parse(DEFS + text);
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
    parsedCache.set(key, nodes);
  }
  return nodes;
}

export interface ExpandOptions {
  readonly alertName: string;
  readonly data: TemplateData;
  readonly timeMs: number;
  readonly query?: TemplateQueryFunc;
}

/** Expands one template; throws TemplateError on a parse or execution error. */
export async function expandTemplate(text: string, opts: ExpandOptions): Promise<string> {
  if (!text.includes("{{")) return text;
  const name = `__alert_${opts.alertName}`;
  const nodes = parsed(name, text);
  const d = opts.data;
  const dot = new TStruct("template.tmplData", {
    Labels: mapOf(d.labels),
    ExternalLabels: mapOf(d.externalLabels),
    ExternalURL: d.externalUrl,
    Value: d.value,
  });
  const exec = new Executor({ timeMs: opts.timeMs, externalUrl: d.externalUrl, query: opts.query, name });
  return exec.run(nodes, dot);
}

/** Unwinds from {{break}}/{{continue}} to the enclosing range. */
class LoopControl {
  readonly kind: "break" | "continue";
  constructor(kind: "break" | "continue") {
    this.kind = kind;
  }
}

class Executor {
  private readonly ctx: ExecContext;
  private vars: [string, TValue][] = [];
  private out = "";
  private line = 1;

  constructor(ctx: ExecContext) {
    this.ctx = ctx;
  }

  async run(nodes: readonly TNode[], dot: TValue): Promise<string> {
    this.vars = [["$", dot]];
    await this.walk(nodes, dot);
    return this.out;
  }

  private fail(msg: string, cause?: unknown): never {
    throw new TemplateError(`template: ${this.ctx.name}:${this.line}: executing "${this.ctx.name}" at <...>: ${msg}`, cause === undefined ? undefined : { cause });
  }

  private async walk(nodes: readonly TNode[], dot: TValue): Promise<void> {
    for (const n of nodes) {
      if (n.kind === "text") {
        this.out += n.text;
        continue;
      }
      this.line = n.line;
      if (n.kind === "break" || n.kind === "continue") throw new LoopControl(n.kind);
      const mark = this.vars.length;
      if (n.kind === "action") {
        const v = await this.pipeline(n.pipe, dot);
        if (n.pipe.vars.length === 0) this.out += sprintValue(v);
        continue;
      }
      const v = await this.pipeline(n.pipe, dot, n.kind === "range");
      if (n.kind === "if") await this.walk(truth(v) ? n.body : n.elseBody, dot);
      else if (n.kind === "with") await this.walk(truth(v) ? n.body : n.elseBody, truth(v) ? v : dot);
      else await this.range(n.pipe, v, n.body, n.elseBody, dot);
      this.vars.length = mark;
    }
  }

  private async range(pipe: Pipeline, v: TValue, body: readonly TNode[], elseBody: readonly TNode[], dot: TValue): Promise<void> {
    let items: [TValue, TValue][];
    if (Array.isArray(v)) items = v.map((e, i) => [BigInt(i), e]);
    else if (v instanceof Map) items = [...v.keys()].sort().map((k) => [k, v.get(k)]);
    else if (v === undefined || v === null) items = [];
    else return this.fail(`range can't iterate over ${sprintValue(v)}`);
    if (items.length === 0) return this.walk(elseBody, dot);
    for (const [k, e] of items) {
      const mark = this.vars.length;
      if (pipe.vars.length === 1) this.vars.push([pipe.vars[0], e]);
      else if (pipe.vars.length === 2) this.vars.push([pipe.vars[0], k], [pipe.vars[1], e]);
      try {
        await this.walk(body, e);
      } catch (err) {
        if (!(err instanceof LoopControl)) throw err;
        if (err.kind === "break") {
          this.vars.length = mark;
          break;
        }
      }
      this.vars.length = mark;
    }
  }

  private lookup(name: string): TValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i][0] === name) return this.vars[i][1];
    return this.fail(`undefined variable: ${name}`);
  }

  /** Evaluates a pipeline; range pipelines leave their variables to range(). */
  private async pipeline(pipe: Pipeline, dot: TValue, isRange = false): Promise<TValue> {
    let v: TValue = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      v = await this.command(cmd, dot, first ? undefined : { v });
      first = false;
    }
    if (!isRange && pipe.vars.length > 0) {
      if (pipe.assign) {
        for (let i = this.vars.length - 1; i >= 0; i--) {
          if (this.vars[i][0] === pipe.vars[0]) {
            this.vars[i][1] = v;
            break;
          }
        }
      } else this.vars.push([pipe.vars[0], v]);
    }
    return v;
  }

  private async command(cmd: readonly Arg[], dot: TValue, final: { v: TValue } | undefined): Promise<TValue> {
    const head = cmd[0];
    if (head.kind === "func") {
      const args: TValue[] = [];
      for (const a of cmd.slice(1)) args.push(await this.arg(a, dot));
      if (final) args.push(final.v);
      try {
        return await FUNCS[head.name](args, this.ctx);
      } catch (err) {
        if (err instanceof TemplateError && err.message.startsWith("template:")) throw err;
        const msg = err instanceof Error ? err.message : String(err);
        return this.fail(msg.startsWith("error calling") ? msg : `error calling ${head.name}: ${msg}`, err);
      }
    }
    if (cmd.length > 1 || final) return this.fail(`can't give argument to non-function ${describe(head)}`);
    return this.arg(head, dot);
  }

  private async arg(a: Arg, dot: TValue): Promise<TValue> {
    switch (a.kind) {
      case "dot":
        return dot;
      case "field":
        return this.fields(dot, a.names);
      case "var":
        return this.fields(this.lookup(a.name), a.names);
      case "func":
        return this.command([a], dot, undefined);
      case "string":
        return a.value;
      case "int":
        return BigInt(a.value);
      case "float":
        return a.value;
      case "bool":
        return a.value;
      case "nil":
        return null;
      case "pipe": {
        const mark = this.vars.length;
        const v = await this.pipeline(a.pipe, dot);
        this.vars.length = mark;
        return this.fields(v, a.names);
      }
    }
  }

  private fields(v: TValue, names: readonly string[]): TValue {
    let cur = v;
    for (const name of names) {
      // missingkey=zero, as Prometheus configures its templates: absent labels read as "".
      if (cur instanceof Map) cur = cur.get(name) ?? "";
      else if (cur instanceof TStruct) {
        if (!(name in cur.fields)) this.fail(`can't evaluate field ${name} in type ${cur.typeName}`);
        cur = cur.fields[name];
      } else if (cur === undefined || cur === null) this.fail(`nil pointer evaluating ${goTypeName(cur)}.${name}`);
      else this.fail(`can't evaluate field ${name} in type ${goTypeName(cur)}`);
    }
    return cur;
  }
}

function describe(a: Arg): string {
  switch (a.kind) {
    case "field":
      return "." + a.names.join(".");
    case "var":
      return [a.name, ...a.names].join(".");
    case "string":
      return JSON.stringify(a.value);
    case "int":
    case "float":
      return String(a.value);
    default:
      return a.kind;
  }
}
