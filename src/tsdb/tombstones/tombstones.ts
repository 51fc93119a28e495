// Deletion intervals per series and the block's `tombstones` file:
// magic 0x0130BA30, version 1, then (ref uvarint, mint varint, maxt varint)
// per interval, then a CRC32C of those entries.
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { Decbuf, checkCrc32c } from "../encoding/decbuf.js";
import { Encbuf } from "../encoding/encbuf.js";
import { CorruptionError } from "../encoding/errors.js";

export const TOMBSTONES_FILENAME = "tombstones";
export const TOMBSTONES_MAGIC = 0x0130ba30;
export const TOMBSTONES_VERSION = 1;
const HEADER_SIZE = 5;
const CRC_SIZE = 4;

/** A closed time range [mint, maxt] of deleted samples. */
export interface Interval {
  readonly mint: number;
  readonly maxt: number;
}

/** Sorted, non-overlapping deletion intervals keyed by series ref. */
export class Tombstones {
  private readonly bySeries = new Map<number, Interval[]>();

  get size(): number {
    return this.bySeries.size;
  }

  /** Intervals for ref, sorted and merged; empty when none. */
  get(ref: number): readonly Interval[] {
    return this.bySeries.get(ref) ?? [];
  }

  /** Adds an interval, merging it with overlapping or adjacent ones as Prometheus does. */
  add(ref: number, iv: Interval): void {
    const cur = this.bySeries.get(ref) ?? [];
    const all = [...cur, iv].sort((a, b) => a.mint - b.mint);
    const merged: Interval[] = [];
    for (const x of all) {
      const last = merged[merged.length - 1];
      if (last && x.mint <= last.maxt + 1) {
        if (x.maxt > last.maxt) merged[merged.length - 1] = { mint: last.mint, maxt: x.maxt };
      } else merged.push(x);
    }
    this.bySeries.set(ref, merged);
  }

  /** Series refs in ascending order. */
  refs(): number[] {
    return [...this.bySeries.keys()].sort((a, b) => a - b);
  }

  /** Total number of intervals. */
  count(): number {
    let n = 0;
    for (const v of this.bySeries.values()) n += v.length;
    return n;
  }
}

/** True when t lies within one of the intervals. */
export function isDeleted(t: number, intervals: readonly Interval[]): boolean {
  for (const iv of intervals) if (t >= iv.mint && t <= iv.maxt) return true;
  return false;
}

export function encodeTombstones(tomb: Tombstones): Uint8Array {
  const e = new Encbuf();
  e.putBE32(TOMBSTONES_MAGIC);
  e.putByte(TOMBSTONES_VERSION);
  for (const ref of tomb.refs()) {
    for (const iv of tomb.get(ref)) {
      e.putUvarint(ref);
      e.putVarint(iv.mint);
      e.putVarint(iv.maxt);
    }
  }
  e.putCrc32c(HEADER_SIZE);
  return e.get().slice();
}

/** Decodes a tombstones file; what names it in errors. */
export function decodeTombstones(b: Uint8Array, what = "tombstones"): Tombstones {
  if (b.length < HEADER_SIZE + CRC_SIZE) {
    throw new CorruptionError(`${what}: file of ${b.length} bytes is too short`, { offset: 0 });
  }
  const d = new Decbuf({ bytes: b, what });
  const magic = d.be32();
  if (magic !== TOMBSTONES_MAGIC) throw new CorruptionError(`${what}: invalid magic number 0x${magic.toString(16)}`, { offset: 0 });
  const version = d.byte();
  if (version !== TOMBSTONES_VERSION) throw new CorruptionError(`${what}: unsupported version ${version}`, { offset: 4 });
  checkCrc32c(b, HEADER_SIZE, b.length - CRC_SIZE, what);
  const body = new Decbuf({ bytes: b.subarray(HEADER_SIZE, b.length - CRC_SIZE), base: HEADER_SIZE, what });
  const tomb = new Tombstones();
  while (body.remaining > 0) {
    const ref = body.uvarint();
    const mint = body.varint();
    const maxt = body.varint();
    tomb.add(ref, { mint, maxt });
  }
  return tomb;
}

/** Reads dir/tombstones; a missing file means no deletions, as in Prometheus. */
export async function readTombstones(dir: string): Promise<{ tombstones: Tombstones; sizeBytes: number }> {
  const path = join(dir, TOMBSTONES_FILENAME);
  let b: Buffer;
  try {
    b = await readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return { tombstones: new Tombstones(), sizeBytes: 0 };
    throw new Error(`read ${path}`, { cause });
  }
  return { tombstones: decodeTombstones(b, path), sizeBytes: b.length };
}

/** Writes dir/tombstones atomically (temp file, fsync, rename). Returns the bytes written. */
export async function writeTombstones(dir: string, tomb: Tombstones): Promise<number> {
  const path = join(dir, TOMBSTONES_FILENAME);
  const tmp = `${path}.tmp`;
  const bytes = encodeTombstones(tomb);
  const fh = await open(tmp, "w");
  try {
    await fh.write(bytes, 0, bytes.length, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return bytes.length;
}
