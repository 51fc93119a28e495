import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Logger } from "../../src/log/logger.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { WALCorruptionError } from "../../src/tsdb/errors.js";
import {
  RecordEncoder,
  RecordType,
  decodeSamples,
  decodeSeries,
  decodeTombstones,
  newRefSamples,
  recordType,
} from "../../src/tsdb/record/record.js";
import { readSegmentRecords, readSegments, repairSegment } from "../../src/tsdb/wlog/reader.js";
import { PAGE_SIZE, WL, listSegments, segmentName } from "../../src/tsdb/wlog/wlog.js";
import { tempDir } from "../helpers/reference.js";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir("wal");
  cleanups.push(t.cleanup);
  return t.dir;
}

function records(n: number, size: (i: number) => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = new Uint8Array(size(i));
    for (let j = 0; j < r.length; j++) r[j] = (i * 31 + j * 7) & 0xff;
    out.push(r);
  }
  return out;
}

describe("WAL segments", () => {
  for (const compress of [false, true]) {
    it(`round-trips records of every size across pages and segments (snappy ${compress})`, () => {
      const d = dir();
      const wl = new WL({ dir: d, compress, segmentSizeBytes: 4 * PAGE_SIZE });
      const recs = records(300, (i) => (i % 7 === 0 ? 3 * PAGE_SIZE + i : (i * 97) % 5000));
      for (const r of recs) wl.log(r);
      wl.close();
      expect(listSegments(d).length).toBeGreaterThan(2);
      const back = [...readSegments(d)].map((r) => r.data);
      expect(back.length).toBe(recs.length);
      for (let i = 0; i < recs.length; i++) expect(Buffer.from(back[i]).equals(Buffer.from(recs[i]))).toBe(true);
    });
  }

  it("sets the snappy bit only when compression helps", () => {
    const d = dir();
    const wl = new WL({ dir: d, compress: true });
    wl.log(new Uint8Array(1000)); // zeros compress well
    wl.close();
    const buf = readFileSync(segmentName(d, 0));
    expect(buf[0] & 0x08).toBe(0x08);
    expect(buf[0] & 0x07).toBe(1);
  });

  it("starts a new segment on reopen and never appends to an old one", () => {
    const d = dir();
    new WL({ dir: d }).close();
    const wl = new WL({ dir: d });
    expect(wl.currentSegment()).toBe(1);
    wl.close();
  });

  it("reports a torn tail and repairs it to the last complete record", () => {
    const d = dir();
    const wl = new WL({ dir: d });
    const recs = records(10, () => 10_000);
    for (const r of recs) wl.log(r);
    wl.close();
    const file = segmentName(d, 0);
    truncateSync(file, statSync(file).size - 5000);
    let err: unknown;
    const got: Uint8Array[] = [];
    try {
      for (const r of readSegmentRecords(readFileSync(file), 0)) got.push(r.data);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WALCorruptionError);
    expect(got.length).toBe(9);
    const lines: string[] = [];
    repairSegment(d, err as WALCorruptionError, new Logger({ write: (l) => lines.push(l) }));
    expect(lines.join("")).toContain("WAL corruption detected");
    expect([...readSegments(d)].length).toBe(9);
  });

  it("detects a flipped byte by checksum", () => {
    const d = dir();
    const wl = new WL({ dir: d });
    for (const r of records(3, () => 100)) wl.log(r);
    wl.close();
    const file = segmentName(d, 0);
    const buf = readFileSync(file);
    buf[7 + 107 + 50] ^= 0xff; // inside the second record's data
    writeFileSync(file, buf);
    expect(() => [...readSegmentRecords(readFileSync(file), 0)]).toThrow(/checksum mismatch/);
  });

  it("treats garbage after the last record as corruption", () => {
    const d = dir();
    const wl = new WL({ dir: d });
    wl.log(new Uint8Array([1, 2, 3]));
    wl.close();
    appendFileSync(segmentName(d, 0), Buffer.from([0x09, 0xff, 0xff]));
    expect(() => [...readSegments(d)]).toThrow(WALCorruptionError);
  });
});

describe("WAL records", () => {
  it("encodes series, samples and tombstones as Prometheus does", () => {
    const enc = new RecordEncoder();
    const series = enc.series([{ ref: 1, labels: [{ name: "a", value: "b" }] }]);
    // type, BE64 ref, uvarint n, uvarint len + "a", uvarint len + "b"
    expect([...series]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 97, 1, 98]);
    const samples = enc.samples([5, 6], [1000, 1015], [1, 2], 2);
    // type, BE64 first ref, BE64 first t, then zigzag deltas and BE float bits
    expect([...samples.subarray(0, 17)]).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]);
    expect([...samples.subarray(17, 19)]).toEqual([0, 0]);
    expect([...samples.subarray(27, 29)]).toEqual([2, 30]);
    expect(recordType(samples)).toBe(RecordType.Samples);
  });

  it("round-trips labels with unicode, big refs, negative times and stale markers", () => {
    const enc = new RecordEncoder();
    const labels = [
      { name: "__name__", value: "métrique_ü" },
      { name: "job", value: "x".repeat(300) },
    ];
    expect(decodeSeries(enc.series([{ ref: 2 ** 40 + 3, labels }]))).toEqual([{ ref: 2 ** 40 + 3, labels }]);
    const s = decodeSamples(enc.samples([10, 3, 2 ** 33], [-5000, 1_700_000_000_000, -1], [1.5, STALE_NAN, -0], 3), newRefSamples());
    expect(s.n).toBe(3);
    expect([...s.refs.subarray(0, 3)]).toEqual([10, 3, 2 ** 33]);
    expect([...s.ts.subarray(0, 3)]).toEqual([-5000, 1_700_000_000_000, -1]);
    expect(s.vs[0]).toBe(1.5);
    expect(isStaleNaN(s.vs[1])).toBe(true);
    expect(Object.is(s.vs[2], -0)).toBe(true);
    expect(decodeTombstones(enc.tombstones([{ ref: 7, mint: -10, maxt: 2 ** 45 }]))).toEqual([{ ref: 7, mint: -10, maxt: 2 ** 45 }]);
    const wide = { ref: 1, mint: Number.MIN_SAFE_INTEGER, maxt: Number.MAX_SAFE_INTEGER };
    expect(decodeTombstones(enc.tombstones([wide]))).toEqual([wide]);
  });
});
