// meta.json of a block (version 1), read and written as Prometheus does
// (tab-indented JSON, optional fields left out when empty, atomic replace).
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { InvalidBlockError } from "./block-errors.js";
import { isUlid } from "./ulid.js";

export const META_FILENAME = "meta.json";
export const META_VERSION = 1;

export interface BlockStats {
  numSamples: number;
  numSeries: number;
  numChunks: number;
  numTombstones?: number;
  numFloatSamples?: number;
  numHistogramSamples?: number;
}

export interface BlockDesc {
  ulid: string;
  minTime: number;
  maxTime: number;
}

export interface BlockCompaction {
  level: number;
  sources?: string[];
  deletable?: boolean;
  parents?: BlockDesc[];
  failed?: boolean;
  hints?: string[];
}

export interface BlockMeta {
  ulid: string;
  /** First timestamp in the block (inclusive, ms). */
  minTime: number;
  /** End of the block's range (exclusive, ms). */
  maxTime: number;
  stats: BlockStats;
  compaction: BlockCompaction;
  version: number;
}

/** Reads and validates dir/meta.json. Throws InvalidBlockError naming the dir and what is wrong. */
export async function readBlockMeta(dir: string): Promise<{ meta: BlockMeta; sizeBytes: number }> {
  const path = join(dir, META_FILENAME);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new InvalidBlockError(dir, "read meta.json", code === "ENOENT" ? "file does not exist" : undefined, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new InvalidBlockError(dir, "parse meta.json", "invalid JSON", { cause });
  }
  const m = raw as Partial<BlockMeta> | null;
  const bad = (msg: string): never => {
    throw new InvalidBlockError(dir, "parse meta.json", msg);
  };
  if (typeof m !== "object" || m === null) bad("not a JSON object");
  if (m!.version !== META_VERSION) bad(`unsupported version ${JSON.stringify(m!.version)}`);
  if (typeof m!.ulid !== "string" || !isUlid(m!.ulid)) bad(`invalid ulid ${JSON.stringify(m!.ulid)}`);
  if (!Number.isFinite(m!.minTime) || !Number.isFinite(m!.maxTime)) bad("minTime/maxTime missing");
  const stats = (m!.stats ?? {}) as Partial<BlockStats>;
  const compaction = (m!.compaction ?? { level: 1 }) as BlockCompaction;
  return {
    meta: {
      ulid: m!.ulid!,
      minTime: m!.minTime!,
      maxTime: m!.maxTime!,
      stats: { ...stats, numSamples: stats.numSamples ?? 0, numSeries: stats.numSeries ?? 0, numChunks: stats.numChunks ?? 0 },
      compaction: { ...compaction, level: compaction.level ?? 1 },
      version: META_VERSION,
    },
    sizeBytes: Buffer.byteLength(text),
  };
}

/** The meta.json text in Prometheus' layout. */
export function encodeBlockMeta(meta: BlockMeta): string {
  const stats: Record<string, number> = { numSamples: meta.stats.numSamples, numSeries: meta.stats.numSeries, numChunks: meta.stats.numChunks };
  if (meta.stats.numTombstones) stats.numTombstones = meta.stats.numTombstones;
  if (meta.stats.numFloatSamples) stats.numFloatSamples = meta.stats.numFloatSamples;
  if (meta.stats.numHistogramSamples) stats.numHistogramSamples = meta.stats.numHistogramSamples;
  const c = meta.compaction;
  const compaction: Record<string, unknown> = { level: c.level };
  if (c.sources?.length) compaction.sources = c.sources;
  if (c.deletable) compaction.deletable = true;
  if (c.parents?.length) compaction.parents = c.parents.map((p) => ({ ulid: p.ulid, minTime: p.minTime, maxTime: p.maxTime }));
  if (c.failed) compaction.failed = true;
  if (c.hints?.length) compaction.hints = c.hints;
  return JSON.stringify({ ulid: meta.ulid, minTime: meta.minTime, maxTime: meta.maxTime, stats, compaction, version: META_VERSION }, null, "\t");
}

/** Writes dir/meta.json atomically (temp file, fsync, rename); returns its size in bytes. */
export async function writeBlockMeta(dir: string, meta: BlockMeta): Promise<number> {
  const path = join(dir, META_FILENAME);
  const tmp = `${path}.tmp`;
  const text = encodeBlockMeta(meta);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return Buffer.byteLength(text);
}
