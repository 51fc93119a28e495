// The serving side of remote read (/api/v1/read): a snappy-compressed ReadRequest in,
// either one snappy-compressed ReadResponse (SAMPLES) or length-prefixed, CRC32C-checked
// ChunkedReadResponse frames of XOR chunks (STREAMED_XOR_CHUNKS), whichever the client
// lists first. Streamed reads hand out the stored chunks as they are when the storage can
// give raw chunks; only chunks cut by the range, holding deleted samples or overlapping
// another are decoded and encoded again. External labels behave as in Prometheus: equality matchers on them are
// satisfied by definition and removed, and they are added to every returned series.
import { crc32c } from "@node-rs/crc32";
import type { Label, Labels } from "../model/labels.js";
import { Matcher, type MatchType } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { ChunkQueryable, Queryable, RawChunk, Series } from "../storage/interface.js";
import { mergeBatches } from "../storage/merge.js";
import { decodeXorRange, encodeXorMany } from "../wasm/index.js";
import {
  decodeReadRequest,
  encodeChunkedReadResponse,
  encodeReadResponse,
  RESPONSE_SAMPLES,
  RESPONSE_STREAMED_XOR_CHUNKS,
  type EncodedChunk,
  type ProtoMatcher,
  type ReadQuery,
  type ReadRequest,
  type ResultSeries,
} from "./codec.js";
import { BadRequestError } from "./errors.js";
import { ProtoWriter } from "./proto-wire.js";
import { decodeSnappy, encodeSnappy } from "./snappy.js";
import { addExternalLabels } from "./write-series.js";
import { headerValue, type RemoteHandlerResult, type RequestHeaders } from "./write-handler.js";

export interface ReadHandlerOptions {
  /** --storage.remote.read-sample-limit; 0 means no limit. */
  readonly sampleLimit?: number;
  /** --storage.remote.read-max-bytes-in-frame. */
  readonly maxBytesInFrame?: number;
  readonly maxDecodedBytes?: number;
  /** The stored chunks of the same data, for streamed reads; without it they are encoded from samples. */
  readonly chunks?: ChunkQueryable;
}

export interface ReadHandlerResult extends RemoteHandlerResult {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export const STREAMED_CONTENT_TYPE = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";
const MATCH_TYPES: readonly MatchType[] = ["=", "!=", "=~", "!~"];
const SAMPLES_PER_CHUNK = 120;

function fail(status: number, message: string): ReadHandlerResult {
  return { status, message, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: Buffer.from(message + "\n") };
}

/** Handles one remote read request; never throws. */
export async function handleRemoteRead(body: Uint8Array, headers: RequestHeaders, queryable: Queryable, externalLabels: Labels, opts: ReadHandlerOptions = {}): Promise<ReadHandlerResult> {
  let req: ReadRequest;
  try {
    const encoding = headerValue(headers, "content-encoding").trim().toLowerCase();
    if (encoding !== "" && encoding !== "snappy") throw new BadRequestError(`unsupported Content-Encoding ${JSON.stringify(encoding)}, remote read requires snappy`);
    const raw = decodeSnappy(body, opts.maxDecodedBytes ?? 32 << 20);
    try {
      req = decodeReadRequest(raw);
    } catch (cause) {
      throw new BadRequestError(`decode protobuf ReadRequest: ${(cause as Error).message}`, { cause });
    }
  } catch (err) {
    return fail(400, (err as Error).message);
  }
  const responseType = negotiate(req.acceptedResponseTypes);
  if (responseType === undefined) {
    return fail(400, `server does not support any of the requested response types: [${req.acceptedResponseTypes.join(" ")}]; supported: [SAMPLES STREAMED_XOR_CHUNKS]`);
  }
  try {
    if (responseType === RESPONSE_SAMPLES) {
      const results = await runQueries(req.queries, queryable, externalLabels, opts.sampleLimit ?? 5e7);
      return {
        status: 200,
        message: "",
        headers: { "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy" },
        body: encodeSnappy(encodeReadResponse(results)),
      };
    }
    const frames = await streamQueries(req.queries, queryable, externalLabels, opts.maxBytesInFrame ?? 1048576, opts.chunks);
    return { status: 200, message: "", headers: { "Content-Type": STREAMED_CONTENT_TYPE }, body: frames };
  } catch (err) {
    return fail(err instanceof BadRequestError ? 400 : 500, (err as Error).message);
  }
}

function negotiate(accepted: readonly number[]): number | undefined {
  if (accepted.length === 0) return RESPONSE_SAMPLES;
  return accepted.find((t) => t === RESPONSE_SAMPLES || t === RESPONSE_STREAMED_XOR_CHUNKS);
}

/** Proto matchers to Matchers, minus equality matchers that an external label already satisfies. */
export function toMatchers(pms: readonly ProtoMatcher[], externalLabels: Labels): Matcher[] {
  const out: Matcher[] = [];
  for (const pm of pms) {
    const ext = externalLabels.find((l) => l.name === pm.name);
    if (ext && pm.type === 0 && ext.value === pm.value) continue;
    try {
      out.push(new Matcher(MATCH_TYPES[pm.type], pm.name, pm.value));
    } catch (cause) {
      throw new BadRequestError((cause as Error).message, { cause });
    }
  }
  return out;
}

async function selectQuery(q: ReadQuery, queryable: Queryable, externalLabels: Labels): Promise<Series[]> {
  const matchers = toMatchers(q.matchers, externalLabels);
  const querier = await queryable.querier(q.startMs, q.endMs);
  try {
    const hints = { start: q.hints?.startMs ?? q.startMs, end: q.hints?.endMs ?? q.endMs, func: q.hints?.func || undefined };
    return await querier.select(true, hints, matchers);
  } finally {
    querier.close();
  }
}

async function runQueries(queries: readonly ReadQuery[], queryable: Queryable, externalLabels: Labels, sampleLimit: number): Promise<ResultSeries[][]> {
  const results: ResultSeries[][] = [];
  let total = 0;
  for (const q of queries) {
    const list: ResultSeries[] = [];
    for (const s of await selectQuery(q, queryable, externalLabels)) {
      const samples = inRange(s.samples(), q.startMs, q.endMs);
      if (samples.ts.length === 0) continue;
      total += samples.ts.length;
      if (sampleLimit > 0 && total > sampleLimit) throw new BadRequestError(`exceeded sample limit (${sampleLimit})`);
      list.push({ labels: addExternalLabels(s.labels, externalLabels), samples });
    }
    results.push(list);
  }
  return results;
}

function inRange(b: SampleBatch, mint: number, maxt: number): SampleBatch {
  const n = b.ts.length;
  if (n === 0 || (b.ts[0] >= mint && b.ts[n - 1] <= maxt)) return b;
  let lo = 0;
  while (lo < n && b.ts[lo] < mint) lo++;
  let hi = n;
  while (hi > lo && b.ts[hi - 1] > maxt) hi--;
  return { ts: b.ts.subarray(lo, hi), vs: b.vs.subarray(lo, hi) };
}

interface ChunkedSeries {
  readonly labels: Label[];
  readonly chunks: EncodedChunk[];
}

/** All frames of the streamed response, each `uvarint size | crc32c (BE) | ChunkedReadResponse`. */
async function streamQueries(queries: readonly ReadQuery[], queryable: Queryable, externalLabels: Labels, maxBytesInFrame: number, stored: ChunkQueryable | undefined): Promise<Uint8Array> {
  const out = new ProtoWriter(64 * 1024);
  for (let qi = 0; qi < queries.length; qi++) {
    const q = queries[qi];
    const series = stored ? await storedChunks(q, stored, externalLabels) : await encodedChunks(q, queryable, externalLabels);
    for (const s of series) {
      let from = 0;
      let frameBytes = 0;
      for (let i = 0; i < s.chunks.length; i++) {
        frameBytes += s.chunks[i].data.length + 32;
        // A series may span frames; a new series always starts a new frame.
        if (frameBytes >= maxBytesInFrame) {
          writeFrame(out, encodeChunkedReadResponse(s.labels, s.chunks.slice(from, i + 1), qi));
          from = i + 1;
          frameBytes = 0;
        }
      }
      if (from < s.chunks.length) writeFrame(out, encodeChunkedReadResponse(s.labels, s.chunks.slice(from), qi));
    }
  }
  return out.finish();
}

/** Series as chunks of at most SAMPLES_PER_CHUNK samples, encoded from what a querier selects. */
async function encodedChunks(q: ReadQuery, queryable: Queryable, externalLabels: Labels): Promise<ChunkedSeries[]> {
  const out: ChunkedSeries[] = [];
  for (const s of await selectQuery(q, queryable, externalLabels)) {
    const chunks = encodeSamples(inRange(s.samples(), q.startMs, q.endMs));
    if (chunks.length > 0) out.push({ labels: [...addExternalLabels(s.labels, externalLabels)], chunks });
  }
  return out;
}

/** Series as their stored chunks, re-encoded only where the range, tombstones or overlaps require it. */
async function storedChunks(q: ReadQuery, stored: ChunkQueryable, externalLabels: Labels): Promise<ChunkedSeries[]> {
  const out: ChunkedSeries[] = [];
  const mint = q.startMs;
  const maxt = q.endMs;
  for (const s of await stored.seriesChunks(toMatchers(q.matchers, externalLabels), mint, maxt)) {
    let overlapping = false;
    for (let i = 1; i < s.chunks.length && !overlapping; i++) overlapping = s.chunks[i].mint <= s.chunks[i - 1].maxt;
    let chunks: EncodedChunk[];
    if (overlapping) {
      // Out-of-order or overlapping blocks: merged by time as a querier merges them.
      chunks = encodeSamples(mergeBatches(s.chunks.map((c) => chunkSamples(c, mint, maxt))));
    } else {
      chunks = [];
      for (const c of s.chunks) {
        if (c.mint >= mint && c.maxt <= maxt && c.deleted === undefined) chunks.push({ minTimeMs: c.mint, maxTimeMs: c.maxt, type: 1, data: c.data });
        else chunks.push(...encodeSamples(chunkSamples(c, mint, maxt)));
      }
    }
    if (chunks.length > 0) out.push({ labels: [...addExternalLabels(s.labels, externalLabels)], chunks });
  }
  return out;
}

/** A stored chunk's samples within [mint, maxt], minus those tombstones delete. */
function chunkSamples(c: RawChunk, mint: number, maxt: number): SampleBatch {
  const b = decodeXorRange(c.data, mint, maxt);
  const deleted = c.deleted;
  if (deleted === undefined) return b;
  let n = 0;
  for (let i = 0; i < b.ts.length; i++) {
    const t = b.ts[i];
    if (deleted.some((iv) => iv.mint <= t && t <= iv.maxt)) continue;
    b.ts[n] = t;
    b.vs[n++] = b.vs[i];
  }
  return { ts: b.ts.subarray(0, n), vs: b.vs.subarray(0, n) };
}

function encodeSamples(b: SampleBatch): EncodedChunk[] {
  if (b.ts.length === 0) return [];
  const data = encodeXorMany(b.ts, b.vs, SAMPLES_PER_CHUNK);
  return data.map((d, k) => {
    const first = k * SAMPLES_PER_CHUNK;
    const last = Math.min(b.ts.length, first + SAMPLES_PER_CHUNK) - 1;
    return { minTimeMs: b.ts[first], maxTimeMs: b.ts[last], type: 1, data: d };
  });
}

function writeFrame(out: ProtoWriter, msg: Uint8Array): void {
  out.varint(msg.length);
  out.ensure(4);
  const crc = crc32c(Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength));
  out.buf[out.pos++] = (crc >>> 24) & 0xff;
  out.buf[out.pos++] = (crc >>> 16) & 0xff;
  out.buf[out.pos++] = (crc >>> 8) & 0xff;
  out.buf[out.pos++] = crc & 0xff;
  out.raw(msg);
}
