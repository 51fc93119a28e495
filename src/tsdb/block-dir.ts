// Finding and opening the blocks of a data dir, in the order Prometheus keeps them (by minTime).
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { readBlockMeta } from "./block-meta.js";
import { openBlock, type Block } from "./block.js";
import { isUlid } from "./ulid.js";

/** Block directories (ULID names holding meta.json) under dataDir, sorted by minTime then ULID. */
export async function listBlockDirs(dataDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dataDir);
  } catch (cause) {
    throw new Error(`list blocks in ${dataDir}`, { cause });
  }
  const found: { dir: string; minTime: number; ulid: string }[] = [];
  for (const name of names) {
    if (!isUlid(name)) continue;
    const dir = join(dataDir, name);
    if (!(await stat(dir)).isDirectory()) continue;
    const { meta } = await readBlockMeta(dir);
    found.push({ dir, minTime: meta.minTime, ulid: meta.ulid });
  }
  found.sort((a, b) => a.minTime - b.minTime || (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0));
  return found.map((f) => f.dir);
}

/** Opens every block of dataDir; on failure closes the ones already open. */
export async function openBlocks(dataDir: string): Promise<Block[]> {
  const blocks: Block[] = [];
  try {
    for (const dir of await listBlockDirs(dataDir)) blocks.push(await openBlock(dir));
  } catch (err) {
    await Promise.all(blocks.map((b) => b.close()));
    throw err;
  }
  return blocks;
}
