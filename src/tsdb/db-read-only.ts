// A data dir opened read-only, as promtool's `tsdb dump` opens one: its blocks, plus a head
// rebuilt in memory from the WAL (checkpoint and segments) so that samples not yet in a
// block are seen too. Nothing in the dir is written: no lock, no WAL repair, and the head's
// cut chunks go to a private temporary dir removed on close.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nopLogger, type Logger } from "../log/logger.js";
import type { Querier } from "../storage/interface.js";
import type { Block } from "./block.js";
import { openBlocks } from "./block-dir.js";
import { Head } from "./head.js";
import { HeadQuerier } from "./head-read.js";
import { replayWAL } from "./head-wal.js";

export interface ReadOnlyDBOptions {
  readonly logger?: Logger;
  /** The head's chunk range; Prometheus' default block duration (2h) unless given. */
  readonly chunkRangeMs?: number;
}

export class ReadOnlyDB {
  readonly dir: string;
  /** By minTime, as the DB keeps them. */
  readonly blocks: readonly Block[];
  readonly head: Head;
  private readonly scratchDir: string;
  private closed = false;

  private constructor(dir: string, blocks: Block[], head: Head, scratchDir: string) {
    this.dir = dir;
    this.blocks = blocks;
    this.head = head;
    this.scratchDir = scratchDir;
  }

  static async open(dir: string, opts: ReadOnlyDBOptions = {}): Promise<ReadOnlyDB> {
    const logger = (opts.logger ?? nopLogger).with({ component: "tsdb" });
    const blocks = await openBlocks(dir);
    const scratchDir = mkdtempSync(join(tmpdir(), "promwasm-readonly-head-"));
    let head: Head | undefined;
    try {
      head = new Head({ dir: scratchDir, chunkRangeMs: opts.chunkRangeMs, logger });
      // WAL samples that a block already covers are not replayed, as on a normal open.
      if (blocks.length) head.minValidTime = Math.max(...blocks.map((b) => b.maxTime));
      await replayWAL(head, join(dir, "wal"), logger, { min: 0, max: 0, current: 0 }, { readOnly: true });
      return new ReadOnlyDB(dir, blocks, head, scratchDir);
    } catch (cause) {
      head?.close();
      rmSync(scratchDir, { recursive: true, force: true });
      await Promise.all(blocks.map((b) => b.close()));
      throw new Error(`open db ${dir} read-only`, { cause });
    }
  }

  /**
   * Queriers over [mint, maxt] (inclusive) for the blocks that overlap it and the head when
   * it holds samples at or before maxt, as Prometheus' DB querier picks them. Close each.
   */
  queriers(mint: number, maxt: number): Querier[] {
    const qs: Querier[] = [];
    for (const b of this.blocks) if (b.minTime <= maxt && b.maxTime > mint) qs.push(b.querier(mint, maxt));
    if (this.head.numSeries > 0 && maxt >= this.head.minTime) qs.push(new HeadQuerier(this.head, mint, maxt));
    return qs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.head.close();
    rmSync(this.scratchDir, { recursive: true, force: true });
    await Promise.all(this.blocks.map((b) => b.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function openReadOnlyDB(dir: string, opts: ReadOnlyDBOptions = {}): Promise<ReadOnlyDB> {
  return ReadOnlyDB.open(dir, opts);
}
