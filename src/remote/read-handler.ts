// The serving side of remote read (/api/v1/read): a snappy-compressed ReadRequest in,
// either one snappy-compressed ReadResponse (SAMPLES) or length-prefixed, CRC32C-checked
// ChunkedReadResponse frames of XOR chunks (STREAMED_XOR_CHUNKS), whichever the client
// lists first. External labels behave as in Prometheus: equality matchers on them are
// satisfied by definition and removed, and they are added to every returned series.
import { crc32c } from "@node-rs/crc32";
import type { Label, Labels } from "../model/labels.js";
import { Matcher, type MatchType } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Queryable, Series } from "../storage/interface.js";
import { encodeXor } from "../wasm/index.js";
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
    const frames = await streamQueries(req.queries, queryable, externalLabels, opts.maxBytesInFrame ?? 1048576);
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

/** All frames of the streamed response, each `uvarint size | crc32c (BE) | ChunkedReadResponse`. */
async function streamQueries(queries: readonly ReadQuery[], queryable: Queryable, externalLabels: Labels, maxBytesInFrame: number): Promise<Uint8Array> {
  const out = new ProtoWriter(64 * 1024);
  for (let qi = 0; qi < queries.length; qi++) {
    const q = queries[qi];
    for (const s of await selectQuery(q, queryable, externalLabels)) {
      const samples = inRange(s.samples(), q.startMs, q.endMs);
      if (samples.ts.length === 0) continue;
      const labels: Label[] = [...addExternalLabels(s.labels, externalLabels)];
      let chunks: EncodedChunk[] = [];
      let frameBytes = 0;
      for (let i = 0; i < samples.ts.length; i += SAMPLES_PER_CHUNK) {
        const end = Math.min(samples.ts.length, i + SAMPLES_PER_CHUNK);
        const data = encodeXor(samples.ts, samples.vs, i, end);
        chunks.push({ minTimeMs: samples.ts[i], maxTimeMs: samples.ts[end - 1], type: 1, data });
        frameBytes += data.length + 32;
        // A series may span frames; a new series always starts a new frame.
        if (frameBytes >= maxBytesInFrame) {
          writeFrame(out, encodeChunkedReadResponse(labels, chunks, qi));
          chunks = [];
          frameBytes = 0;
        }
      }
      if (chunks.length > 0) writeFrame(out, encodeChunkedReadResponse(labels, chunks, qi));
    }
  }
  return out.finish();
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
