// promwasm used the way a user would: `npm pack` the package, install the tarball into a fresh
// project, type-check a TypeScript script against the published .d.ts files (strict), run it
// with node, and compare what it prints with values worked out by hand below.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/reference.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const tmp = tempDir("lib-package");
const project = join(tmp.dir, "project");
let installedFrom = "";

afterAll(() => tmp.cleanup());

// The user's script. Samples: requests_total{path="/a"} grows by 10 every 10s and
// {path="/b"} by 5, from T0 for 5 minutes; temperature{room="k"} is 20.5 + (j % 4).
const MAIN_TS = `
import { openTSDB, MemoryStore, type Queryable, type SelectedSeries } from "promwasm/tsdb";
import { Engine, toPrometheusJSON, parse, format, ParseError, QueryCanceledError, lineColumn, labelsOf } from "promwasm/promql";

const T0 = 1_700_000_000_000;
const dir = process.argv[2];
const out: Record<string, unknown> = {};

const db = await openTSDB(dir, { autoCompact: false });
const app = db.appender();
let a = 0, b = 0, k = 0;
for (let j = 0; j <= 30; j++) {
  const t = T0 + j * 10_000;
  a = app.append(j === 0 ? { __name__: "requests_total", path: "/a" } : a, t, j * 10);
  b = app.append(j === 0 ? { __name__: "requests_total", path: "/b" } : b, t, j * 5);
  k = app.append(j === 0 ? { __name__: "temperature", room: "k" } : k, t, 20.5 + (j % 4));
}
await app.commit();
const dropped = db.appender();
dropped.append({ __name__: "never_committed" }, T0, 1);
await dropped.rollback();

const engine = new Engine({ timeoutMs: 30_000 });
const end = T0 + 300_000;
const rate = await engine.instantQuery(db, "sum by (path) (rate(requests_total[1m]))", end);
if (rate.value.type !== "vector") throw new Error("expected a vector");
out.rate = rate.value.samples.map((s) => [labelsOf(s.metric).path, s.v]);
const range = await engine.rangeQuery(db, 'requests_total{path="/a"}', { start: T0, end, stepMs: 60_000 });
if (range.value.type !== "matrix") throw new Error("expected a matrix");
out.rangeTs = Array.from(range.value.series[0].ts);
out.rangeVs = Array.from(range.value.series[0].vs);
out.maxTemp = JSON.parse(toPrometheusJSON(await engine.instantQuery(db, "max_over_time(temperature[35s])", new Date(end))));
out.labelNames = await db.labelNames();
out.paths = await db.labelValues("path", "requests_total");
const counts: number[] = [];
for await (const s of db.select('{__name__=~"requests_total|never_committed"}', T0 + 100_000, T0 + 150_000)) {
  let n = 0;
  for (const sample of s as SelectedSeries) if (sample.t >= T0) n++;
  counts.push(n);
}
out.selectCounts = counts;
await db.close();

await using ro = await openTSDB(dir, { readOnly: true });
const again = await engine.instantQuery(ro, "sum(requests_total)", end);
out.readOnlySum = again.value.type === "vector" ? again.value.samples[0].v : null;
try {
  ro.appender();
} catch (err) {
  out.readOnlyAppend = (err as Error).name;
}

const mem = new MemoryStore();
const mapp = mem.appender();
mapp.append({ __name__: "x", i: "1" }, T0 + 60_000, 7);
mapp.append({ __name__: "x", i: "1" }, T0, 3); // out of order is fine here
await mapp.commit();
const delta = await engine.instantQuery(mem, "delta(x[2m])", T0 + 60_000);
out.memDelta = delta.value.type === "vector" ? delta.value.samples[0].v : null;

// A Queryable of the user's own: one series, answer{} = 40 at T0 and 42 at T0+30s.
const own: Queryable = {
  querier: async () => ({
    select: async (_sorted, _hints, matchers) => {
      const labels = [{ name: "__name__", value: "answer" }];
      if (!matchers.every((m) => m.matches(labels.find((l) => l.name === m.name)?.value ?? ""))) return [];
      const batch = { ts: new Float64Array([T0, T0 + 30_000]), vs: new Float64Array([40, 42]) };
      return [{ labels, samples: () => batch }];
    },
    labelNames: async () => ["__name__"],
    labelValues: async () => ["answer"],
    close: () => {},
  }),
};
const ownSum = await engine.instantQuery(own, "sum_over_time(answer[1m]) + count(nothing_here or vector(1))", T0 + 30_000);
out.own = ownSum.value.type === "vector" ? ownSum.value.samples.map((s) => [labelsOf(s.metric), s.v]) : null;

out.formatted = format("sum by(path)(rate( requests_total[5m] ))");
try {
  parse("sum(rate(x[5m])");
} catch (err) {
  if (err instanceof ParseError) out.parseError = { message: err.message, start: err.pos.start, at: lineColumn(err.query, err.pos.start) };
}
const cancel = new AbortController();
cancel.abort();
out.aborted = await engine.instantQuery(db, "1", end, { signal: cancel.signal }).then(() => "resolved", (err: Error) => (err instanceof QueryCanceledError ? "canceled: " : "other: ") + err.message);
const tight = new Engine({ maxSamples: 10 });
out.maxSamples = await tight.rangeQuery(mem, "x", { start: T0, end: T0 + 600_000, stepMs: 1000 }).then(() => "resolved", (err: Error) => err.message);
console.log(JSON.stringify(out));
`;

// Must not type-check: a label value that is not a string, and a time given as a string.
const BAD_TS = `
import { MemoryStore } from "promwasm/tsdb";
import { Engine } from "promwasm/promql";
const app = new MemoryStore().appender();
app.append({ __name__: "x", n: 1 }, 0, 1);
void new Engine().instantQuery(new MemoryStore(), "x", "now");
`;

// A user's project has @types/node installed; this one borrows the repo's.
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmitOnError: true, skipLibCheck: true, outDir: "out",
    lib: ["ES2023", "ESNext.Disposable"], typeRoots: [join(ROOT, "node_modules", "@types")], types: ["node"],
  },
};

describe("the packed package in a fresh project", () => {
  beforeAll(async () => {
    // build/ is what the tarball ships; test/global-setup.ts has built it, so no prepare script.
    await run("npm", ["pack", "--ignore-scripts", "--pack-destination", tmp.dir], { cwd: ROOT, maxBuffer: 64 << 20 });
    const tarball = join(tmp.dir, readdirSync(tmp.dir).find((n) => n.endsWith(".tgz"))!);
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true, type: "module" }));
    try {
      await run("npm", ["install", tarball, "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: project, maxBuffer: 64 << 20 });
      installedFrom = "tarball";
    } catch (err) {
      // Without the dependencies in the npm cache an offline install cannot work; the exports
      // map is still what resolves the imports through a symlinked package.
      console.warn(`npm install of the tarball failed offline, symlinking the package instead: ${(err as Error).message.split("\n")[0]}`);
      mkdirSync(join(project, "node_modules"), { recursive: true });
      symlinkSync(ROOT, join(project, "node_modules", "promwasm"), "dir");
      installedFrom = "symlink";
    }
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ ...TSCONFIG, files: ["main.ts"] }));
    writeFileSync(join(project, "main.ts"), MAIN_TS);
  }, 180_000);

  it("installs the tarball's files (not a link to the repo)", () => {
    expect(installedFrom).toBe("tarball");
    const lib = readdirSync(join(project, "node_modules", "promwasm", "build", "dist", "src", "lib"));
    expect(lib).toEqual(expect.arrayContaining(["tsdb.js", "tsdb.d.ts", "promql.js", "promql.d.ts"]));
  });

  it("type-checks a strict script against the published types, and rejects a wrong one", async () => {
    await run(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: project }).catch((err: { stdout: string }) => {
      throw new Error(`tsc failed on main.ts:\n${err.stdout}`);
    });
    writeFileSync(join(project, "bad.ts"), BAD_TS);
    writeFileSync(join(project, "tsconfig.bad.json"), JSON.stringify({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, noEmit: true }, files: ["bad.ts"] }));
    const failed = await run(process.execPath, [TSC, "-p", "tsconfig.bad.json"], { cwd: project }).then(
      () => "",
      (err: { stdout: string }) => err.stdout,
    );
    expect(failed).toMatch(/bad\.ts\(5,29\): error TS2322: Type 'number' is not assignable to type 'string'/);
    expect(failed).toMatch(/bad\.ts\(6,56\): error TS2345: Argument of type .string. is not assignable to parameter of type .number \| Date./);
  }, 120_000);

  it("writes samples, queries them with PromQL and gets the hand-computed answers", async () => {
    const { stdout } = await run(process.execPath, [join(project, "out", "main.js"), join(project, "data")], { cwd: project });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    // rate over (T0+240s, T0+300s]: 6 samples 10s apart, extrapolated to the whole minute:
    // /a rises 10 per 10s = 1/s, /b 0.5/s.
    const rate = out.rate as [string, number][];
    expect(rate.map(([p]) => p)).toEqual(["/a", "/b"]);
    expect(rate[0][1]).toBeCloseTo(1, 12);
    expect(rate[1][1]).toBeCloseTo(0.5, 12);
    // Every minute from T0 the /a counter stands at 6 increments of 10 per minute.
    const T0 = 1_700_000_000_000;
    expect(out.rangeTs).toEqual([0, 1, 2, 3, 4, 5].map((m) => T0 + m * 60_000));
    expect(out.rangeVs).toEqual([0, 60, 120, 180, 240, 300]);
    // Samples at 270s..300s are j = 27..30, values 20.5 + (j % 4) = 23.5, 20.5, 21.5, 22.5.
    expect(out.maxTemp).toEqual({ status: "success", data: { resultType: "vector", result: [{ metric: { room: "k" }, value: [1_700_000_300, "23.5"] }] } });
    expect(out.labelNames).toEqual(["__name__", "path", "room"]);
    expect(out.paths).toEqual(["/a", "/b"]);
    // [T0+100s, T0+150s] holds j = 10..15 of each counter; the rolled-back series does not exist.
    expect(out.selectCounts).toEqual([6, 6]);
    // Reopened read-only from the WAL: 300 + 150 at the end.
    expect(out.readOnlySum).toBe(450);
    expect(out.readOnlyAppend).toBe("ReadOnlyError");
    // delta(x[2m]) at T0+60s sees 3 at T0 and 7 at T0+60s: 4 over 60s. The 60s gap to the
    // window's start is under 1.1 x the 60s between samples, so it extrapolates to the whole
    // 120s: 4 x 120 / 60 = 8.
    expect(out.memDelta).toBe(8);
    // 40 + 42, plus the 1 that count(vector(1)) gives.
    expect(out.own).toEqual([[{}, 83]]);
    expect(out.formatted).toBe("sum by (path) (rate(requests_total[5m]))");
    expect(out.parseError).toEqual({ message: "1:16: parse error: unclosed left parenthesis", start: 15, at: { line: 1, column: 16 } });
    expect(out.aborted).toBe("canceled: query was canceled in queue");
    expect(out.maxSamples).toBe("query processing would load too many samples into memory in query execution");
  }, 120_000);
});
