// Parses the subset of Go's text/template that alert labels and annotations use in practice:
// actions with pipelines, variables, fields, if/else if/else, range, with, comments and the
// {{- -}} trim markers. Errors read like Go's: "template: NAME:LINE: message".
import { TemplateError } from "./errors.js";

export type Arg =
  | { readonly kind: "dot" }
  | { readonly kind: "field"; readonly names: readonly string[] } // .A.B on dot
  | { readonly kind: "var"; readonly name: string; readonly names: readonly string[] } // $x.A.B
  | { readonly kind: "func"; readonly name: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "nil" }
  | { readonly kind: "pipe"; readonly pipe: Pipeline; readonly names: readonly string[] };

export interface Pipeline {
  /** Variables declared (":=") or assigned ("=") by this pipeline. */
  readonly vars: readonly string[];
  readonly assign: boolean;
  readonly cmds: readonly (readonly Arg[])[];
}

export type TNode =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "break"; readonly line: number }
  | { readonly kind: "continue"; readonly line: number }
  | { readonly kind: "action"; readonly line: number; readonly pipe: Pipeline }
  | { readonly kind: "if" | "with"; readonly line: number; readonly pipe: Pipeline; readonly body: TNode[]; readonly elseBody: TNode[] }
  | { readonly kind: "range"; readonly line: number; readonly pipe: Pipeline; readonly body: TNode[]; readonly elseBody: TNode[] };

type Tok =
  | { t: "ident" | "field" | "var" | "string" | "number" | "char"; v: string }
  | { t: "(" | ")" | "|" | ":=" | "=" | "," };

interface Action {
  readonly line: number;
  readonly toks: Tok[];
}

type Piece = { kind: "text"; text: string } | { kind: "action"; action: Action };

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);

export class TemplateParser {
  private readonly name: string;
  private readonly funcs: ReadonlySet<string>;
  private pieces: Piece[] = [];
  private pos = 0;
  private scopes: string[][] = [["$"]];
  private rangeDepth = 0;

  constructor(opts: { name: string; funcs: ReadonlySet<string> }) {
    this.name = opts.name;
    this.funcs = opts.funcs;
  }

  parse(text: string): TNode[] {
    this.pieces = this.split(text);
    this.pos = 0;
    this.scopes = [["$"]];
    const { nodes, stop } = this.list();
    if (stop) this.fail(stop.line, `unexpected {{${stop.toks[0] && "v" in stop.toks[0] ? stop.toks[0].v : ""}}}`);
    return nodes;
  }

  private fail(line: number, msg: string): never {
    throw new TemplateError(`template: ${this.name}:${line}: ${msg}`);
  }

  /** Splits text into literal text and lexed actions, applying trim markers. */
  private split(text: string): Piece[] {
    const out: Piece[] = [];
    let i = 0;
    let line = 1;
    let trimNext = false;
    while (i < text.length) {
      const open = text.indexOf("{{", i);
      let lit = open < 0 ? text.slice(i) : text.slice(i, open);
      if (trimNext) lit = lit.replace(/^[ \t\r\n]+/, "");
      trimNext = false;
      if (open < 0) {
        if (lit !== "") out.push({ kind: "text", text: lit });
        break;
      }
      let start = open + 2;
      if (text[start] === "-" && /[ \t\r\n]/.test(text[start + 1] ?? "")) {
        lit = lit.replace(/[ \t\r\n]+$/, "");
        start += 1;
      }
      if (lit !== "") out.push({ kind: "text", text: lit });
      line += countLines(text.slice(i, open));
      const actionLine = line;
      const { toks, end, trim } = this.lexAction(text, start, actionLine);
      line += countLines(text.slice(open, end));
      trimNext = trim;
      if (toks !== undefined) out.push({ kind: "action", action: { line: actionLine, toks } });
      i = end;
    }
    return out;
  }

  /** Lexes one action from just after "{{"; returns undefined toks for a comment. */
  private lexAction(text: string, from: number, line: number): { toks: Tok[] | undefined; end: number; trim: boolean } {
    let i = from;
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) this.fail(line, "unclosed comment");
      let j = close + 2;
      while (j < text.length && /\s/.test(text[j])) j++;
      const trim = text.startsWith("-}}", j);
      if (!trim && !text.startsWith("}}", j)) this.fail(line, "comment ends before closing delimiter");
      return { toks: undefined, end: j + (trim ? 3 : 2), trim };
    }
    const toks: Tok[] = [];
    for (;;) {
      if (i >= text.length) this.fail(line, "unclosed action");
      const c = text[i];
      if (/\s/.test(c)) {
        if (text.startsWith("-}}", i + 1) && /[ \t\r\n]/.test(c)) return { toks, end: i + 4, trim: true };
        i++;
        continue;
      }
      if (text.startsWith("}}", i)) return { toks, end: i + 2, trim: false };
      if (c === "(" || c === ")" || c === "|" || c === ",") {
        toks.push({ t: c });
        i++;
      } else if (text.startsWith(":=", i)) {
        toks.push({ t: ":=" });
        i += 2;
      } else if (c === "=") {
        toks.push({ t: "=" });
        i++;
      } else if (c === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '"') {
          if (text[j] === "\\") j++;
          if (text[j] === "\n") this.fail(line, "unterminated quoted string");
          j++;
        }
        if (j >= text.length) this.fail(line, "unterminated quoted string");
        toks.push({ t: "string", v: unquoteGo(text.slice(i + 1, j), line, (l, m) => this.fail(l, m)) });
        i = j + 1;
      } else if (c === "`") {
        const j = text.indexOf("`", i + 1);
        if (j < 0) this.fail(line, "unterminated raw quoted string");
        toks.push({ t: "string", v: text.slice(i + 1, j) });
        i = j + 1;
      } else if (c === "'") {
        const m = /^'(\\.|[^\\'])'/.exec(text.slice(i));
        if (!m) this.fail(line, "unterminated character constant");
        toks.push({ t: "number", v: String(unquoteGo(m[1], line, (l, msg) => this.fail(l, msg)).codePointAt(0)) });
        i += m[0].length;
      } else if (c === "$") {
        const m = /^\$[\p{L}\p{N}_]*((\.[\p{L}\p{N}_]+)*)/u.exec(text.slice(i))!;
        toks.push({ t: "var", v: m[0] });
        i += m[0].length;
      } else if (c === ".") {
        const m = /^(\.[\p{L}\p{N}_]+)+/u.exec(text.slice(i));
        if (m) {
          toks.push({ t: "field", v: m[0] });
          i += m[0].length;
        } else if (/^\.[0-9]/.test(text.slice(i))) {
          const n = /^\.[0-9][0-9_]*([eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
          toks.push({ t: "number", v: n[0] });
          i += n[0].length;
        } else {
          toks.push({ t: "field", v: "." });
          i++;
        }
      } else if (/[0-9+-]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[oObB][0-7_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?)/.exec(text.slice(i));
        if (!m) this.fail(line, `bad number syntax: "${c}"`);
        toks.push({ t: "number", v: m[0] });
        i += m[0].length;
      } else if (/[\p{L}_]/u.test(c)) {
        const m = /^[\p{L}\p{N}_]+/u.exec(text.slice(i))!;
        toks.push({ t: "ident", v: m[0] });
        i += m[0].length;
      } else {
        this.fail(line, `unexpected ${JSON.stringify(c)} in command`);
      }
    }
  }

  private next(): Piece | undefined {
    return this.pieces[this.pos++];
  }

  /** Parses nodes until {{end}}/{{else}} (returned as stop) or the end of input. */
  private list(): { nodes: TNode[]; stop: Action | undefined } {
    const nodes: TNode[] = [];
    for (;;) {
      const p = this.next();
      if (!p) return { nodes, stop: undefined };
      if (p.kind === "text") {
        nodes.push({ kind: "text", text: p.text });
        continue;
      }
      const a = p.action;
      const first = a.toks[0];
      const kw = first && first.t === "ident" && KEYWORDS.has(first.v) ? first.v : undefined;
      if (kw === "end" || kw === "else") return { nodes, stop: a };
      if (kw === "if" || kw === "with" || kw === "range") nodes.push(this.control(kw, a));
      else if (kw === "break" || kw === "continue") {
        if (this.rangeDepth === 0) this.fail(a.line, `{{${kw}}} outside {{range}}`);
        if (a.toks.length > 1) this.fail(a.line, `unexpected tokens in {{${kw}}}`);
        nodes.push({ kind: kw, line: a.line });
      }
      else if (kw !== undefined) this.fail(a.line, `unexpected keyword "${kw}" (not supported by promwasm templates)`);
      else {
        if (a.toks.length === 0) this.fail(a.line, "missing value for command");
        nodes.push({ kind: "action", line: a.line, pipe: this.pipeline(a.toks, a.line, true) });
      }
    }
  }

  private control(kw: "if" | "with" | "range", a: Action): TNode {
    this.scopes.push([]);
    const pipe = this.pipeline(a.toks.slice(1), a.line, kw === "range");
    if (pipe.cmds.length === 0) this.fail(a.line, `missing value for ${kw}`);
    if (kw === "range") this.rangeDepth++;
    const { nodes: body, stop } = this.list();
    if (kw === "range") this.rangeDepth--;
    if (!stop) this.fail(a.line, "unexpected EOF");
    this.scopes.pop();
    let elseBody: TNode[] = [];
    const stopKw = stop.toks[0] as { v: string };
    if (stopKw.v === "else") {
      const rest = stop.toks.slice(1);
      if (rest.length > 0 && rest[0].t === "ident" && (rest[0].v === "if" || rest[0].v === "with") && kw !== "range") {
        // "else if" chains nest a new control node that shares this one's {{end}}.
        elseBody = [this.control(rest[0].v as "if" | "with", { line: stop.line, toks: rest })];
        return { kind: kw, line: a.line, pipe, body, elseBody };
      }
      if (rest.length > 0) this.fail(stop.line, "unexpected tokens after else");
      this.scopes.push([]);
      const tail = this.list();
      this.scopes.pop();
      if (!tail.stop) this.fail(stop.line, "unexpected EOF");
      if ((tail.stop.toks[0] as { v: string }).v !== "end") this.fail(tail.stop.line, "expected end; found {{else}}");
      elseBody = tail.nodes;
    } else if (stop.toks.length > 1) {
      this.fail(stop.line, "unexpected tokens after end");
    }
    return { kind: kw, line: a.line, pipe, body, elseBody };
  }

  private declare(name: string): void {
    this.scopes[this.scopes.length - 1].push(name);
  }

  private checkVar(name: string, line: number): void {
    for (const s of this.scopes) if (s.includes(name)) return;
    this.fail(line, `undefined variable "${name}"`);
  }

  private pipeline(toks: Tok[], line: number, allowDecl: boolean): Pipeline {
    let i = 0;
    const vars: string[] = [];
    let assign = false;
    // Declarations: $x := ..., $x = ..., or (range) $i, $e := ...
    const declEnd = toks.findIndex((t) => t.t === ":=" || t.t === "=");
    if (declEnd > 0 && toks.slice(0, declEnd).every((t, k) => (k % 2 === 0 ? t.t === "var" && !("v" in t && t.v.includes(".")) : t.t === ","))) {
      const names = toks.slice(0, declEnd).filter((t) => t.t === "var").map((t) => (t as { v: string }).v);
      if (names.length > (allowDecl ? 2 : 1)) this.fail(line, "too many declarations");
      assign = toks[declEnd].t === "=";
      if (assign) for (const n of names) this.checkVar(n, line);
      vars.push(...names);
      i = declEnd + 1;
    }
    const cmds: Arg[][] = [];
    let cur: Arg[] = [];
    const rest = toks.slice(i);
    let j = 0;
    const parseArg = (): Arg => {
      const t = rest[j++];
      switch (t.t) {
        case "(": {
          let depth = 1;
          const start = j;
          while (j < rest.length && depth > 0) {
            if (rest[j].t === "(") depth++;
            else if (rest[j].t === ")") depth--;
            j++;
          }
          if (depth > 0) this.fail(line, "unclosed left paren");
          const inner = this.pipeline(rest.slice(start, j - 1), line, false);
          let names: string[] = [];
          const after = rest[j];
          if (after && after.t === "field" && after.v !== ".") {
            names = after.v.slice(1).split(".");
            j++;
          }
          return { kind: "pipe", pipe: inner, names };
        }
        case "field":
          return t.v === "." ? { kind: "dot" } : { kind: "field", names: t.v.slice(1).split(".") };
        case "var": {
          const [name, ...names] = t.v.split(".");
          this.checkVar(name, line);
          return { kind: "var", name, names };
        }
        case "string":
          return { kind: "string", value: t.v };
        case "number": {
          const s = t.v.replace(/_/g, "");
          if (/^[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/.test(s)) {
            const neg = s.startsWith("-");
            const body = s.replace(/^[+-]/, "");
            const v = /^0[oO]/.test(body) ? parseInt(body.slice(2), 8) : /^0[bB]/.test(body) ? parseInt(body.slice(2), 2) : /^0[0-7]+$/.test(body) ? parseInt(body, 8) : Number(body);
            return { kind: "int", value: neg ? -v : v };
          }
          const v = Number(s);
          if (Number.isNaN(v)) this.fail(line, `bad number syntax: "${t.v}"`);
          return { kind: "float", value: v };
        }
        case "ident":
          if (t.v === "true" || t.v === "false") return { kind: "bool", value: t.v === "true" };
          if (t.v === "nil") return { kind: "nil" };
          if (KEYWORDS.has(t.v)) this.fail(line, `unexpected <${t.v}> in command`);
          if (!this.funcs.has(t.v)) this.fail(line, `function "${t.v}" not defined`);
          return { kind: "func", name: t.v };
        default:
          return this.fail(line, `unexpected "${t.t}" in operand`);
      }
    };
    while (j < rest.length) {
      if (rest[j].t === "|") {
        if (cur.length === 0) this.fail(line, "missing command");
        cmds.push(cur);
        cur = [];
        j++;
        continue;
      }
      const arg = parseArg();
      if (arg.kind === "nil" && cur.length === 0 && (j >= rest.length || rest[j].t === "|")) this.fail(line, "nil is not a command");
      cur.push(arg);
    }
    if (cur.length > 0) cmds.push(cur);
    else if (cmds.length > 0) this.fail(line, "missing command");
    if (!assign) for (const v of vars) this.declare(v);
    return { vars, assign, cmds };
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === "\n") n++;
  return n;
}

/** Go's interpreted string literal escapes. */
function unquoteGo(body: string, line: number, fail: (line: number, msg: string) => never): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case "n": return "\n";
      case "t": return "\t";
      case "r": return "\r";
      case "a": return "\x07";
      case "b": return "\b";
      case "f": return "\f";
      case "v": return "\v";
      case "\\": return "\\";
      case '"': return '"';
      case "'": return "'";
      case "x": return String.fromCharCode(parseInt(e.slice(1), 16));
      case "u":
      case "U": return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
        return fail(line, "invalid syntax");
    }
  });
}
