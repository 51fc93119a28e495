// HeadChunkFiles.readMany: many chunks from chunks_head/ in region reads, the same bytes
// read() gives, in the caller's order, with CRCs checked.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HeadChunkFiles } from "../../src/tsdb/chunks/head-chunks.js";
import { HeadChunkCorruptionError } from "../../src/tsdb/errors.js";
import { tempDir } from "../helpers/reference.js";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function files(maxFileSizeBytes: number): { f: HeadChunkFiles; dir: string } {
  const t = tempDir("head-chunks-bulk");
  const f = new HeadChunkFiles({ dir: t.dir, maxFileSizeBytes });
  cleanups.push(() => {
    f.close();
    t.cleanup();
  });
  return { f, dir: t.dir };
}

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("head chunk bulk reads", () => {
  it("returns what read() returns, in the order asked, across files, big chunks and the write buffer", () => {
    // Small files so that the chunks spread over many; every 37th chunk outgrows a region's typical chunk.
    const { f, dir } = files(64 * 1024);
    const refs: number[] = [];
    const datas: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const d = bytes(i % 37 === 0 ? 2000 : 80 + (i % 200), i);
      datas.push(d);
      refs.push(f.write(i + 1, i * 10, i * 10 + 9, d));
    }
    expect(readdirSync(dir).length).toBeGreaterThan(5);
    // Shuffled, with repeats, and with the newest chunks (still buffered) in the list.
    const pick: number[] = [];
    for (let i = 0; i < 4000; i++) pick.push((i * 7919) % 3000);
    const got = f.readMany(pick.map((i) => refs[i]));
    expect(got.length).toBe(pick.length);
    pick.forEach((i, k) => {
      if (!Buffer.from(got[k]).equals(Buffer.from(datas[i]))) throw new Error(`chunk ${i} (position ${k}) differs`);
    });
    expect(f.readMany([])).toEqual([]);
  });

  it("detects a corrupted chunk by its CRC", () => {
    const { f, dir } = files(4096);
    const refs = [f.write(1, 0, 10, bytes(100, 3)), f.write(1, 11, 20, bytes(100, 4))];
    for (let i = 0; i < 60; i++) f.write(2, 0, 10, bytes(100, i)); // pushes the first file to disk
    expect(f.readMany(refs).map((b) => b.length)).toEqual([100, 100]);
    const name = join(dir, "000001");
    const buf = readFileSync(name);
    buf[8 + 140 + 30] ^= 0xff; // inside the second chunk's data
    writeFileSync(name, buf);
    expect(() => f.readMany(refs)).toThrow(HeadChunkCorruptionError);
  });
});
