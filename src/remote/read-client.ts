// A remote_read endpoint as a Queryable. As in Prometheus: with read_recent false only
// the range before local storage's start time is asked for; queries lacking a
// required_matchers equality matcher are not sent; external labels become equality
// matchers (unless the query already constrains that label, or filter_external_labels is
// false) and are removed again from the returned series.
import { compareLabels, labelsFromList, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Querier, Queryable, SelectHints, Series } from "../storage/interface.js";
import { crc32c } from "@node-rs/crc32";
import { decodeXorMany } from "../wasm/index.js";
import {
  decodeChunkedReadResponse,
  decodeReadResponse,
  encodeReadRequest,
  RESPONSE_SAMPLES,
  RESPONSE_STREAMED_XOR_CHUNKS,
  type MatcherTypeCode,
  type ProtoMatcher,
  type ResultSeries,
} from "./codec.js";
import { ProtoReader } from "./proto-wire.js";
import { RemoteError } from "./errors.js";
import type { RemoteHttpClient } from "./http-client.js";
import { decodeSnappy, encodeSnappy } from "./snappy.js";

export interface RemoteReadClientOptions {
  readonly name: string;
  readonly client: Pick<RemoteHttpClient, "post" | "close" | "url">;
  readonly externalLabels: Labels;
  readonly requiredMatchers: Readonly<Record<string, string>>;
  readonly readRecent: boolean;
  readonly filterExternalLabels: boolean;
  /**
   * The time before which local storage may lack data (used when readRecent is false).
   * Prometheus passes the first block's min time (or now when there are no blocks) plus
   * twice the min block duration. undefined: no local data, so query everything.
   */
  readonly localStartTime?: () => number | undefined;
  /** Largest decompressed response accepted. */
  readonly maxResponseBytes?: number;
  /** Ask for STREAMED_XOR_CHUNKS first (falling back to SAMPLES); default true. */
  readonly streamed?: boolean;
}

const MATCH_CODES: Record<Matcher["type"], MatcherTypeCode> = { "=": 0, "!=": 1, "=~": 2, "!~": 3 };
const HEADERS = {
  "Content-Encoding": "snappy",
  "Accept-Encoding": "snappy",
  "Content-Type": "application/x-protobuf",
  "X-Prometheus-Remote-Read-Version": "0.1.0",
};

export class RemoteReadClient implements Queryable {
  readonly name: string;
  private readonly opts: RemoteReadClientOptions;

  constructor(opts: RemoteReadClientOptions) {
    this.name = opts.name;
    this.opts = opts;
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    if (!this.opts.readRecent) {
      const local = this.opts.localStartTime?.();
      if (local !== undefined) {
        if (mint > local) return new EmptyQuerier();
        if (maxt > local) maxt = local;
      }
    }
    return new RemoteReadQuerier(this.opts, mint, maxt);
  }

  close(): void {
    this.opts.client.close();
  }
}

class EmptyQuerier implements Querier {
  async select(): Promise<Series[]> {
    return [];
  }
  async labelNames(): Promise<string[]> {
    return [];
  }
  async labelValues(): Promise<string[]> {
    return [];
  }
  close(): void {}
}

class RemoteReadQuerier implements Querier {
  constructor(
    private readonly opts: RemoteReadClientOptions,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  async select(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]> {
    for (const [name, value] of Object.entries(this.opts.requiredMatchers)) {
      if (!matchers.some((m) => m.type === "=" && m.name === name && m.value === value)) return [];
    }
    const pms: ProtoMatcher[] = matchers.map((m) => ({ type: MATCH_CODES[m.type], name: m.name, value: m.value }));
    const added = new Set<string>();
    if (this.opts.filterExternalLabels) {
      for (const l of this.opts.externalLabels) {
        if (matchers.some((m) => m.name === l.name)) continue;
        pms.push({ type: 0, name: l.name, value: l.value });
        added.add(l.name);
      }
    }
    const req = encodeReadRequest({
      queries: [
        {
          startMs: this.mint,
          endMs: this.maxt,
          matchers: pms,
          hints: hints ? { stepMs: 0, func: hints.func ?? "", startMs: hints.start, endMs: hints.end, grouping: [], by: false, rangeMs: 0 } : undefined,
        },
      ],
      acceptedResponseTypes: this.opts.streamed === false ? [RESPONSE_SAMPLES] : [RESPONSE_STREAMED_XOR_CHUNKS, RESPONSE_SAMPLES],
    });
    const url = this.opts.client.url.href;
    let res;
    try {
      res = await this.opts.client.post(encodeSnappy(req), HEADERS);
    } catch (cause) {
      throw new RemoteError(`remote read ${url}`, { cause });
    }
    if (res.status < 200 || res.status >= 300) {
      const text = res.body.subarray(0, 1024).toString("utf8").trim();
      throw new RemoteError(`remote server ${url} returned HTTP status ${res.status}: ${text}`);
    }
    const contentType = String(res.headers["content-type"] ?? "");
    let results: ResultSeries[][];
    try {
      if (contentType.startsWith("application/x-streamed-protobuf")) results = [decodeFrames(res.body)];
      else results = decodeReadResponse(decodeSnappy(res.body, this.opts.maxResponseBytes ?? 1 << 30));
    } catch (cause) {
      throw new RemoteError(`remote read ${url}: decode response`, { cause });
    }
    if (results.length !== 1) throw new RemoteError(`remote read ${url}: responses: want 1, got ${results.length}`);
    // The request covers the querier's range (as Prometheus sends it); the series keep only the select's window.
    const from = Math.max(this.mint, hints?.start ?? -Infinity);
    const to = Math.min(this.maxt, hints?.end ?? Infinity);
    const out: Series[] = [];
    for (const r of results[0]) {
      const labels = labelsFromList(added.size > 0 ? r.labels.filter((l) => !added.has(l.name)) : r.labels);
      out.push(new RemoteSeries(labels, clip(r.samples, from, to)));
    }
    if (sorted) out.sort((a, b) => compareLabels(a.labels, b.labels));
    return out;
  }

  // Prometheus 2.42's remote read has no label APIs; label lookups see local data only.
  async labelNames(): Promise<string[]> {
    return [];
  }

  async labelValues(): Promise<string[]> {
    return [];
  }

  close(): void {}
}

class RemoteSeries implements Series {
  constructor(
    readonly labels: Labels,
    private readonly batch: SampleBatch,
  ) {}
  samples(): SampleBatch {
    return this.batch;
  }
}

function clip(b: SampleBatch, mint: number, maxt: number): SampleBatch {
  let lo = 0;
  let hi = b.ts.length;
  while (lo < hi && b.ts[lo] < mint) lo++;
  while (hi > lo && b.ts[hi - 1] > maxt) hi--;
  return lo === 0 && hi === b.ts.length ? b : { ts: b.ts.subarray(lo, hi), vs: b.vs.subarray(lo, hi) };
}

/** Streamed frames (uvarint size, big-endian CRC32C, ChunkedReadResponse) of one query. */
function decodeFrames(body: Buffer): ResultSeries[] {
  const out: ResultSeries[] = [];
  let pendingLabels: Labels | undefined;
  let pendingKey = "";
  let pendingChunks: Uint8Array[] = [];
  const flush = () => {
    if (pendingLabels) out.push({ labels: pendingLabels, samples: decodeXorMany(pendingChunks) });
    pendingLabels = undefined;
    pendingChunks = [];
  };
  const r = new ProtoReader(body);
  while (!r.done()) {
    const size = r.uint32();
    if (r.pos + 4 + size > body.length) throw new RemoteError("streamed frame truncated");
    const want = body.readUInt32BE(r.pos);
    const msg = body.subarray(r.pos + 4, r.pos + 4 + size);
    r.pos += 4 + size;
    if (crc32c(msg) !== want) throw new RemoteError("streamed frame checksum mismatch");
    for (const s of decodeChunkedReadResponse(msg).series) {
      // A series may continue in the next frame; a new label set starts a new series.
      const key = JSON.stringify(s.labels);
      if (key !== pendingKey) {
        flush();
        pendingLabels = s.labels;
        pendingKey = key;
      }
      for (const c of s.chunks) {
        if (c.type !== 1) throw new RemoteError(`unsupported chunk encoding ${c.type} in streamed response`);
        pendingChunks.push(c.data);
      }
    }
  }
  flush();
  return out;
}
