// Go's fmt formatting of numbers and values as alert templates print them: %v of a float64
// ("1e+06"), %.4g (humanize), and printf's common verbs. Rounding follows Go exactly (on the
// exact binary value, ties to even), so humanized values match Prometheus' digit for digit.
import { quoteGo } from "../model/go-format.js";

/** A Go struct value in a template (the template data, a query sample). */
export class TStruct {
  readonly typeName: string;
  readonly fields: Readonly<Record<string, TValue>>;
  constructor(typeName: string, fields: Readonly<Record<string, TValue>>) {
    this.typeName = typeName;
    this.fields = fields;
  }
}

/**
 * A template value: string, float64 (number), int (bigint), bool, nil (null), an invalid value
 * (undefined, printed "<no value>"), slice, map (sorted by key when iterated or printed) or struct.
 */
export type TValue = string | number | bigint | boolean | null | undefined | TValue[] | Map<string, TValue> | TStruct;

interface Digits {
  /** Significant digits without trailing zeros; "" for zero. */
  d: string;
  /** Position of the decimal point relative to d's start. */
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(v: number): Digits {
  if (v === 0) return { d: "", dp: 0 };
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  return trim({ d: s, dp });
}

function trim(x: Digits): Digits {
  let end = x.d.length;
  while (end > 0 && x.d[end - 1] === "0") end--;
  let start = 0;
  while (start < end && x.d[start] === "0") start++;
  return { d: x.d.slice(start, end), dp: x.dp - start };
}

/** Rounds to nd significant digits as Go's decimal.Round does (half to even only on exact ties). */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: "", dp: x.dp };
  if (nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up = next > 5;
  if (next === 5) {
    const exactHalf = nd + 1 === x.d.length;
    up = exactHalf ? nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1 : true;
  }
  if (!up) return trim({ d: x.d.slice(0, nd), dp: x.dp });
  const digits = x.d.slice(0, nd).split("").map(Number);
  let i = nd - 1;
  while (i >= 0 && digits[i] === 9) {
    digits[i] = 0;
    i--;
  }
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  digits[i]++;
  return trim({ d: digits.slice(0, i + 1).join(""), dp: x.dp });
}

/** The shortest digits that round-trip, which JS and Go agree on. */
function shortestDigits(v: number): Digits {
  if (v === 0) return { d: "", dp: 0 };
  const [m, e] = v.toExponential().split("e");
  return trim({ d: m.replace(".", ""), dp: Number(e) + 1 });
}

function digitAt(x: Digits, i: number): string {
  return i >= 0 && i < x.d.length ? x.d[i] : "0";
}

function fmtE(x: Digits, prec: number, e: "e" | "E"): string {
  let s = x.d === "" ? "0" : x.d[0];
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += digitAt(x, i);
  }
  const exp = x.d === "" ? 0 : x.dp - 1;
  const a = Math.abs(exp);
  return s + e + (exp < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
}

function fmtF(x: Digits, prec: number): string {
  let s = "";
  if (x.dp > 0) for (let i = 0; i < x.dp; i++) s += digitAt(x, i);
  else s = "0";
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) s += digitAt(x, x.dp + i);
  }
  return s;
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return undefined;
}

/** strconv.FormatFloat(v, verb, prec, 64); prec -1 is the shortest representation. */
export function formatGoFloat(v: number, verb: "e" | "E" | "f" | "g" | "G", prec: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const shortest = prec < 0;
  let x = shortest ? shortestDigits(a) : exactDigits(a);
  let out: string;
  switch (verb) {
    case "e":
    case "E":
      if (!shortest) x = roundDigits(x, prec + 1);
      out = fmtE(x, shortest ? Math.max(x.d.length - 1, 0) : prec, verb);
      break;
    case "f":
      if (!shortest) x = roundDigits(x, x.dp + prec);
      out = fmtF(x, shortest ? Math.max(x.d.length - x.dp, 0) : prec);
      break;
    default: {
      let p = prec;
      if (shortest) p = x.d.length;
      else {
        if (p === 0) p = 1;
        x = roundDigits(x, p);
      }
      let eprec = p;
      if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
      if (shortest) eprec = 6;
      const exp = x.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (p > x.d.length) p = x.d.length;
        out = fmtE(x, Math.max(p - 1, 0), verb === "G" ? "E" : "e");
      } else {
        if (p > x.dp) p = x.d.length;
        out = fmtF(x, Math.max(p - x.dp, 0));
      }
    }
  }
  return (neg ? "-" : "") + out;
}

/** fmt's %v. */
export function sprintValue(v: TValue): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatGoFloat(v, "g", -1);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "[" + v.map(sprintValue).join(" ") + "]";
  if (v instanceof Map) return "map[" + [...v.keys()].sort().map((k) => `${k}:${sprintValue(v.get(k))}`).join(" ") + "]";
  return "{" + Object.values(v.fields).map(sprintValue).join(" ") + "}";
}

/** fmt.Sprint: operands separated by a space when neither side is a string. */
export function sprint(args: readonly TValue[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += sprintValue(args[i]);
  }
  return out;
}

export function goTypeName(v: TValue): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "bigint") return "int";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof Map) return "map[string]string";
  return v.typeName;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s + " ".repeat(width - s.length);
  if (zero) {
    const sign = /^[+-]/.test(s) ? s[0] : "";
    return sign + "0".repeat(width - s.length) + s.slice(sign.length);
  }
  return " ".repeat(width - s.length) + s;
}

/** fmt.Sprintf for the verbs templates use: v s q d x X o b c t f F e E g G and %%. */
export function sprintf(format: string, args: readonly TValue[]): string {
  let out = "";
  let argi = 0;
  const re = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])?/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags, w, p, verb] = m;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (verb === undefined) {
      out += "%!(NOVERB)";
      continue;
    }
    const num = (s: string | undefined): number | undefined => {
      if (s === undefined) return undefined;
      if (s !== "*") return Number(s);
      const a = args[argi++];
      return typeof a === "bigint" ? Number(a) : undefined;
    };
    const width = num(w) ?? 0;
    const precText = m[0].includes(".") ? (p ?? "0") : undefined;
    const prec = num(precText);
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    const left = flags.includes("-");
    const zero = flags.includes("0") && !left;
    const plus = flags.includes("+");
    const space = flags.includes(" ");
    const sign = (s: string): string => (s.startsWith("-") ? s : plus ? "+" + s : space ? " " + s : s);
    const bad = () => `%!${verb}(${goTypeName(arg)}=${sprintValue(arg)})`;
    let s: string;
    switch (verb) {
      case "v":
        s = typeof arg === "number" ? sign(formatGoFloat(arg, "g", prec ?? -1)) : sprintValue(arg);
        break;
      case "s":
        s = typeof arg === "string" ? arg : typeof arg === "number" || typeof arg === "bigint" || typeof arg === "boolean" ? bad() : sprintValue(arg);
        if (prec !== undefined && typeof arg === "string") s = [...s].slice(0, prec).join("");
        break;
      case "q":
        s = typeof arg === "string" ? quoteGo(arg) : bad();
        break;
      case "t":
        s = typeof arg === "boolean" ? String(arg) : bad();
        break;
      case "d":
      case "x":
      case "X":
      case "o":
      case "b":
      case "c": {
        if (typeof arg === "string" && (verb === "x" || verb === "X")) {
          s = Buffer.from(arg, "utf8").toString("hex");
          if (verb === "X") s = s.toUpperCase();
          break;
        }
        if (typeof arg !== "bigint") {
          s = bad();
          break;
        }
        if (verb === "c") {
          s = String.fromCodePoint(Number(arg));
          break;
        }
        const base = verb === "d" ? 10 : verb === "o" ? 8 : verb === "b" ? 2 : 16;
        s = (arg < 0n ? "-" : "") + (arg < 0n ? -arg : arg).toString(base);
        if (verb === "X") s = s.toUpperCase();
        s = sign(s);
        break;
      }
      case "f":
      case "F":
      case "e":
      case "E":
      case "g":
      case "G": {
        if (typeof arg !== "number") {
          s = bad();
          break;
        }
        const v = verb === "F" ? "f" : verb;
        const defPrec = v === "g" || v === "G" ? -1 : 6;
        s = sign(formatGoFloat(arg, v, prec ?? defPrec));
        break;
      }
      default:
        s = bad();
    }
    out += pad(s, width, left, zero && typeof arg !== "string");
  }
  out += format.slice(last);
  if (argi < args.length) out += "%!(EXTRA " + args.slice(argi).map((a) => `${goTypeName(a)}=${sprintValue(a)}`).join(", ") + ")";
  return out;
}
