import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { chunkNumSamples, chunkSamples } from "../../src/tsdb/chunkenc/chunk.js";
import { encodeXorChunk } from "../../src/tsdb/chunkenc/xor.js";
import { ChunkReader } from "../../src/tsdb/chunks/chunk-reader.js";
import { ChunkWriter } from "../../src/tsdb/chunks/chunk-writer.js";
import { ChecksumError, CorruptionError } from "../../src/tsdb/encoding/errors.js";
import { Tombstones, decodeTombstones, encodeTombstones, readTombstones, writeTombstones } from "../../src/tsdb/tombstones/tombstones.js";
import { isUlid, newUlid, ulidTime } from "../../src/tsdb/ulid.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("chunks");
afterAll(() => tmp.cleanup());

function samples(n: number, seed: number) {
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = 1_600_000_000_000 + i * 15_000 + ((i * seed) % 7);
    vs[i] = i % 11 === 5 ? STALE_NAN : Math.sin(i + seed) * 1000;
  }
  return { ts, vs };
}

describe("chunk segments", () => {
  it("writes chunks across segments and reads them back by ref", async () => {
    const dir = join(tmp.dir, "seg");
    const w = await ChunkWriter.create({ dir, segmentSizeBytes: 2048 });
    const inputs = Array.from({ length: 40 }, (_, i) => samples(30 + i, i));
    const refs: number[] = [];
    for (const s of inputs) refs.push(await w.write(encodeXorChunk(s.ts, s.vs)));
    await w.close();
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(1);
    expect(files[0]).toBe("000001");
    const head = await readFile(join(dir, "000001"));
    expect(head.readUInt32BE(0)).toBe(0x85bd40dd);
    expect(head[4]).toBe(1);

    const r = await ChunkReader.open({ dir });
    const shuffled = refs.map((_, i) => (i * 17) % refs.length);
    const got = await r.chunks(shuffled.map((i) => refs[i]));
    for (let k = 0; k < shuffled.length; k++) {
      const want = inputs[shuffled[k]];
      expect(chunkNumSamples(got[k])).toBe(want.ts.length);
      const dec = chunkSamples(got[k]);
      expect([...dec.ts]).toEqual([...want.ts]);
      for (let j = 0; j < want.vs.length; j++) {
        if (isStaleNaN(want.vs[j])) expect(isStaleNaN(dec.vs[j])).toBe(true);
        else expect(dec.vs[j]).toBe(want.vs[j]);
      }
    }
    await expect(r.chunk(99 * 2 ** 32 + 8)).rejects.toThrow(/names segment 99/);
    await r.close();
  });

  it("detects a corrupted chunk by its CRC32C and a bad segment header", async () => {
    const dir = join(tmp.dir, "bad");
    const w = await ChunkWriter.create({ dir });
    const s = samples(50, 3);
    const ref = await w.write(encodeXorChunk(s.ts, s.vs));
    await w.close();
    const path = join(dir, "000001");
    const b = await readFile(path);
    b[20] ^= 0x01;
    await writeFile(path, b);
    const r = await ChunkReader.open({ dir });
    await expect(r.chunk(ref)).rejects.toBeInstanceOf(ChecksumError);
    await r.close();
    b.writeUInt32BE(0xdeadbeef, 0);
    await writeFile(path, b);
    await expect(ChunkReader.open({ dir })).rejects.toThrow(/invalid magic number 0xdeadbeef/);
  });
});

describe("tombstones", () => {
  it("round-trips intervals, merging overlapping ones, including int64 extremes", async () => {
    const t = new Tombstones();
    t.add(7, { mint: 10, maxt: 20 });
    t.add(7, { mint: 15, maxt: 30 });
    t.add(7, { mint: 100, maxt: 200 });
    t.add(3, { mint: -(2 ** 63), maxt: 2 ** 63 });
    const dir = join(tmp.dir, "tomb");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    await writeTombstones(dir, t);
    const { tombstones } = await readTombstones(dir);
    expect(tombstones.refs()).toEqual([3, 7]);
    expect(tombstones.get(7)).toEqual([
      { mint: 10, maxt: 30 },
      { mint: 100, maxt: 200 },
    ]);
    expect(tombstones.get(3)).toEqual([{ mint: -(2 ** 63), maxt: 2 ** 63 }]);
  });

  it("writes an empty file as Prometheus does and rejects a bad CRC", () => {
    const empty = encodeTombstones(new Tombstones());
    expect([...empty]).toEqual([0x01, 0x30, 0xba, 0x30, 0x01, 0, 0, 0, 0]);
    const t = new Tombstones();
    t.add(1, { mint: 1, maxt: 2 });
    const b = encodeTombstones(t);
    b[6] ^= 1;
    expect(() => decodeTombstones(b, "tomb")).toThrow(ChecksumError);
    expect(() => decodeTombstones(b.subarray(0, 4), "tomb")).toThrow(CorruptionError);
  });
});

describe("ulid", () => {
  it("makes sortable 26-character ids carrying the time", () => {
    const a = newUlid(1_600_000_000_000);
    const b = newUlid(1_600_000_000_000);
    expect(isUlid(a)).toBe(true);
    expect(a).toHaveLength(26);
    expect(b > a).toBe(true);
    expect(ulidTime(a)).toBe(1_600_000_000_000);
    // A block name written by promtool 2.42 in this repo's tests (time 2026-11-22T02:20:57.455Z).
    expect(ulidTime("01M80GX07F2PTX8Q0PJTZWGT8J")).toBe(1795314057455);
  });
});
