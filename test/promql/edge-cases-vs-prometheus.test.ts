// Generated edge cases of four classes, each asked of Prometheus 2.42 and of promwasm's
// engine: date functions over times JavaScript's Date cannot hold (years 0-99, ±1e13 s, NaN),
// number literals Go's strconv rejects, malformed durations, and `le` labels in Go's float
// syntax (hex floats, underscores) in histogram_quantile. Where 2.42's lexer and 3.x's differ
// (underscores in literals, lexer wording), only the verdict is compared, not the message.
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/promql/engine.js";
import type { QueryValue } from "../../src/promql/value.js";
import { useReferencePrometheus } from "../helpers/process.js";
import { MemoryStorage } from "./memory-storage.js";

interface Answer {
  readonly error?: string;
  /** label set -> value, as Prometheus prints them */
  readonly values?: Record<string, number>;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Values printed so NaN and ±Inf stay apart (JSON would make both null). */
function show(values: Record<string, number> | undefined): string {
  return Object.entries(values ?? {})
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

function num(s: string): number {
  return s === "NaN" ? NaN : s === "+Inf" ? Infinity : s === "-Inf" ? -Infinity : Number(s);
}

const DATE_FUNCTIONS = ["year", "month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "days_in_month"];

/** All date functions of one value in one query, told apart by a label f. */
function dateQuery(arg: string): string {
  return DATE_FUNCTIONS.map((f) => `label_replace(${f}(${arg}), "f", "${f}", "", "")`).join(" or ");
}

function dateArguments(): string[] {
  const rnd = seeded(7);
  const out = ["NaN", "Inf", "-Inf", "1e19", "-1e19", "9.2e18", "-9.2e18", "9.2233720368547e18", "0", "-0.5", "-1.5", "-1", "86399.9"];
  // Years 0-99 (JavaScript's Date maps two-digit years to 19xx) and the turn of year 0.
  for (const t of [-62135596800, -62135596801, -62167219200, -62167219201, -59011459200, -59011459201]) out.push(String(t));
  for (let i = 0; i < 12; i++) out.push(String(Math.floor(-62167219200 + rnd() * (-59011459200 + 62167219200))));
  // Beyond Date's ±8.64e12 s, and far before year 0.
  for (let i = 0; i < 12; i++) {
    const mag = 10 ** (12 + Math.floor(rnd() * 7));
    out.push(String(Math.floor((rnd() * 2 - 1) * mag)));
  }
  // Leap days and month ends in ordinary years.
  for (const t of [951782400, 951868800, 4107542399, 4107542400, 1709164800, 1709251199]) out.push(String(t));
  return out;
}

function numberLiterals(): string[] {
  const rnd = seeded(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const fixed = ["1e308", "1e309", "-1e309", "1.7976931348623157e308", "1.7976931348623159e308", "1e-400", "4.9e-324", "0x7fffffffffffffff", "0x8000000000000000", "0xFFFFFFFFFFFFFFFFFF", "0X1f", "0755", "0777777777777777777777777", "08", "09.5", "00", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "1.e3", ".5e1", "1e", "0x", "1e+", "2.", "0x1p3"];
  const out = [...fixed];
  for (let i = 0; i < 40; i++) {
    const digits = (n: number, alphabet = "0123456789") => Array.from({ length: n }, () => pick([...alphabet])).join("");
    switch (i % 4) {
      case 0:
        out.push(`${digits(1 + Math.floor(rnd() * 3))}e${pick(["", "+", "-"])}${300 + Math.floor(rnd() * 30)}`);
        break;
      case 1:
        out.push(`0x${digits(14 + Math.floor(rnd() * 5), "0123456789abcdef")}`);
        break;
      case 2:
        out.push(`0${digits(1 + Math.floor(rnd() * 24), "01234567")}`);
        break;
      default:
        out.push(`${digits(1 + Math.floor(rnd() * 25))}.${digits(Math.floor(rnd() * 3))}`);
    }
  }
  return out;
}

const UNITS = ["y", "w", "d", "h", "m", "s", "ms"];

function durations(): string[] {
  const rnd = seeded(5);
  const out = ["5m1h", "1s1m", "1m1m", "1ms1s", "1h5m", "1s1ms", "1y1w1d1h1m1s1ms", "1d1w", "01m", "0m", "0s1ms", "292y", "293y", "106751d", "106752d", "2562047h", "2562048h", "18446744073709551615ms", "18446744073709551616ms"];
  for (let i = 0; i < 40; i++) {
    const parts = 1 + Math.floor(rnd() * 3);
    let d = "";
    for (let k = 0; k < parts; k++) {
      const n = rnd() < 0.15 ? String(Math.floor(rnd() * 1e6) * 1e6) : String(Math.floor(rnd() * 100));
      d += n + UNITS[Math.floor(rnd() * UNITS.length)];
    }
    out.push(d);
  }
  return out;
}

function leValues(): string[] {
  return [
    "0x1p-2", "0X1P-2", "0x1.8p1", "-0x1p1", "0x.8p1", "0x1.p0", "0x_1p2", "0x1_0p-4", "0x1.fffffffffffffp1023", "0x1p1024", "0x1p-1074", "0x1p-1080",
    "0x1", "0x1p", "0xp1", "0x1.8", "1_0", "1__0", "_1", "1_", "1_0.2_5e1", "1e_1", "1e309", "1e-400", "inf", "Inf", "+inf", "-Infinity",
    "infinity", "infin", "nan", "+nan", "NaN", " 1", "1 ", "", ".5", "5.", "0b101", "0o7", "1e", "+.5", "0.25", "2.5e-1",
  ];
}

describe("PromQL edge cases vs Prometheus 2.42", () => {
  const ref = useReferencePrometheus("promql-edge");
  const engine = new Engine({});
  const storage = new MemoryStorage();
  const AT = 1_000_000;

  async function theirs(query: string, timeS = AT / 1000): Promise<Answer> {
    const res = await fetch(`${ref.base()}/api/v1/query?${new URLSearchParams({ query, time: String(timeS) })}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== "success") return { error: (body.error ?? "").replace(/^invalid parameter "query": /, "") };
    const values: Record<string, number> = {};
    if (body.data!.resultType === "scalar") values[""] = num((body.data!.result as [number, string])[1]);
    else for (const s of body.data!.result as { metric: Record<string, string>; value?: [number, string]; values?: unknown[] }[]) values[JSON.stringify(s.metric)] = s.value ? num(s.value[1]) : s.values!.length;
    return { values };
  }

  async function ours(query: string, timeMs = AT): Promise<Answer> {
    let v: QueryValue;
    try {
      v = (await engine.instantQuery(storage, query, timeMs)).value;
    } catch (err) {
      return { error: (err as Error).message };
    }
    const values: Record<string, number> = {};
    if (v.type === "scalar") values[""] = v.v;
    else if (v.type === "vector") for (const s of v.samples) values[JSON.stringify(Object.fromEntries(s.metric.map((l) => [l.name, l.value])))] = s.v;
    else if (v.type === "matrix") for (const s of v.series) values[JSON.stringify(Object.fromEntries(s.metric.map((l) => [l.name, l.value])))] = s.vs.length;
    return { values };
  }

  /** Compares verdicts; messages too when Prometheus' names one of the classes under test. */
  function verdicts(query: string, a: Answer, b: Answer, exactMessage: RegExp): string[] {
    if (a.error !== undefined || b.error !== undefined) {
      if (a.error === undefined) return [`${query}: promwasm accepts it, Prometheus says: ${b.error}`];
      if (b.error === undefined) return [`${query}: promwasm says ${a.error}, Prometheus accepts it`];
      if (exactMessage.test(b.error) && a.error !== b.error) return [`${query}: promwasm says ${a.error}, Prometheus says ${b.error}`];
      return [];
    }
    return show(a.values) === show(b.values) ? [] : [`${query}: promwasm ${show(a.values)}, Prometheus ${show(b.values)}`];
  }

  it.runIf(ref.available)("date functions agree for years 0-99, beyond JavaScript's Date and for NaN", async () => {
    const problems: string[] = [];
    for (const arg of dateArguments()) {
      const q = dateQuery(`vector(${arg})`);
      const [a, b] = [await ours(q), await theirs(q)];
      expect(b.values, q).toBeDefined();
      problems.push(...verdicts(q, a, b, /^$/));
    }
    // Without an argument the query time counts, cut to whole seconds toward zero as in Go.
    for (const timeS of [-1.5, -0.5, -1e9 - 0.5, 951868799.999]) {
      const q = dateQuery("");
      const [a, b] = [await ours(q, Math.round(timeS * 1000)), await theirs(q, timeS)];
      problems.push(...verdicts(`${q} at ${timeS}`, a, b, /^$/));
    }
    expect(problems).toEqual([]);
  });

  it.runIf(ref.available)("number literals: what Go's strconv rejects is a parse error with its message", async () => {
    const problems: string[] = [];
    let rejected = 0;
    for (const lit of numberLiterals()) {
      for (const q of [lit, `-${lit}`, `vector(1) @ ${lit}`]) {
        const [a, b] = [await ours(q), await theirs(q)];
        if (b.error && /error parsing number/.test(b.error)) rejected++;
        // A whole token Go cannot represent; for cut-off tokens ("1e", "0x") 2.42's lexer and
        // 3.x's word the error differently.
        problems.push(...verdicts(q, a, b, /value out of range|parsing "0[xX][0-9a-fA-F]+"/));
      }
    }
    expect(problems).toEqual([]);
    expect(rejected).toBeGreaterThan(10);
  });

  it.runIf(ref.available)("malformed durations are parse errors wherever a duration goes", async () => {
    const problems: string[] = [];
    let rejected = 0;
    for (const d of durations()) {
      // 2.42 calls a number past uint64 out of range, 3.x not a valid duration: either is an error.
      const exact = /^\d{20}/.test(d) ? /^$/ : /not a valid duration string|duration out of range|must be greater than 0/;
      for (const q of [`up[${d}]`, `up offset ${d}`, `rate(up[5m:${d}])`, `max_over_time(up[1h] offset ${d})`]) {
        const [a, b] = [await ours(q), await theirs(q)];
        if (b.error) rejected++;
        // 3.x takes any number as an offset, zero and negative ones too (at_modifier.test).
        if (q.includes("offset") && /must be greater than 0/.test(b.error ?? "") && !a.error) continue;
        problems.push(...verdicts(q, a, b, exact));
      }
    }
    expect(problems).toEqual([]);
    expect(rejected).toBeGreaterThan(40);
  });

  it.runIf(ref.available)("histogram_quantile reads `le` as Go's ParseFloat does, hex floats included", async () => {
    const problems: string[] = [];
    for (const le of leValues()) {
      // With one sample in the bucket and one above it, q=0.25 lands halfway into the bucket: le/2.
      const q = `histogram_quantile(0.25, label_replace(vector(1), "le", "${le}", "", "") or label_replace(vector(2), "le", "+Inf", "", ""))`;
      problems.push(...verdicts(q, await ours(q), await theirs(q), /^$/));
    }
    expect(problems).toEqual([]);
  });
});
