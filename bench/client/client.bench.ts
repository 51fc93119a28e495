// Client library hot paths and exposition: promwasm/client vs prom-client, same process, same
// seeded inputs. Each row runs both sides with benchmark.js and prints ops/s and the ratio
// (promwasm / prom-client; >= 1.0 means promwasm is at least as fast).
// Run: npx tsc -p tsconfig.json && npm run bench:client
import Benchmark from "benchmark";
import promClient from "prom-client";
import { Counter, CounterVec, Histogram, Registry, Summary } from "../../src/client/index.js";
import { rng } from "../helpers/random.js";

const r = rng(1);
const VALUES = Float64Array.from({ length: 4096 }, () => -Math.log(1 - r()) * 0.3);
const METHODS = ["GET", "POST", "PUT", "DELETE"];
const CODES = ["200", "404", "500", "503"];

type Fn = () => void;
type AsyncFn = () => Promise<unknown>;

function measure(name: string, fn: Fn | AsyncFn, deferred: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const suite = new Benchmark.Suite();
    if (deferred) {
      suite.add(name, { defer: true, minSamples: 20, maxTime: 3, fn: (d: { resolve(): void }) => void (fn as AsyncFn)().then(() => d.resolve()) });
    } else {
      suite.add(name, fn, { minSamples: 20, maxTime: 2 });
    }
    suite
      .on("cycle", (e: Benchmark.Event) => {
        const b = e.target as unknown as Benchmark & { error?: Error };
        if (b.error) reject(b.error);
        else resolve(b.hz ?? 0);
      })
      .run();
  });
}

interface Row {
  name: string;
  ours: number;
  theirs: number;
}

const rows: Row[] = [];

async function row(name: string, ours: Fn | AsyncFn, theirs: Fn | AsyncFn, deferred = false): Promise<void> {
  const o = await measure(`promwasm ${name}`, ours, deferred);
  const t = await measure(`prom-client ${name}`, theirs, deferred);
  rows.push({ name, ours: o, theirs: t });
  console.log(`${name.padEnd(30)} promwasm ${fmt(o)} ops/s   prom-client ${fmt(t)} ops/s   ratio ${(o / t).toFixed(2)}x`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US").padStart(14);
}

async function main(): Promise<void> {
  promClient.register.clear();
  let i = 0;

  {
    const ours = new Counter({ name: "c_total", help: "C." });
    const theirs = new promClient.Counter({ name: "c_total", help: "C.", registers: [] });
    await row("counter inc", () => ours.inc(), () => theirs.inc());
  }

  {
    const ours = new CounterVec({ name: "l_total", help: "L.", labelNames: ["method", "code"] });
    const theirs = new promClient.Counter({ name: "l_total", help: "L.", labelNames: ["method", "code"], registers: [] });
    await row(
      "labeled inc (2 labels)",
      () => {
        i = (i + 1) & 15;
        ours.labels(METHODS[i & 3], CODES[i >> 2]).inc();
      },
      () => {
        i = (i + 1) & 15;
        theirs.labels(METHODS[i & 3], CODES[i >> 2]).inc();
      },
    );
  }

  {
    const ours = new Histogram({ name: "h_seconds", help: "H." });
    const theirs = new promClient.Histogram({ name: "h_seconds", help: "H.", registers: [] });
    await row(
      "histogram observe",
      () => ours.observe(VALUES[(i = (i + 1) & 4095)]),
      () => theirs.observe(VALUES[(i = (i + 1) & 4095)]),
    );
  }

  {
    const ours = new Summary({ name: "s_seconds", help: "S.", objectives: { 0.5: 0.05, 0.9: 0.01, 0.99: 0.001 }, maxAgeMs: 600_000, ageBuckets: 5 });
    const theirs = new promClient.Summary({
      name: "s_seconds", help: "S.", percentiles: [0.5, 0.9, 0.99], maxAgeSeconds: 600, ageBuckets: 5, registers: [],
    });
    await row(
      "summary observe (3 q, window)",
      () => ours.observe(VALUES[(i = (i + 1) & 4095)]),
      () => theirs.observe(VALUES[(i = (i + 1) & 4095)]),
    );
  }

  {
    const oursReg = new Registry();
    const theirsReg = new promClient.Registry();
    const ours = new CounterVec({ name: "series_total", help: "Series.", labelNames: ["a", "b"], registers: [oursReg] });
    const theirs = new promClient.Counter({ name: "series_total", help: "Series.", labelNames: ["a", "b"], registers: [theirsReg] });
    for (let a = 0; a < 100; a++) {
      for (let b = 0; b < 100; b++) {
        const v = Math.floor(VALUES[(a * 100 + b) & 4095] * 1000);
        ours.labels(`a${a}`, `b${b}`).inc(v);
        theirs.labels(`a${a}`, `b${b}`).inc(v);
      }
    }
    if (oursReg.metrics().split("\n").length !== (await theirsReg.metrics()).split("\n").length) {
      throw new Error("exposition sizes differ: the two sides are not writing the same series");
    }
    await row("exposition 10k series", async () => oursReg.metrics(), () => theirsReg.metrics(), true);
  }

  console.log("\n| benchmark | promwasm ops/s | prom-client ops/s | ratio |\n| --- | ---: | ---: | ---: |");
  for (const x of rows) console.log(`| ${x.name} | ${Math.round(x.ours)} | ${Math.round(x.theirs)} | ${(x.ours / x.theirs).toFixed(2)}x |`);
}

await main();
