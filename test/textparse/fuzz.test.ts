// Seeded random mutations of valid bodies: the parser must either parse the whole body or
// throw ParseError (never another error, never hang), and must do the same every time.
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/textparse/errors.js";
import { OM, parseAll, type Parsed } from "./helpers.js";
import { rng as mulberry32 } from "../../bench/helpers/random.js";

const TEXT_BODY = [
  "# HELP go_gc_duration_seconds A summary of the pause duration.",
  "# TYPE go_gc_duration_seconds summary",
  'go_gc_duration_seconds{quantile="0"} 2.6e-05',
  'go_gc_duration_seconds{quantile="1", x="a\\"b\\\\c\\n"} 0.000311 1700000000000',
  "go_gc_duration_seconds_sum 0.0021",
  "# weird comment",
  "up NaN",
  "",
].join("\n");

const OM_BODY = [
  "# TYPE foo_seconds histogram",
  "# UNIT foo_seconds seconds",
  "# HELP foo_seconds help \\\" text",
  'foo_seconds_bucket{le="0.5",a="b"} 3 1.5 # {trace="x"} 0.25 1.25',
  'foo_seconds_bucket{le="+Inf"} 4',
  "foo_seconds_count 4",
  '{"q.name",z="1"} -Inf',
  "# EOF",
  "",
].join("\n");

const INTERESTING = [..."{}\",=# \n\t\\\0.eE+-0123456789", "\xff", "\xc3", "#", " # {"];

function mutate(src: Buffer, rnd: () => number): Buffer {
  const bytes = [...src];
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (bytes.length + 1));
    const op = rnd();
    if (op < 0.3) bytes.splice(at, 1);
    else if (op < 0.6) bytes.splice(at, 0, ...Buffer.from(INTERESTING[Math.floor(rnd() * INTERESTING.length)]!, "latin1"));
    else if (op < 0.8) bytes[Math.min(at, bytes.length - 1)] = Math.floor(rnd() * 256);
    else bytes.splice(at, Math.floor(rnd() * 20));
  }
  return Buffer.from(bytes);
}

function outcome(body: Buffer, contentType: string): { ok: Parsed[] } | { err: ParseError } {
  try {
    return { ok: parseAll(body, contentType) };
  } catch (e) {
    if (e instanceof ParseError) return { err: e };
    throw new Error(`non-ParseError for body ${JSON.stringify(body.toString("latin1"))}`, { cause: e });
  }
}

describe("parser fuzzing", () => {
  for (const [name, src, contentType] of [
    ["text", TEXT_BODY, "text/plain"],
    ["openmetrics", OM_BODY, OM],
  ] as const) {
    it(`${name}: 3000 seeded mutations parse fully or fail with ParseError`, () => {
      const rnd = mulberry32(name === "text" ? 1234 : 5678);
      const base = Buffer.from(src);
      let failures = 0;
      for (let i = 0; i < 3000; i++) {
        const body = mutate(base, rnd);
        const first = outcome(body, contentType);
        const second = outcome(body, contentType);
        if ("err" in first) {
          failures++;
          expect("err" in second && second.err.message).toBe(first.err.message);
          expect(first.err.line).toBeGreaterThanOrEqual(1);
          expect(first.err.line).toBeLessThanOrEqual(body.toString("latin1").split("\n").length);
          expect(first.err.column).toBeGreaterThanOrEqual(1);
        } else {
          expect("ok" in second && second.ok.length).toBe(first.ok.length);
          for (const e of first.ok) {
            if (e.kind !== "series") continue;
            expect(typeof e.labels.__name__).toBe("string");
            expect(typeof e.value).toBe("number");
            if (e.ts !== undefined) expect(Number.isInteger(e.ts)).toBe(true);
          }
        }
      }
      // The mutations must exercise both outcomes, or the test proves nothing.
      expect(failures).toBeGreaterThan(300);
      expect(failures).toBeLessThan(2990);
    });
  }
});
