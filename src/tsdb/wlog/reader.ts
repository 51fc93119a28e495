// Reads WAL segments back into records, and repairs a damaged tail. A segment is read
// whole (<= 128 MiB) and walked page by page; any bad header, CRC or torn fragment
// becomes a WALCorruptionError that names the segment and the offset of the record
// that could not be completed.
import { closeSync, ftruncateSync, openSync, readFileSync } from "node:fs";
import { crc32c } from "@node-rs/crc32";
import { uncompressSync } from "snappy";
import type { Logger } from "../../log/logger.js";
import { WALCorruptionError } from "../errors.js";
import { FragmentType, PAGE_SIZE, RECORD_HEADER_SIZE, SNAPPY_MASK, TYPE_MASK, listSegments, segmentName } from "./wlog.js";

export interface WALRecord {
  readonly data: Uint8Array;
  readonly segment: number;
  /** Byte offset of the record's first fragment in its segment. */
  readonly offset: number;
}

/** Yields the records of one segment's bytes; throws WALCorruptionError at the first bad spot. */
export function* readSegmentRecords(buf: Uint8Array, segment: number): Generator<WALRecord> {
  let pos = 0;
  let parts: Uint8Array[] = [];
  let recStart = -1;
  let compressed = false;
  while (pos < buf.length) {
    const pageLeft = PAGE_SIZE - (pos % PAGE_SIZE);
    if (pageLeft < RECORD_HEADER_SIZE) {
      pos += pageLeft;
      continue;
    }
    const typByte = buf[pos];
    const typ = typByte & TYPE_MASK;
    if (typ === FragmentType.PageTerm) {
      // The rest of the page must be zero; anything else is damage.
      const end = Math.min(pos + pageLeft, buf.length);
      for (let i = pos; i < end; i++) {
        if (buf[i] !== 0) throw new WALCorruptionError(segment, recStart >= 0 ? recStart : pos, `unexpected non-zero byte in padded page at ${i}`);
      }
      pos = end;
      continue;
    }
    if (typ > FragmentType.Last || (typByte & ~(TYPE_MASK | SNAPPY_MASK)) !== 0) {
      throw new WALCorruptionError(segment, recStart >= 0 ? recStart : pos, `invalid record type ${typByte}`);
    }
    if (pos + RECORD_HEADER_SIZE > buf.length) throw new WALCorruptionError(segment, recStart >= 0 ? recStart : pos, "unexpected EOF in record header");
    const len = (buf[pos + 1] << 8) | buf[pos + 2];
    const crc = ((buf[pos + 3] << 24) | (buf[pos + 4] << 16) | (buf[pos + 5] << 8) | buf[pos + 6]) >>> 0;
    const start = pos + RECORD_HEADER_SIZE;
    if (len > pageLeft - RECORD_HEADER_SIZE) throw new WALCorruptionError(segment, recStart >= 0 ? recStart : pos, `fragment of ${len} bytes crosses a page`);
    if (start + len > buf.length) throw new WALCorruptionError(segment, recStart >= 0 ? recStart : pos, "unexpected EOF in record data");
    const data = buf.subarray(start, start + len);
    if (crc32c(data) !== crc) throw new WALCorruptionError(segment, recStart >= 0 ? recStart : pos, "checksum mismatch");
    const first = typ === FragmentType.Full || typ === FragmentType.First;
    if (first !== (recStart < 0)) throw new WALCorruptionError(segment, recStart >= 0 ? recStart : pos, `unexpected fragment type ${typ}`);
    if (first) {
      recStart = pos;
      compressed = (typByte & SNAPPY_MASK) !== 0;
    }
    parts.push(data);
    pos = start + len;
    if (typ === FragmentType.Full || typ === FragmentType.Last) {
      let rec = parts.length === 1 ? parts[0] : concat(parts);
      if (compressed) {
        try {
          rec = uncompressSync(rec) as Buffer;
        } catch (cause) {
          throw new WALCorruptionError(segment, recStart, "snappy decode failed", { cause });
        }
      }
      yield { data: rec, segment, offset: recStart };
      parts = [];
      recStart = -1;
    }
  }
  if (recStart >= 0) throw new WALCorruptionError(segment, recStart, "unexpected EOF: last record incomplete");
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Records of the segments in dir with from <= index (<= to when given), in order. */
export function* readSegments(dir: string, from = 0, to = Infinity): Generator<WALRecord> {
  for (const s of listSegments(dir)) {
    if (s < from || s > to) continue;
    const buf = readFileSync(segmentName(dir, s));
    yield* readSegmentRecords(buf, s);
  }
}

/**
 * Cuts a damaged segment at the start of the first bad record. Later segments are
 * left in place: their records still replay, and samples of series whose record was
 * lost are dropped (and counted) by the head.
 */
export function repairSegment(dir: string, err: WALCorruptionError, logger: Logger): void {
  const name = segmentName(dir, err.segment);
  logger.warn("WAL corruption detected; truncating segment at the last good record", {
    segment: err.segment,
    offset: err.offset,
    err,
  });
  const fd = openSync(name, "r+");
  try {
    ftruncateSync(fd, err.offset);
  } finally {
    closeSync(fd);
  }
}
