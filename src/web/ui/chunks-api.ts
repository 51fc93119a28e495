// GET/POST /api/v1/promwasm/chunks: the raw XOR chunks of matching series, base64, for
// clients that decode them themselves (the web UI's raw view uses the browser codec).
// promwasm-specific; Prometheus has no such endpoint.
import type { ChunkQueryable, ChunkSeries } from "../../storage/interface.js";
import { ApiError, badData } from "../api-error.js";
import { labelsJSON } from "../format.js";
import { MAX_TIME, MIN_TIME, matcherSets, Params } from "../params.js";
import { sendDataJSON } from "../respond.js";
import type { Router } from "../router.js";
import type { PromQLParser } from "../sources.js";

export const CHUNKS_PATH = "/promwasm/chunks";

export interface ChunkAPIOptions {
  /** Absent when the server has no local TSDB to read from. */
  readonly chunks: ChunkQueryable | undefined;
  readonly parser: PromQLParser;
}

export function registerChunkAPI(router: Router, opts: ChunkAPIOptions): void {
  router.getPost(CHUNKS_PATH, async (ctx) => {
    const p = await Params.from(ctx);
    if (p.getAll("match[]").length === 0) throw badData("no match[] parameter provided");
    const sets = matcherSets(p, opts.parser);
    const start = p.time("start", MIN_TIME);
    const end = p.time("end", MAX_TIME);
    if (end < start) throw badData(`invalid parameter "end": end timestamp must not be before start time`);
    const limitText = p.get("limit") ?? "";
    const limit = limitText === "" ? 0 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw badData(`invalid parameter "limit": cannot parse "${limitText}" to a non-negative integer`);
    if (!opts.chunks) throw new ApiError("unavailable", "raw chunks are only served from the local TSDB, which this server does not have");

    const seen = new Set<string>();
    const series: ChunkSeries[] = [];
    for (const ms of sets) {
      for (const s of await opts.chunks.seriesChunks(ms, start, end)) {
        const key = labelsJSON(s.labels);
        if (seen.has(key)) continue;
        seen.add(key);
        series.push(s);
      }
    }
    const warnings: string[] = [];
    let shown = series;
    if (limit > 0 && series.length > limit) {
      shown = series.slice(0, limit);
      warnings.push("results truncated due to limit");
    }
    sendDataJSON(ctx, `[${shown.map(seriesJSON).join(",")}]`, warnings);
  });
}

function seriesJSON(s: ChunkSeries): string {
  const chunks = s.chunks.map((c) =>
    JSON.stringify({
      mint: c.mint,
      maxt: c.maxt,
      source: c.source,
      encoding: "XOR",
      // An XOR chunk starts with its sample count, a big-endian uint16.
      samples: c.data.length >= 2 ? (c.data[0] << 8) | c.data[1] : 0,
      data: Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength).toString("base64"),
    }),
  );
  return `{"metric":${labelsJSON(s.labels)},"chunks":[${chunks.join(",")}]}`;
}
