// Byte compatibility with Prometheus: promtool writes a block from OpenMetrics input; we
// read its chunk segment files directly, decode every XOR chunk and compare with what
// `promtool tsdb dump` prints, then re-encode each chunk and expect identical bytes.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { crc32c } from "@node-rs/crc32";
import { decodeXor, encodeXor } from "../../src/wasm/index.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";
import { bitsOf, rng } from "./gen.js";

const promtool = referenceBinary("promtool");
const SEGMENT_MAGIC = 0x85bd40dd;
const ENC_XOR = 1;

function uvarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let x = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++]!;
    x += (b & 0x7f) * mul;
    if (b < 0x80) return [x, pos];
    mul *= 128;
  }
}

/** Every chunk (encoding byte + data) in a block's chunks/ segment files, in file order. */
function readChunks(blockDir: string): { encoding: number; data: Uint8Array }[] {
  const out: { encoding: number; data: Uint8Array }[] = [];
  const dir = join(blockDir, "chunks");
  for (const name of readdirSync(dir).sort()) {
    const buf = new Uint8Array(readFileSync(join(dir, name)));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    expect(view.getUint32(0)).toBe(SEGMENT_MAGIC);
    expect(buf[4]).toBe(1); // segment format version
    let pos = 8; // magic, version, 3 bytes padding
    while (pos < buf.length) {
      const [len, p] = uvarint(buf, pos);
      const encoding = buf[p]!;
      const data = buf.subarray(p + 1, p + 1 + len);
      const crc = view.getUint32(p + 1 + len);
      expect(crc32c(Buffer.from(buf.subarray(p, p + 1 + len)))).toBe(crc);
      out.push({ encoding, data });
      pos = p + 1 + len + 4;
    }
  }
  return out;
}

// Values as promtool prints them (Go %g): NaN, +Inf, -Inf, -0, 3.5e+10, ...
function parseGoFloat(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

function valueKey(v: number): string {
  return Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v);
}

describe.skipIf(!promtool)("XOR chunks written by promtool", () => {
  const tmp = tempDir("xor-compat");
  afterAll(() => tmp.cleanup());

  test("decode to the samples promtool dumps, and re-encode to the same bytes", () => {
    const r = rng(2024);
    // Keep everything inside one 2h-aligned block so file order equals dump order.
    const base = Math.floor(1.7e12 / 7_200_000) * 7_200_000;
    const lines: string[] = [];
    const families: { name: string; type: string; series: number; samples?: number }[] = [
      { name: "requests", type: "counter", series: 4 },
      { name: "temperature", type: "gauge", series: 4 },
      { name: "flaky", type: "gauge", series: 2 },
      // One-sample chunks end on a byte boundary after a whole-byte write: Prometheus'
      // bit stream then carries one extra zero byte, which the encoder must reproduce.
      { name: "single", type: "gauge", series: 3, samples: 1 },
      { name: "pair", type: "gauge", series: 3, samples: 2 },
    ];
    let total = 0;
    for (const f of families) {
      lines.push(`# TYPE ${f.name} ${f.type}`);
      for (let s = 0; s < f.series; s++) {
        let t = base + Math.floor(r() * 5000);
        let c = Math.floor(r() * 1e6);
        const n = f.samples ?? 200 + Math.floor(r() * 300);
        for (let i = 0; i < n; i++) {
          let v: string;
          if (f.type === "counter") v = String((c += Math.floor(r() * 1000) * (r() < 0.1 ? 1e7 : 1)));
          else if (f.name === "flaky") v = r() < 0.2 ? "NaN" : r() < 0.05 ? "+Inf" : r() < 0.05 ? "-0" : String(Math.round(r() * 100) / 4);
          else v = String(20 + r() * 5);
          const metric = f.type === "counter" ? `${f.name}_total` : f.name;
          lines.push(`${metric}{instance="host-${s}",job="j"} ${v} ${(t / 1000).toFixed(3)}`);
          // Irregular millisecond intervals, with occasional long gaps.
          t += r() < 0.01 ? 30_000 + Math.floor(r() * 30_000) : 5_000 + Math.floor(r() * 5_000);
          total++;
        }
      }
    }
    lines.push("# EOF");
    const input = join(tmp.dir, "in.om");
    const outDir = join(tmp.dir, "out");
    writeFileSync(input, lines.join("\n") + "\n");
    execFileSync(promtool!, ["tsdb", "create-blocks-from", "openmetrics", input, outDir], { stdio: "pipe", timeout: 60_000 });
    const blocks = readdirSync(outDir);
    expect(blocks.length).toBe(1);
    mkdirSync(join(outDir, "wal"), { recursive: true }); // dump opens the dir as a DB
    const dump = execFileSync(promtool!, ["tsdb", "dump", outDir], { encoding: "utf8", maxBuffer: 64 << 20, timeout: 60_000 });
    const expected = dump
      .trim()
      .split("\n")
      .map((line) => {
        const parts = line.split(" ");
        return `${parts[parts.length - 1]} ${valueKey(parseGoFloat(parts[parts.length - 2]!))}`;
      });
    expect(expected.length).toBe(total);

    const chunks = readChunks(join(outDir, blocks[0]!));
    expect(chunks.length).toBeGreaterThan(11); // series longer than 120 samples span chunks
    const got: string[] = [];
    for (const { encoding, data } of chunks) {
      expect(encoding).toBe(ENC_XOR);
      const d = decodeXor(data);
      for (let i = 0; i < d.ts.length; i++) got.push(`${d.ts[i]} ${valueKey(d.vs[i]!)}`);
      // Our encoder must write exactly the bytes Prometheus wrote for the same samples.
      const again = encodeXor(d.ts, d.vs);
      expect(Buffer.from(again).toString("hex")).toBe(Buffer.from(data).toString("hex"));
      expect(bitsOf(decodeXor(again).vs)).toEqual(bitsOf(d.vs));
    }
    expect(got).toEqual(expected);
  });
});
