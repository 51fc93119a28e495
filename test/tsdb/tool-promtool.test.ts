// promwasm-tool tsdb against promtool 2.42 on the same generated OpenMetrics input.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTsdbCommand } from "../../src/cmd/tool-tsdb.js";
import { Matcher } from "../../src/model/matcher.js";
import { writeBlock } from "../../src/tsdb/block-writer.js";
import { openBlock } from "../../src/tsdb/block.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const promtool = referenceBinary("promtool");
const tmp = tempDir("tool-tsdb");

async function tool(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runTsdbCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function runPromtool(...args: string[]): string {
  return execFileSync(promtool!, args, { encoding: "utf8", maxBuffer: 256 << 20 });
}

/** A small deterministic PRNG so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function fmtTs(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}`;
}

/** Counters, gauges with awkward floats, NaN/Inf, irregular ms timestamps; thousands of series over several 2h windows. */
function generate(): string {
  const r = rng(42);
  const lines: string[] = ["# HELP reqs_total Requests.", "# TYPE reqs_total counter"];
  const base = 1_700_000_000_000;
  for (let s = 0; s < 2500; s++) {
    let t = base + Math.floor(r() * 600_000);
    let v = Math.floor(r() * 100);
    for (let j = 0; j < 6; j++) {
      t += 1 + Math.floor(r() * 3_000_000);
      v += r() < 0.1 ? 0.5 : Math.floor(r() * 50);
      lines.push(`reqs_total{instance="host-${s % 97}:9100",job="job${s % 13}",path="/p/${s}",q="a\\"b\\\\c\\nd"} ${v} ${fmtTs(t)}`);
    }
  }
  lines.push("# TYPE temp_celsius gauge", "# UNIT temp_celsius celsius");
  const specials = ["NaN", "+Inf", "-Inf", "-0", "1e+21", "1.5e-07", "123456.789", "1234567", "0.0001", "-3.25e+300", "100000"];
  for (let s = 0; s < 60; s++) {
    let t = base - 3_600_000 + s;
    for (let j = 0; j < 400; j++) {
      t += 1 + Math.floor(r() * 90_000);
      const v = j % 9 === 0 ? specials[(j / 9 + s) % specials.length] : String((r() - 0.5) * 10 ** Math.floor(r() * 12 - 4));
      lines.push(`temp_celsius{sensor="s${s}",site="zürich ✓"} ${v} ${fmtTs(t)}`);
    }
  }
  lines.push("# EOF");
  return lines.join("\n") + "\n";
}

describe.runIf(promtool)("promwasm-tool tsdb vs promtool", () => {
  let input: string;
  let ptDir: string;
  let pwDir: string;
  let ptDump: string;

  beforeAll(async () => {
    input = join(tmp.dir, "input.om");
    writeFileSync(input, generate());
    ptDir = join(tmp.dir, "by-promtool");
    pwDir = join(tmp.dir, "by-promwasm");
    runPromtool("tsdb", "create-blocks-from", "openmetrics", "-q", input, ptDir);
    const res = await tool("create-blocks-from", "openmetrics", "-q", input, pwDir);
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    // promtool dump opens the data dir as a DB and wants a WAL dir.
    mkdirSync(join(ptDir, "wal"), { recursive: true });
    mkdirSync(join(pwDir, "wal"), { recursive: true });
    ptDump = runPromtool("tsdb", "dump", ptDir);
  }, 120_000);

  afterAll(() => tmp.cleanup());

  it("dumps promtool's blocks exactly as promtool does", async () => {
    expect(ptDump.split("\n").length).toBeGreaterThan(30_000);
    const mine = await tool("dump", ptDir);
    expect(mine.code).toBe(0);
    expect(mine.out).toBe(ptDump);
  });

  it("dumps a time slice exactly as promtool does", async () => {
    const args = ["--min-time=1700003000123", "--max-time=1700009000456"];
    const mine = await tool("dump", ...args, ptDir);
    expect(mine.out).toBe(runPromtool("tsdb", "dump", ...args, ptDir));
  });

  it("creates blocks whose promtool dump equals promtool's own backfill", () => {
    expect(runPromtool("tsdb", "dump", pwDir)).toBe(ptDump);
  });

  it("creates blocks over the same aligned windows as promtool, which promtool lists and analyzes", async () => {
    const cols = (text: string) =>
      text
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(/\s+/).slice(1, 4).join(" "));
    const ptList = runPromtool("tsdb", "list", ptDir);
    const pwList = runPromtool("tsdb", "list", pwDir);
    expect(cols(pwList).length).toBeGreaterThan(2);
    expect(cols(pwList)).toEqual(cols(ptList));
    const analyze = spawnSync(promtool!, ["tsdb", "analyze", pwDir], { encoding: "utf8" });
    expect(analyze.status).toBe(0);
    expect(analyze.stdout).toMatch(/^Block ID: [0-9A-Z]{26}\n/);
    expect(analyze.stdout).toContain("Highest cardinality metric names:");
  });

  it("lists blocks byte-for-byte like promtool list", async () => {
    for (const dir of [ptDir, pwDir]) {
      const mine = await tool("list", dir);
      expect(mine.out.trimEnd()).toBe(runPromtool("tsdb", "list", dir).trimEnd());
      const human = await tool("list", "-r", dir);
      expect(human.out.trimEnd()).toBe(runPromtool("tsdb", "list", "-r", dir).trimEnd());
    }
  });

  it("reports analyze figures equal to promtool's (ties in any order)", async () => {
    // Label values in this data contain newlines, so compare each section's lines as a
    // sorted multiset, plus the order of the figures (lines starting with a count).
    const sections = (text: string) =>
      text.split("\n\n").map((sec) => {
        const lines = sec.trim().split("\n");
        return { sorted: [...lines].sort(), figures: lines.filter((l) => /^\d+ /.test(l)).map((l) => l.split(" ")[0]) };
      });
    const mine = await tool("analyze", "--limit=1000000", pwDir);
    const theirs = runPromtool("tsdb", "analyze", "--limit=1000000", pwDir);
    expect(sections(mine.out)).toEqual(sections(theirs));
  });

  it("handles out-of-order and duplicate samples as promtool does", async () => {
    const ooo = join(tmp.dir, "ooo.om");
    writeFileSync(ooo, ["a 1 1000", 'b{x="y"} 5 1000', "a 2 900", "a 3 1100", "a 4 1050", "a 5 1100", "a 6 8000", "a 7 7000", "# EOF", ""].join("\n"));
    const pt = join(tmp.dir, "ooo-pt");
    const pw = join(tmp.dir, "ooo-pw");
    runPromtool("tsdb", "create-blocks-from", "openmetrics", "-q", ooo, pt);
    expect((await tool("create-blocks-from", "openmetrics", "-q", ooo, pw)).code).toBe(0);
    mkdirSync(join(pt, "wal"));
    expect((await tool("dump", pw)).out).toBe(runPromtool("tsdb", "dump", pt));
  });

  it("rejects bad input with the line number and leaves no block behind", async () => {
    const bad = join(tmp.dir, "bad.om");
    writeFileSync(bad, ['ok 1 1000', 'bad{x="1" 2 1000', "# EOF", ""].join("\n"));
    const out = join(tmp.dir, "bad-out");
    const res = await tool("create-blocks-from", "openmetrics", bad, out);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/line 2: expected "," or "}"/);
    const noTs = join(tmp.dir, "nots.om");
    writeFileSync(noTs, ["ok 1", "# EOF", ""].join("\n"));
    const res2 = await tool("create-blocks-from", "openmetrics", noTs, out);
    expect(res2.err).toMatch(/line 1: expected timestamp for series ok, got none/);
    const noEof = join(tmp.dir, "noeof.om");
    writeFileSync(noEof, "ok 1 1000\n");
    expect((await tool("create-blocks-from", "openmetrics", noEof, out)).err).toMatch(/does not end with "# EOF"/);
    const badUnit = join(tmp.dir, "unit.om");
    writeFileSync(badUnit, ["# UNIT temp celsius", "temp 1 1000", "# EOF", ""].join("\n"));
    expect((await tool("create-blocks-from", "openmetrics", badUnit, out)).err).toMatch(/line 1: unit not a suffix of metric "temp"/);
    expect((await tool("list", out)).err).toMatch(/list blocks in .*bad-out/);
  });

  it("reads promwasm blocks with several chunk segments and tombstones as promwasm does", async () => {
    const dir = join(tmp.dir, "segments");
    const series = Array.from({ length: 50 }, (_, i) => {
      const ts = new Float64Array(500);
      const vs = new Float64Array(500);
      for (let j = 0; j < 500; j++) {
        ts[j] = 1_000_000 + j * 1000 + (j % 3);
        vs[j] = (i * j) / 7;
      }
      return { labels: [{ name: "__name__", value: "s" }, { name: "i", value: String(i) }], samples: { ts, vs } };
    });
    const id = await writeBlock(dir, series, { segmentSizeBytes: 16 * 1024 });
    const b = await openBlock(join(dir, id));
    expect(b.chunks.segmentCount).toBeGreaterThan(2);
    await b.delete(1_100_000, 1_200_000, [new Matcher("=~", "i", "1.*")]);
    await b.close();
    mkdirSync(join(dir, "wal"));
    const theirs = runPromtool("tsdb", "dump", dir);
    expect(theirs.split("\n").length - 1).toBe(50 * 500 - 11 * 100);
    expect((await tool("dump", dir)).out).toBe(theirs);
  });

  it("accepts and rejects the same edge-case input lines as promtool", async () => {
    const cases = [
      "a{} 1 1000",
      'a{x="1",} 1 1000',
      'a{x="",y="1"} 1 1000',
      'a{x="\\t\\n\\\\"} 1 1000',
      'a 1 1000 # {id="x"} 1 1000',
      'c_total 1 1000 # {id="x"} 1 1000',
      'c_created 1 1000 # {id="x"} 1 1000',
      "a 0x1p3 1000",
      "a 1_000 1000",
      "a inf 1000",
      "a -Infinity 1000",
      "a nan 1000",
      "a .5 1000",
      "a 5. 1000",
      "a 1 1e3",
      "a 1 1.0019",
      "a 1 -1000.5",
      "a 1 -7300",
      "a  1 1000",
      "a 1 1000 ",
      'a{x="1"}1 1000',
      "# random comment",
      "# TYPE a foo",
      "# UNIT a_seconds seconds",
      "",
    ];
    for (const [i, line] of cases.entries()) {
      const input = join(tmp.dir, `edge-${i}.om`);
      writeFileSync(input, `${line}\n# EOF\n`);
      const pt = join(tmp.dir, `edge-pt-${i}`);
      const pw = join(tmp.dir, `edge-pw-${i}`);
      mkdirSync(join(pt, "wal"), { recursive: true });
      mkdirSync(pw);
      const ptRun = spawnSync(promtool!, ["tsdb", "create-blocks-from", "openmetrics", "-q", input, pt], { encoding: "utf8" });
      const pwRun = await tool("create-blocks-from", "openmetrics", "-q", input, pw);
      expect({ line, accepted: pwRun.code === 0 }).toEqual({ line, accepted: ptRun.status === 0 });
      if (ptRun.status === 0) expect({ line, dump: (await tool("dump", pw)).out }).toEqual({ line, dump: runPromtool("tsdb", "dump", pt) });
      else expect(pwRun.err).toMatch(/line 1: /);
    }
  }, 60_000);
});
