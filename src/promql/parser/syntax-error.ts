// Words a syntax error the way Prometheus does. The grammar only says where parsing stopped;
// this module re-tokenises the query like Prometheus' lexer up to that point, so the message is
// either the lexer's own error ("unclosed left parenthesis", "unterminated quoted string") or
// "unexpected <token>" naming the token found there.
import type { PosRange } from "./ast.js";
import { quoteGo } from "../../model/go-format.js";

interface Token {
  readonly type: "eof" | "identifier" | "metric identifier" | "string" | "number" | "duration" | "keyword" | "operator" | "aggregator" | "punct";
  readonly value: string;
  readonly start: number;
}

type LexResult = { token: Token } | { error: string; start: number };

const AGGREGATORS = new Set(["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio"]);
const OPERATOR_WORDS = new Set(["and", "or", "unless", "atan2"]);
const KEYWORDS = new Set(["offset", "smoothed", "anchored", "by", "without", "on", "ignoring", "group_left", "group_right", "fill", "fill_left", "fill_right", "bool", "start", "end", "step", "range"]);
const PUNCT_OPS = ["==", "!=", "<=", ">=", "</", ">/", "=~", "!~", "+", "-", "*", "/", "%", "^", "<", ">", "@", "="];

const isAlpha = (c: string | undefined) => c !== undefined && /[a-zA-Z_]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isAlnum = (c: string | undefined) => isAlpha(c) || isDigit(c);
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

class Lexer {
  private pos = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private readonly input: string;

  constructor(input: string) {
    this.input = input;
  }

  next(): LexResult {
    const s = this.input;
    for (;;) {
      while (isSpace(s[this.pos])) this.pos++;
      if (s[this.pos] === "#") {
        while (this.pos < s.length && s[this.pos] !== "\n" && s[this.pos] !== "\r") this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    const c = s[start];
    if (c === undefined) {
      if (this.braceOpen) return { error: "unexpected end of input inside braces", start };
      if (this.parenDepth !== 0) return { error: "unclosed left parenthesis", start };
      if (this.bracketOpen) return { error: "unclosed left bracket", start };
      return { token: { type: "eof", value: "", start } };
    }
    if (c === '"' || c === "'" || c === "`") return this.string(start, c);
    if (this.braceOpen) return this.insideBraces(start, c);
    if (isDigit(c) || (c === "." && isDigit(s[start + 1]))) return this.numberOrDuration(start);
    if (isAlpha(c) || c === ":") {
      if (this.bracketOpen && c === ":") {
        this.pos++;
        return { token: { type: "punct", value: ":", start } };
      }
      let end = start;
      const re = this.bracketOpen ? /[a-zA-Z0-9_]/ : /[a-zA-Z0-9_:]/;
      while (end < s.length && re.test(s[end])) end++;
      this.pos = end;
      return { token: this.word(s.slice(start, end), start) };
    }
    this.pos++;
    switch (c) {
      case "(":
        this.parenDepth++;
        return { token: { type: "punct", value: c, start } };
      case ")":
        this.parenDepth--;
        // Prometheus emits the parenthesis before failing, so the error starts after it.
        if (this.parenDepth < 0) return { error: `unexpected right parenthesis ${goQuoteRune(c)}`, start: start + 1 };
        return { token: { type: "punct", value: c, start } };
      case "{":
        this.braceOpen = true;
        return { token: { type: "punct", value: c, start } };
      case "[":
        if (this.bracketOpen) return { error: `unexpected left bracket ${goQuoteRune(c)}`, start };
        this.bracketOpen = true;
        return { token: { type: "punct", value: c, start } };
      case "]":
        if (!this.bracketOpen) return { error: `unexpected right bracket ${goQuoteRune(c)}`, start };
        this.bracketOpen = false;
        return { token: { type: "punct", value: c, start } };
      case ",":
        return { token: { type: "punct", value: c, start } };
      case "}":
        return { error: `unexpected character: ${goQuoteRune(c)}`, start };
      case "=":
        if (s[this.pos] === "~") return { error: `unexpected character after '=': ${goQuoteRune("~")}`, start };
        if (s[this.pos] === "=") {
          this.pos++;
          return { token: { type: "operator", value: "==", start } };
        }
        return { token: { type: "punct", value: "=", start } };
      case "!":
        if (s[this.pos] !== "=") return { error: `unexpected character after '!': ${goQuoteRune(s[this.pos] ?? "")}`, start };
        this.pos++;
        return { token: { type: "operator", value: "!=", start } };
    }
    for (const op of PUNCT_OPS) {
      if (s.startsWith(op, start)) {
        this.pos = start + op.length;
        return { token: { type: "operator", value: op, start } };
      }
    }
    return { error: `unexpected character: ${goQuoteRune(c)}`, start };
  }

  private word(w: string, start: number): Token {
    const l = w.toLowerCase();
    if (l === "inf" || l === "nan") return { type: "number", value: w, start };
    if (AGGREGATORS.has(l)) return { type: "aggregator", value: w, start };
    if (OPERATOR_WORDS.has(l)) return { type: "operator", value: w, start };
    if (KEYWORDS.has(l)) return { type: "keyword", value: w, start };
    return { type: w.includes(":") ? "metric identifier" : "identifier", value: w, start };
  }

  private insideBraces(start: number, c: string): LexResult {
    const s = this.input;
    if (isAlpha(c)) {
      let end = start;
      while (isAlnum(s[end])) end++;
      this.pos = end;
      return { token: { type: "identifier", value: s.slice(start, end), start } };
    }
    this.pos++;
    switch (c) {
      case ",":
        return { token: { type: "punct", value: c, start } };
      case "}":
        this.braceOpen = false;
        return { token: { type: "punct", value: c, start } };
      case "{":
        return { error: `unexpected left brace ${goQuoteRune(c)}`, start };
      case "=":
        if (s[this.pos] === "~") this.pos++;
        return { token: { type: "operator", value: s.slice(start, this.pos), start } };
      case "!":
        if (s[this.pos] === "~" || s[this.pos] === "=") {
          this.pos++;
          return { token: { type: "operator", value: s.slice(start, this.pos), start } };
        }
        return { error: `unexpected character after '!' inside braces: ${goQuoteRune(s[this.pos] ?? "")}`, start };
    }
    return { error: `unexpected character inside braces: ${goQuoteRune(c)}`, start };
  }

  private string(start: number, quote: string): LexResult {
    const s = this.input;
    let i = start + 1;
    for (;;) {
      const c = s[i];
      if (c === undefined) return { error: quote === "`" ? "unterminated raw string" : "unterminated quoted string", start };
      if (c === "\n" && quote !== "`") return { error: "unterminated quoted string", start };
      if (c === "\\" && quote !== "`") {
        const bad = escapeError(s, i + 1, quote);
        if (bad) return { error: bad, start };
        i += 2;
        continue;
      }
      i++;
      if (c === quote) break;
    }
    this.pos = i;
    return { token: { type: "string", value: s.slice(start, i), start } };
  }

  private numberOrDuration(start: number): LexResult {
    const s = this.input;
    const num = /^(0[xX]_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*|([0-9]+(_[0-9]+)*(\.([0-9]+(_[0-9]+)*)?)?|\.[0-9]+(_[0-9]+)*)([eE][+-]?[0-9]+(_[0-9]+)*)?)/.exec(s.slice(start));
    if (num && !isAlnum(s[start + num[0].length])) {
      this.pos = start + num[0].length;
      return { token: { type: "number", value: num[0], start } };
    }
    const dur = /^[0-9]+(ms|[smhdwy])([0-9]+(ms|[smhdw]))*/.exec(s.slice(start));
    if (dur && !isAlnum(s[start + dur[0].length])) {
      this.pos = start + dur[0].length;
      return { token: { type: "duration", value: dur[0], start } };
    }
    let end = start;
    while (isAlnum(s[end]) || s[end] === ".") end++;
    return { error: `bad number or duration syntax: ${JSON.stringify(s.slice(start, end))}`, start };
  }
}

function escapeError(s: string, i: number, quote: string): string | undefined {
  const c = s[i];
  if (c === undefined) return "escape sequence not terminated";
  if ("abfnrtv\\".includes(c) || c === quote) return undefined;
  let n = 0;
  let base = 0;
  let j = i;
  if (c >= "0" && c <= "7") {
    n = 3;
    base = 8;
  } else if (c === "x" || c === "u" || c === "U") {
    n = c === "x" ? 2 : c === "u" ? 4 : 8;
    base = 16;
    j++;
  } else {
    return `unknown escape sequence U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} '${c}'`;
  }
  for (let k = 0; k < n; k++) {
    const d = s[j + k];
    if (d === undefined) return "escape sequence not terminated";
    if (!(base === 8 ? /[0-7]/ : /[0-9a-fA-F]/).test(d)) {
      return `illegal character U+${d.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} '${d}' in escape sequence`;
    }
  }
  return undefined;
}

/** Go's %q of a rune: a single-quoted character. */
function goQuoteRune(c: string): string {
  if (c === "'") return "'\\''";
  if (c === "\\") return "'\\\\'";
  return `'${c}'`;
}

function describe(t: Token): string {
  switch (t.type) {
    case "eof":
      return "end of input";
    case "keyword":
      return `<${t.value}>`;
    case "operator":
      return `<op:${t.value}>`;
    case "aggregator":
      return `<aggr:${t.value}>`;
    case "punct":
      return quoteGo(t.value);
    default: {
      const truncate = t.type !== "identifier" && t.type !== "metric identifier" && t.value.length > 10;
      const quoted = truncate ? `${quoteGo(t.value.slice(0, 10))}...` : quoteGo(t.value);
      return `${t.type} ${quoted}`;
    }
  }
}

const GROUPING_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const MATCH_OPS = new Set(["=", "!=", "=~", "!~"]);

/**
 * Prometheus' " in <context>, expected <what>" suffix for the common places a query goes wrong,
 * judged from the tokens before the unexpected one.
 */
function context(prev: readonly Token[], t: Token, inBraces: boolean, inGrouping: boolean): string {
  const p1 = prev[prev.length - 1];
  const p2 = prev[prev.length - 2];
  const v1 = p1?.value.toLowerCase();
  if (inBraces) {
    if (p1?.type === "string" && p2 && MATCH_OPS.has(p2.value)) return ' in label matching, expected "," or "}"';
    if (p1 && MATCH_OPS.has(p1.value)) return " in label matching, expected string";
    if (p1?.type === "identifier" || p1?.type === "string") return " in label matching, expected label matching operator";
    return ' in label matching, expected identifier or "}"';
  }
  if (inGrouping) {
    if (v1 === "(" || v1 === ",") return " in grouping opts, expected label";
    return ' in grouping opts, expected "," or ")"';
  }
  if (p1?.type === "keyword" && GROUPING_KEYWORDS.has(v1!) && t.value !== "(") return ' in grouping opts, expected "("';
  if (p1?.type === "keyword" && v1 === "offset") return " in offset, expected number, duration, step(), or range()";
  if (p1?.value === "@") return " in @, expected timestamp";
  if (p1?.value === "[") return " in subquery or range selector, expected number, duration, step(), or range()";
  if (p1?.value === ":" && p2 && (p2.type === "duration" || p2.type === "number")) {
    return ' in subquery selector, expected number, duration, step(), range(), or "]"';
  }
  if ((p1?.type === "duration" || p1?.type === "number") && p2?.value === "[") return ' in subquery or range, expected ":" or "]"';
  if (p1?.type === "aggregator" || (p1?.value === ")" && prev.some((x) => x.type === "aggregator"))) {
    if (p1.type === "aggregator" || aggregationHeadEnds(prev)) return " in aggregation";
  }
  return "";
}

/** True when the tokens end with `<aggregator> by|without (labels)`. */
function aggregationHeadEnds(prev: readonly Token[]): boolean {
  let i = prev.length - 1;
  if (prev[i]?.value !== ")") return false;
  while (i >= 0 && prev[i].value !== "(") i--;
  const kw = prev[i - 1];
  return kw?.type === "keyword" && (kw.value.toLowerCase() === "by" || kw.value.toLowerCase() === "without") && prev[i - 2]?.type === "aggregator";
}

/** The message and position for a syntax error detected at `offset`. */
export function describeSyntaxError(query: string, offset: number): { message: string; pos: PosRange } {
  const lexer = new Lexer(query);
  const prev: Token[] = [];
  let inBraces = false;
  let inGrouping = false;
  for (;;) {
    const r = lexer.next();
    if ("error" in r) return { message: r.error, pos: { start: r.start, end: query.length } };
    const t = r.token;
    if (t.start >= offset || t.type === "eof" || t.start + t.value.length > offset) {
      const message = `unexpected ${describe(t)}${context(prev, t, inBraces, inGrouping)}`;
      return { message, pos: { start: t.start, end: t.start + t.value.length } };
    }
    if (t.value === "{") inBraces = true;
    else if (t.value === "}") inBraces = false;
    else if (t.value === "(" && prev.length > 0 && prev[prev.length - 1].type === "keyword" && GROUPING_KEYWORDS.has(prev[prev.length - 1].value.toLowerCase())) inGrouping = true;
    else if (t.value === ")") inGrouping = false;
    prev.push(t);
  }
}
