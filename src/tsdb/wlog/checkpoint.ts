// Checkpoints: when the head drops old data, the WAL segments up to some index are
// condensed into checkpoint.NNNNNNNN (itself a WAL directory) that holds the series
// still alive (under their current refs), their samples at or after mint and their
// tombstones, with every WAL ref translated to the series' current ref. Written to
// a .tmp directory, fsynced and renamed, then older checkpoints and segments go.
import { existsSync, fsyncSync, openSync, closeSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../log/logger.js";
import {
  RecordEncoder,
  RecordType,
  decodeSamples,
  decodeTombstones,
  newRefSamples,
  recordType,
  type RefSeries,
  type RefTombstone,
} from "../record/record.js";
import { readSegments } from "./reader.js";
import { WL, listSegments } from "./wlog.js";

const CHECKPOINT_PREFIX = "checkpoint.";

export interface CheckpointRef {
  readonly dir: string;
  /** The last WAL segment the checkpoint covers. */
  readonly index: number;
}

/** The newest complete checkpoint in walDir, if any. */
export function lastCheckpoint(walDir: string): CheckpointRef | undefined {
  let best: CheckpointRef | undefined;
  let names: string[];
  try {
    names = readdirSync(walDir);
  } catch {
    return undefined;
  }
  for (const n of names) {
    const m = /^checkpoint\.(\d+)$/.exec(n);
    if (!m) continue;
    const index = Number(m[1]);
    if (!best || index > best.index) best = { dir: join(walDir, n), index };
  }
  return best;
}

export interface CheckpointOptions {
  readonly walDir: string;
  /** Segments [first, to] (plus the previous checkpoint) are condensed. */
  readonly to: number;
  /** The series that are alive, written first under their current refs. */
  readonly series: readonly RefSeries[];
  /** The current ref of a WAL ref, or 0 when its series is gone (its records are dropped). */
  readonly mapRef: (ref: number) => number;
  /** Samples older than this are dropped. */
  readonly mint: number;
  readonly compress: boolean;
  readonly logger: Logger;
}

export interface CheckpointStats {
  readonly dir: string;
  readonly seriesKept: number;
  readonly samplesKept: number;
  readonly samplesDropped: number;
}

/** Records handled between yields to the event loop, so a big checkpoint does not stall scrapes. */
const RECORDS_PER_YIELD = 256;

export async function createCheckpoint(opts: CheckpointOptions): Promise<CheckpointStats> {
  const prev = lastCheckpoint(opts.walDir);
  const name = `${CHECKPOINT_PREFIX}${String(opts.to).padStart(8, "0")}`;
  const finalDir = join(opts.walDir, name);
  const tmpDir = finalDir + ".tmp";
  rmSync(tmpDir, { recursive: true, force: true });
  const out = new WL({ dir: tmpDir, compress: opts.compress, logger: opts.logger });
  const enc = new RecordEncoder();
  const samples = newRefSamples();
  let seriesKept = 0;
  let samplesKept = 0;
  let samplesDropped = 0;
  const keptRefs = new Float64Array(8192);
  const keptTs = new Float64Array(8192);
  const keptVs = new Float64Array(8192);

  const sources: Iterable<{ data: Uint8Array }>[] = [];
  if (prev) sources.push(readSegments(prev.dir));
  const first = listSegments(opts.walDir)[0] ?? 0;
  sources.push(readSegments(opts.walDir, Math.max(first, prev ? prev.index + 1 : 0), opts.to));
  let handled = 0;
  try {
    for (let i = 0; i < opts.series.length; i += 1000) out.log(enc.series(opts.series.slice(i, i + 1000)));
    seriesKept = opts.series.length;
    for (const src of sources) {
      for (const { data } of src) {
        if (++handled % RECORDS_PER_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
        switch (recordType(data)) {
          case RecordType.Series:
            break; // the live series were written up front, under their current refs
          case RecordType.Samples: {
            decodeSamples(data, samples);
            let n = 0;
            const flush = (): void => {
              if (n > 0) out.log(enc.samples(keptRefs, keptTs, keptVs, n));
              n = 0;
            };
            for (let i = 0; i < samples.n; i++) {
              const ref = samples.ts[i] < opts.mint ? 0 : opts.mapRef(samples.refs[i]);
              if (ref === 0) {
                samplesDropped++;
                continue;
              }
              keptRefs[n] = ref;
              keptTs[n] = samples.ts[i];
              keptVs[n] = samples.vs[i];
              n++;
              samplesKept++;
              if (n === keptRefs.length) flush();
            }
            flush();
            break;
          }
          case RecordType.Tombstones: {
            const kept: RefTombstone[] = [];
            for (const t of decodeTombstones(data)) {
              const ref = t.maxt >= opts.mint ? opts.mapRef(t.ref) : 0;
              if (ref !== 0) kept.push({ ref, mint: t.mint, maxt: t.maxt });
            }
            if (kept.length) out.log(enc.tombstones(kept));
            break;
          }
          default:
            break; // exemplars, metadata, histograms: not kept by this implementation
        }
      }
    }
    out.close();
  } catch (cause) {
    out.close();
    rmSync(tmpDir, { recursive: true, force: true });
    throw new Error(`create checkpoint ${name}`, { cause });
  }
  fsyncDir(tmpDir);
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(tmpDir, finalDir);
  fsyncDir(opts.walDir);
  // Older checkpoints are now redundant.
  for (const n of readdirSync(opts.walDir)) {
    const m = /^checkpoint\.(\d+)(\.tmp)?$/.exec(n);
    if (m && (Number(m[1]) < opts.to || (m[2] && n !== name))) rmSync(join(opts.walDir, n), { recursive: true, force: true });
  }
  return { dir: finalDir, seriesKept, samplesKept, samplesDropped };
}

export function fsyncDir(dir: string): void {
  if (!existsSync(dir)) return;
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
