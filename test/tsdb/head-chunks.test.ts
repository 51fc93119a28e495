import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { crc32c } from "@node-rs/crc32";
import { HeadChunkFiles, MAGIC_HEAD_CHUNKS } from "../../src/tsdb/chunks/head-chunks.js";
import { HeadChunkCorruptionError } from "../../src/tsdb/errors.js";
import { tempDir } from "../helpers/reference.js";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function files(opts: { maxFileSizeBytes?: number } = {}): { f: HeadChunkFiles; dir: string } {
  const t = tempDir("head-chunks");
  const f = new HeadChunkFiles({ dir: t.dir, ...opts });
  cleanups.push(() => {
    f.close();
    t.cleanup();
  });
  return { f, dir: t.dir };
}

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);

describe("head chunk files", () => {
  it("writes Prometheus' layout: file header, then ref/mint/maxt/encoding/len/data/crc per chunk", () => {
    const { f, dir } = files();
    const data = bytes(20, 1);
    const ref = f.write(0x1_0000_0007, 1000, 2000, data);
    expect(ref).toBe(1 * 2 ** 32 + 8); // file 1, right after the 8-byte header
    f.close();
    const buf = readFileSync(join(dir, "000001"));
    const v = new DataView(buf.buffer, buf.byteOffset);
    expect(v.getUint32(0)).toBe(MAGIC_HEAD_CHUNKS);
    expect([...buf.subarray(4, 8)]).toEqual([1, 0, 0, 0]);
    expect(v.getUint32(8)).toBe(1);
    expect(v.getUint32(12)).toBe(7);
    expect(Number(v.getBigInt64(16))).toBe(1000);
    expect(Number(v.getBigInt64(24))).toBe(2000);
    expect(buf[32]).toBe(1); // XOR
    expect(buf[33]).toBe(20);
    expect(Buffer.from(buf.subarray(34, 54)).equals(Buffer.from(data))).toBe(true);
    expect(v.getUint32(54)).toBe(crc32c(buf.subarray(8, 54)));
  });

  it("reads back chunks from the write buffer and from disk, across file cuts", () => {
    const { f, dir } = files({ maxFileSizeBytes: 4096 });
    const refs: number[] = [];
    const datas: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const d = bytes(50 + (i % 700), i);
      datas.push(d);
      refs.push(f.write(i + 1, i * 10, i * 10 + 9, d));
      // Read the newest (still buffered) chunk straight away.
      expect(Buffer.from(f.read(refs[i])).equals(Buffer.from(d))).toBe(true);
    }
    expect(readdirSync(dir).length).toBeGreaterThan(5);
    for (let i = 0; i < 200; i++) expect(Buffer.from(f.read(refs[i])).equals(Buffer.from(datas[i]))).toBe(true);
  });

  it("detects a corrupted chunk by its CRC", () => {
    const { f, dir } = files({ maxFileSizeBytes: 4096 });
    const ref = f.write(1, 0, 10, bytes(100, 3));
    for (let i = 0; i < 60; i++) f.write(2, 0, 10, bytes(100, i)); // pushes the first file to disk
    const name = join(dir, "000001");
    const buf = readFileSync(name);
    buf[40] ^= 0xff;
    writeFileSync(name, buf);
    expect(() => f.read(ref)).toThrow(HeadChunkCorruptionError);
  });

  it("truncate deletes whole files whose chunks all ended before mint", () => {
    const { f, dir } = files({ maxFileSizeBytes: 4096 });
    const refs: number[] = [];
    for (let i = 0; i < 100; i++) refs.push(f.write(1, i * 100, i * 100 + 99, bytes(300, i)));
    const before = readdirSync(dir).length;
    expect(f.truncate(5000)).toBeGreaterThan(0);
    expect(readdirSync(dir).length).toBeLessThan(before);
    expect(() => f.read(refs[0])).toThrow(HeadChunkCorruptionError);
    expect(Buffer.from(f.read(refs[99])).equals(Buffer.from(bytes(300, 99)))).toBe(true);
  });
});
