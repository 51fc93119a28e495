import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Matcher } from "../../src/model/matcher.js";
import { findCause } from "../../src/storage/errors.js";
import { BlockError, InvalidBlockError } from "../../src/tsdb/block-errors.js";
import { writeBlock } from "../../src/tsdb/block-writer.js";
import { openBlock, type Block } from "../../src/tsdb/block.js";
import { CorruptionError } from "../../src/tsdb/encoding/errors.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("block");
let block: Block;
let id: string;

const L = (o: Record<string, string>) =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name] }));

function ramp(n: number, start: number, step: number) {
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = start + i * step;
    vs[i] = i;
  }
  return { ts, vs };
}

beforeAll(async () => {
  // Given in reverse order: the writer sorts.
  id = await writeBlock(tmp.dir, [
    { labels: L({ __name__: "up", job: "node", env: "prod" }), samples: ramp(300, 1000, 10) },
    { labels: L({ __name__: "up", job: "api" }), samples: ramp(10, 1000, 100) },
    { labels: L({ __name__: "errors", job: "api", code: "500" }), samples: ramp(5, 2000, 1) },
    { labels: L({ __name__: "empty", job: "api" }), samples: ramp(0, 0, 1) },
  ]);
  block = await openBlock(join(tmp.dir, id));
});

afterAll(async () => {
  await block?.close();
  tmp.cleanup();
});

const M = (t: "=" | "!=" | "=~" | "!~", n: string, v: string) => new Matcher(t, n, v);

async function names(ms: Matcher[], mint = -Infinity, maxt = Infinity): Promise<string[]> {
  const q = block.querier(mint, maxt);
  const ss = await q.select(true, undefined, ms);
  q.close();
  return ss.map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(","));
}

describe("block writer + reader", () => {
  it("writes meta.json with stats, range and level-1 compaction", () => {
    expect(block.meta).toMatchObject({
      ulid: id,
      minTime: 1000,
      maxTime: 3991,
      stats: { numSamples: 315, numSeries: 3, numChunks: 5 },
      compaction: { level: 1, sources: [id] },
      version: 1,
    });
    expect(block.size()).toBeGreaterThan(0);
  });

  it("applies =, !=, =~, !~ with Prometheus semantics for absent labels", async () => {
    expect(await names([M("=", "job", "api")])).toEqual(["__name__=errors,code=500,job=api", "__name__=up,job=api"]);
    // env is absent on two series: != and !~ keep them, = "" selects them.
    expect(await names([M("!=", "env", "prod")])).toEqual(["__name__=errors,code=500,job=api", "__name__=up,job=api"]);
    expect(await names([M("=", "env", "")])).toEqual(["__name__=errors,code=500,job=api", "__name__=up,job=api"]);
    expect(await names([M("=~", "env", "prod|")])).toHaveLength(3);
    expect(await names([M("!~", "job", "a.*"), M("=", "__name__", "up")])).toEqual(["__name__=up,env=prod,job=node"]);
    expect(await names([M("=~", "code", ".+")])).toEqual(["__name__=errors,code=500,job=api"]);
    expect(await names([M("=", "job", "missing")])).toEqual([]);
  });

  it("restricts samples to the querier range and hints", async () => {
    const q = block.querier(1500, 1600);
    const [s] = await q.select(true, { start: 1550, end: 2000 }, [M("=", "job", "node")]);
    expect([...s.samples().ts]).toEqual([1550, 1560, 1570, 1580, 1590, 1600]);
    expect(await names([M("=", "job", "api")], 1850, 1990)).toEqual(["__name__=up,job=api"]);
  });

  it("answers label names and values, with and without matchers", async () => {
    const q = block.querier(-Infinity, Infinity);
    expect(await q.labelNames([])).toEqual(["__name__", "code", "env", "job"]);
    expect(await q.labelNames([M("=", "job", "node")])).toEqual(["__name__", "env", "job"]);
    expect(await q.labelValues("job", [])).toEqual(["api", "node"]);
    expect(await q.labelValues("__name__", [M("=", "job", "api")])).toEqual(["errors", "up"]);
  });

  it("hides deleted samples after delete() and keeps them deleted after reopening", async () => {
    await block.delete(1100, 3000, [M("=", "job", "node")]);
    const check = async (b: Block) => {
      const q = b.querier(-Infinity, Infinity);
      const [s] = await q.select(true, undefined, [M("=", "job", "node")]);
      const ts = [...s.samples().ts];
      expect(ts.filter((t) => t >= 1100 && t <= 3000)).toEqual([]);
      expect(ts).toHaveLength(300 - 191);
    };
    await check(block);
    const again = await openBlock(join(tmp.dir, id));
    expect(again.meta.stats.numTombstones).toBe(1);
    await check(again);
    await again.close();
  });
});

describe("opening bad blocks", () => {
  it("names the dir and step when meta.json is missing or garbage", async () => {
    const dir = join(tmp.dir, "garbage");
    await mkdir(dir);
    const e1 = await openBlock(dir).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(InvalidBlockError);
    expect((e1 as Error).message).toBe(`block ${dir}: read meta.json: file does not exist`);
    await writeFile(join(dir, "meta.json"), "{not json");
    await expect(openBlock(dir)).rejects.toThrow(`block ${dir}: parse meta.json: invalid JSON`);
    await writeFile(join(dir, "meta.json"), JSON.stringify({ version: 2 }));
    await expect(openBlock(dir)).rejects.toThrow(/unsupported version 2/);
    await expect(openBlock(join(tmp.dir, "nope"))).rejects.toBeInstanceOf(InvalidBlockError);
  });

  it("reports a truncated index as a BlockError caused by a CorruptionError", async () => {
    const copy = join(tmp.dir, "trunc");
    await mkdir(join(copy, "chunks"), { recursive: true });
    for (const f of ["meta.json", "tombstones", "chunks/000001"]) await writeFile(join(copy, f), await readFile(join(tmp.dir, id, f)));
    const idx = await readFile(join(tmp.dir, id, "index"));
    await writeFile(join(copy, "index"), idx.subarray(0, idx.length >> 1));
    const err = await openBlock(copy).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockError);
    expect((err as Error).message).toBe(`block ${copy}: open index`);
    expect(findCause(err, CorruptionError)).toBeDefined();
    await rm(join(copy, "chunks"), { recursive: true });
    await writeFile(join(copy, "index"), idx);
    await expect(openBlock(copy)).rejects.toThrow(`block ${copy}: open chunks`);
  });
});
