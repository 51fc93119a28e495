// Random damage to the WAL (flipped bytes, truncation, garbage appended) never stops the
// DB from opening, and whatever it serves afterwards is data that was really written.
import { cpSync, readFileSync, statSync, truncateSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB } from "../../src/tsdb/db.js";
import { listSegments, segmentName } from "../../src/tsdb/wlog/wlog.js";
import { tempDir } from "../helpers/reference.js";

const tmp = tempDir("wal-damage");
afterAll(() => tmp.cleanup());

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const N_SERIES = 8;
const N_SAMPLES = 400;
const value = (i: number, j: number): number => i * 1000 + j;

describe("WAL damage", () => {
  it("opens after 40 random kinds of damage and serves only samples that were written", async () => {
    const pristine = join(tmp.dir, "pristine");
    for (const walCompression of [false, true]) {
      const db = await openDB(join(pristine, String(walCompression)), { walCompression, walSegmentSizeBytes: 64 * 1024 });
      for (let j = 0; j < N_SAMPLES; j++) {
        const app = db.appender();
        for (let i = 0; i < N_SERIES; i++) app.append(0, labelsFromRecord({ __name__: "dmg", i: String(i) }), j * 1000, value(i, j));
        await app.commit();
      }
      await db.close();
    }
    const rand = rng(7);
    for (let trial = 0; trial < 40; trial++) {
      const compressed = trial % 2 === 1;
      const dir = join(tmp.dir, `trial-${trial}`);
      cpSync(join(pristine, String(compressed)), dir, { recursive: true });
      const walDir = join(dir, "wal");
      const segs = listSegments(walDir).filter((s) => statSync(segmentName(walDir, s)).size > 0);
      const file = segmentName(walDir, segs[Math.floor(rand() * segs.length)]);
      const size = statSync(file).size;
      const kind = trial % 3;
      if (kind === 0) {
        const buf = readFileSync(file);
        for (let k = 0; k < 3; k++) buf[Math.floor(rand() * size)] ^= 1 + Math.floor(rand() * 255);
        writeFileSync(file, buf);
      } else if (kind === 1) {
        truncateSync(file, Math.floor(rand() * size));
      } else {
        appendFileSync(file, Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 100) }, () => Math.floor(rand() * 256))));
      }
      const db = await openDB(dir);
      try {
        const q = await db.querier(-Infinity, Infinity);
        for (const s of await q.select(false, undefined, [new Matcher("=", "__name__", "dmg")])) {
          const i = Number(s.labels.find((l) => l.name === "i")!.value);
          const b = s.samples();
          for (let k = 0; k < b.ts.length; k++) expect(b.vs[k], `trial ${trial} series ${i} t=${b.ts[k]}`).toBe(value(i, b.ts[k] / 1000));
        }
        q.close();
      } finally {
        await db.close();
      }
    }
  });
});
