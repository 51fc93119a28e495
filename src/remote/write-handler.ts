// The receiving side of remote write (/api/v1/write): snappy-compressed prometheus.WriteRequest
// (1.0) or io.prometheus.write.v2.Request (2.0), told apart by Content-Type's proto parameter
// as the 2.0 spec says (none means 1.0); an unknown message type or encoding is a 415. Like
// Prometheus, a request that cannot be decoded or that storage rejects as out of order /
// duplicate / out of bounds gets 400 (so the sender does not retry it) and other append
// failures 500. Unlike Prometheus 2.42 the whole request is validated before anything is
// appended, so a bad request stores nothing; and labels must be sorted and unique as the
// protocol requires. 2.0 answers carry the X-Prometheus-Remote-Write-*-Written counts;
// native histograms are refused (400 after the float samples are written: a partial
// write) since promwasm has none, and exemplars are counted but not stored (0 written), as
// Prometheus does without exemplar storage.
import { errorText } from "../log/logger.js";
import { labelsToString, type Label, type Labels } from "../model/labels.js";
import type { Appendable, SeriesRef } from "../storage/interface.js";
import { DuplicateSampleError, OutOfBoundsError, OutOfOrderSampleError, TooOldSampleError, findCause } from "../storage/errors.js";
import { decodeWriteRequest } from "./codec.js";
import { decodeWriteRequestV2, V1_MESSAGE, V2_MESSAGE, type ProtobufMessage, type SeriesMetadata } from "./codec-v2.js";
import { BadRequestError } from "./errors.js";
import { decodeSnappy } from "./snappy.js";

export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RemoteHandlerResult {
  readonly status: number;
  /** Plain-text body for errors; "" on success. */
  readonly message: string;
}

export interface WriteHandlerResult extends RemoteHandlerResult {
  readonly samplesAppended: number;
  /** Response headers: the X-Prometheus-Remote-Write-*-Written counts of 2.0 requests. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface WriteHandlerOptions {
  /** Largest decompressed body accepted. */
  readonly maxDecodedBytes?: number;
  /** Messages accepted (--web.remote-write-receiver.accepted-protobuf-messages); both by default. */
  readonly acceptedMessages?: readonly ProtobufMessage[];
  /** Gets the metadata 2.0 series carry, once their samples are committed. */
  readonly onMetadata?: (labels: Labels, metadata: SeriesMetadata) => void;
}

/** One series to append: its labels and its samples ts/vs[start, end). */
interface IncomingSeries {
  readonly labels: Label[];
  readonly start: number;
  readonly end: number;
}

const DEFAULT_MAX_DECODED_BYTES = 64 << 20;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const WRITTEN = {
  samples: "X-Prometheus-Remote-Write-Samples-Written",
  histograms: "X-Prometheus-Remote-Write-Histograms-Written",
  exemplars: "X-Prometheus-Remote-Write-Exemplars-Written",
};

export function headerValue(headers: RequestHeaders, name: string): string {
  const v = headers[name] ?? headers[name.toLowerCase()];
  if (v === undefined) return "";
  return typeof v === "string" ? v : v.join(",");
}

/** The protobuf message a request's Content-Type names, or a 415 message. */
function negotiate(contentType: string, accepted: readonly ProtobufMessage[]): ProtobufMessage | string {
  if (contentType.trim() === "") return V1_MESSAGE;
  const [media, ...params] = contentType.split(";").map((p) => p.trim());
  if (media.toLowerCase() !== "application/x-protobuf") return `unsupported Content-Type ${JSON.stringify(contentType)}, remote write requires application/x-protobuf`;
  let proto = "";
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === "proto") proto = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
  }
  const msg = proto === "" ? V1_MESSAGE : proto;
  if (msg !== V1_MESSAGE && msg !== V2_MESSAGE) return `unknown remote write protobuf message ${JSON.stringify(proto)}, supported: ${accepted.join(", ")}`;
  if (!accepted.includes(msg)) return `remote write protobuf message ${msg} is not accepted here, accepted: ${accepted.join(", ")}`;
  return msg;
}

/** Handles one remote write request body; never throws. */
export async function handleRemoteWrite(body: Uint8Array, headers: RequestHeaders, appendable: Appendable, opts: WriteHandlerOptions = {}): Promise<WriteHandlerResult> {
  const msg = negotiate(headerValue(headers, "content-type"), opts.acceptedMessages ?? [V1_MESSAGE, V2_MESSAGE]);
  if (msg !== V1_MESSAGE && msg !== V2_MESSAGE) return { status: 415, message: msg, samplesAppended: 0, headers: {} };
  const v2 = msg === V2_MESSAGE;
  const encoding = headerValue(headers, "content-encoding").trim().toLowerCase();
  if (encoding !== "" && encoding !== "snappy") {
    return { status: 415, message: `unsupported Content-Encoding ${JSON.stringify(encoding)}, remote write requires snappy`, samplesAppended: 0, headers: {} };
  }
  const written = (samples: number, histograms = 0, exemplars = 0): Record<string, string> =>
    v2 ? { [WRITTEN.samples]: String(samples), [WRITTEN.histograms]: String(histograms), [WRITTEN.exemplars]: String(exemplars) } : {};
  const fail = (status: number, message: string, appended = 0): WriteHandlerResult => ({ status, message, samplesAppended: appended, headers: written(appended) });

  let series: IncomingSeries[];
  let labels: Labels[];
  let ts: Float64Array;
  let vs: Float64Array;
  let histograms = 0;
  let exemplars = 0;
  const metadata: [number, SeriesMetadata][] = [];
  try {
    const raw = decodeSnappy(body, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
    try {
      if (v2) {
        const req = decodeWriteRequestV2(raw);
        ({ series, ts, vs } = req);
        req.series.forEach((s, i) => {
          histograms += s.histograms;
          exemplars += s.exemplars;
          if (s.metadata) metadata.push([i, s.metadata]);
        });
      } else {
        ({ series, ts, vs } = decodeWriteRequest(raw));
      }
    } catch (cause) {
      if (cause instanceof BadRequestError) throw cause;
      throw new BadRequestError(`decode protobuf ${v2 ? V2_MESSAGE : "WriteRequest"}: ${(cause as Error).message}`, { cause });
    }
    labels = series.map((s) => validateLabels(s.labels));
  } catch (err) {
    return fail(400, (err as Error).message);
  }

  const app = appendable.appender();
  let appended = 0;
  try {
    for (let i = 0; i < series.length; i++) {
      const s = series[i];
      let ref: SeriesRef = 0;
      for (let j = s.start; j < s.end; j++) {
        try {
          ref = app.append(ref, labels[i], ts[j], vs[j]);
        } catch (cause) {
          throw new Error(`${(cause as Error).message} for series ${labelsToString(labels[i])} at timestamp ${ts[j]}`, { cause });
        }
        appended++;
      }
    }
  } catch (err) {
    await app.rollback().catch(() => undefined);
    const rejected = [OutOfOrderSampleError, DuplicateSampleError, OutOfBoundsError, TooOldSampleError].some((c) => findCause(err, c) !== undefined);
    return fail(rejected ? 400 : 500, (err as Error).message);
  }
  try {
    await app.commit();
  } catch (err) {
    return fail(500, `commit remote write: ${errorText(err)}`);
  }
  if (opts.onMetadata) for (const [i, md] of metadata) opts.onMetadata(labels[i], md);
  if (histograms > 0) {
    return { status: 400, message: `${histograms} native histogram samples rejected: promwasm does not support native histograms yet`, samplesAppended: appended, headers: written(appended) };
  }
  return { status: 204, message: "", samplesAppended: appended, headers: written(appended, 0, 0) };
}

/** Checks names (present, valid, sorted, unique) and drops empty values, which mean "absent". */
function validateLabels(labels: Label[]): Labels {
  let dropEmpty = false;
  for (let i = 0; i < labels.length; i++) {
    const name = labels[i].name;
    if (name === "") throw new BadRequestError(`empty label name in series ${describe(labels)}`);
    if (!LABEL_NAME.test(name)) throw new BadRequestError(`invalid label name ${JSON.stringify(name)} in series ${describe(labels)}`);
    if (i > 0) {
      const prev = labels[i - 1].name;
      if (prev === name) throw new BadRequestError(`duplicate label name ${JSON.stringify(name)} in series ${describe(labels)}`);
      if (prev > name) throw new BadRequestError(`labels are not sorted by name (${JSON.stringify(prev)} before ${JSON.stringify(name)}) in series ${describe(labels)}`);
    }
    if (labels[i].value === "") dropEmpty = true;
  }
  const out = dropEmpty ? labels.filter((l) => l.value !== "") : labels;
  if (out.length === 0) throw new BadRequestError("series with an empty label set");
  return out;
}

function describe(labels: readonly Label[]): string {
  return "{" + labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ") + "}";
}
