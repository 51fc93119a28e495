import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChecksumError, CorruptionError } from "../../src/tsdb/encoding/errors.js";
import { IndexReader } from "../../src/tsdb/index/index-reader.js";
import { IndexWriter } from "../../src/tsdb/index/index-writer.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("index");
afterAll(() => tmp.cleanup());

const L = (o: Record<string, string>) =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name] }));

async function writeSample(path: string) {
  const series = [
    L({ __name__: "up", job: "a" }),
    L({ __name__: "up", job: "b", zone: "ü" }),
    L({ __name__: "x", job: "a" }),
  ];
  const w = await IndexWriter.create({ path });
  await w.addSymbols(series.flatMap((s) => s.flatMap((l) => [l.name, l.value])));
  const ids: number[] = [];
  for (let i = 0; i < series.length; i++) {
    ids.push(
      await w.addSeries(series[i], [
        { mint: -5 + i, maxt: 100, ref: 8 },
        { mint: 101, maxt: 2 ** 40, ref: 2 ** 32 + 8 + i },
      ]),
    );
  }
  await w.close();
  return { series, ids };
}

describe("index v2", () => {
  it("round-trips symbols, series, chunk metas, postings and label values", async () => {
    const path = join(tmp.dir, "index-ok");
    const { series, ids } = await writeSample(path);
    const r = await IndexReader.open({ path });
    expect(r.version).toBe(2);
    expect(r.symbols()).toEqual(["__name__", "a", "b", "job", "up", "x", "zone", "ü"]);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    for (let i = 0; i < ids.length; i++) {
      const s = r.series(ids[i]);
      expect(s.labels).toEqual(series[i]);
      expect(s.chunks).toEqual([
        { mint: -5 + i, maxt: 100, ref: 8 },
        { mint: 101, maxt: 2 ** 40, ref: 2 ** 32 + 8 + i },
      ]);
    }
    expect([...r.postings("job", "a")]).toEqual([ids[0], ids[2]]);
    expect([...r.postings("__name__", "up")]).toEqual([ids[0], ids[1]]);
    expect([...r.postings("job", "nope")]).toEqual([]);
    expect([...r.allPostings()]).toEqual(ids);
    expect(r.labelNames()).toEqual(["__name__", "job", "zone"]);
    expect(r.labelValues("job")).toEqual(["a", "b"]);
  });

  it("rejects series added out of label order and unknown symbols", async () => {
    const w = await IndexWriter.create({ path: join(tmp.dir, "index-order") });
    await w.addSymbols(["a", "b", "n"]);
    await w.addSeries([{ name: "n", value: "b" }], []);
    await expect(w.addSeries([{ name: "n", value: "a" }], [])).rejects.toThrow(/out of order/);
    await expect(w.addSeries([{ name: "n", value: "zz" }], [])).rejects.toThrow(/symbol "zz" was not added/);
    await w.abort();
  });

  it("reports a truncated file as corruption naming the file", async () => {
    const path = join(tmp.dir, "index-trunc");
    await writeSample(path);
    const b = await readFile(path);
    await writeFile(path, b.subarray(0, b.length - 10));
    const err = await IndexReader.open({ path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptionError);
    expect(String((err as Error).message)).toContain(path);
  });

  it("detects a flipped byte in a series entry by its CRC", async () => {
    const path = join(tmp.dir, "index-flip");
    const { ids } = await writeSample(path);
    const b = await readFile(path);
    b[ids[1] * 16 + 2] ^= 0xff;
    const r = IndexReader.fromBytes(b, "flipped");
    expect(() => r.series(ids[0])).not.toThrow();
    const err = (() => {
      try {
        r.series(ids[1]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toMatch(/series \d+: checksum mismatch/);
  });

  it("rejects a bad magic number and short files", () => {
    expect(() => IndexReader.fromBytes(new Uint8Array(60), "zeros")).toThrow(/invalid magic number/);
    expect(() => IndexReader.fromBytes(new Uint8Array(3), "short")).toThrow(CorruptionError);
  });
});
