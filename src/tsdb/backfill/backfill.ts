// Creates blocks from an OpenMetrics file the way `promtool tsdb create-blocks-from
// openmetrics` does: blocks cover aligned 2h windows starting at the first sample's
// window (Go integer division), each block's range is its first sample to its last
// + 1 ms, and within a window a sample not newer than its series' previous one
// (out of order or duplicate) is dropped. The input is read once, not once per window.
import { labelsKey, labelsToString, type Labels } from "../../model/labels.js";
import type { BlockMeta } from "../block-meta.js";
import { writeBlock } from "../block-writer.js";
import { openBlock } from "../block.js";
import { OpenMetricsParseError, readOpenMetricsFile } from "./openmetrics-lines.js";

export const DEFAULT_BLOCK_DURATION_MS = 2 * 60 * 60 * 1000;

export interface BackfillOptions {
  inputPath: string;
  outputDir: string;
  blockDurationMs?: number;
  /** Called after each block is written, in time order. */
  onBlock?: (meta: BlockMeta, sizeBytes: number) => void;
  /** Called every progressEvery samples read. */
  onProgress?: (samplesRead: number) => void;
  progressEvery?: number;
}

interface SeriesAcc {
  readonly labels: Labels;
  readonly ts: number[];
  readonly vs: number[];
}

export interface BackfillResult {
  blocks: BlockMeta[];
  samplesRead: number;
  /** Samples dropped as out of order or duplicate within their window. */
  samplesDropped: number;
}

export async function backfillOpenMetrics(opts: BackfillOptions): Promise<BackfillResult> {
  const dur = opts.blockDurationMs ?? DEFAULT_BLOCK_DURATION_MS;
  const every = opts.progressEvery ?? 1_000_000;
  const windows = new Map<number, Map<string, SeriesAcc>>();
  let mint = Infinity;
  let read = 0;
  let dropped = 0;
  for await (const s of readOpenMetricsFile(opts.inputPath)) {
    if (s.t === undefined) throw new OpenMetricsParseError(s.line, `expected timestamp for series ${labelsToString(s.labels)}, got none`);
    read++;
    if (opts.onProgress && read % every === 0) opts.onProgress(read);
    if (s.t < mint) mint = s.t;
    const w = Math.floor(s.t / dur) * dur;
    let bySeries = windows.get(w);
    if (!bySeries) windows.set(w, (bySeries = new Map()));
    const key = labelsKey(s.labels);
    let acc = bySeries.get(key);
    if (!acc) bySeries.set(key, (acc = { labels: s.labels, ts: [], vs: [] }));
    if (acc.ts.length > 0 && s.t <= acc.ts[acc.ts.length - 1]) {
      dropped++;
      continue;
    }
    acc.ts.push(s.t);
    acc.vs.push(s.value);
  }
  // promtool starts at mint truncated toward zero; for negative input that skips the first samples.
  const first = Math.trunc(mint / dur) * dur;
  const blocks: BlockMeta[] = [];
  for (const w of [...windows.keys()].sort((a, b) => a - b)) {
    if (w < first) continue;
    const series = [...windows.get(w)!.values()].map((a) => ({
      labels: a.labels,
      samples: { ts: Float64Array.from(a.ts), vs: Float64Array.from(a.vs) },
    }));
    windows.delete(w);
    let id: string;
    try {
      id = await writeBlock(opts.outputDir, series);
    } catch (cause) {
      throw new Error(`backfill: write block for window starting at ${w}`, { cause });
    }
    const b = await openBlock(`${opts.outputDir}/${id}`);
    blocks.push(b.meta);
    opts.onBlock?.(b.meta, b.size());
    await b.close();
  }
  return { blocks, samplesRead: read, samplesDropped: dropped };
}
