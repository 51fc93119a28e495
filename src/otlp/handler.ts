// POST /api/v1/otlp/v1/metrics: an OTLP/HTTP ExportMetricsServiceRequest, protobuf or JSON,
// optionally gzip-compressed, appended in one appender. Answers as OTLP/HTTP says: 200 with
// an ExportMetricsServiceResponse in the request's encoding, carrying partial_success when
// some data points were not stored and why; 400 when nothing could be stored or the body is
// not a valid request (and, as in Prometheus, when storage rejects samples as out of order
// or out of bounds, so the sender does not retry); 415 for an unsupported Content-Type or
// Content-Encoding; 500 when storage fails otherwise. A failed request stores nothing.
import { gunzipSync } from "node:zlib";
import { errorText, type Logger } from "../log/logger.js";
import { ProtoDecodeError } from "../remote/errors.js";
import { ProtoWriter, WIRE_VARINT } from "../remote/proto-wire.js";
import { headerValue, type RequestHeaders } from "../remote/write-handler.js";
import type { OTLPConfig } from "../config/otlp.js";
import { DuplicateSampleError, OutOfBoundsError, OutOfOrderSampleError, TooOldSampleError, findCause } from "../storage/errors.js";
import type { Appendable } from "../storage/interface.js";
import { decodeMetricsRequest } from "./decode-proto.js";
import { decodeMetricsRequestJSON } from "./decode-json.js";
import { OtlpDecodeError } from "./errors.js";
import type { MetricsRequest } from "./model.js";
import { appendOtlpMetrics, type TranslateResult } from "./translate.js";

export interface OtlpHandlerOptions {
  /** Read per request, so a config reload applies to the next one. */
  readonly config: () => OTLPConfig;
  readonly lookbackDeltaMs: number;
  /** --enable-feature=otlp-native-delta-ingestion. */
  readonly allowDelta: boolean;
  /** Largest decompressed body accepted. */
  readonly maxDecodedBytes?: number;
  readonly logger?: Logger;
}

export interface OtlpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";
const DEFAULT_MAX_DECODED_BYTES = 64 << 20;
/** Distinct reasons listed in one partial-success message before the rest are only counted. */
const MAX_REASONS = 10;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.status = status;
  }
}

/** Handles one OTLP metrics export; never throws. */
export async function handleOtlpMetrics(body: Uint8Array, headers: RequestHeaders, appendable: Appendable, opts: OtlpHandlerOptions): Promise<OtlpResponse> {
  let json = false;
  let result: TranslateResult;
  try {
    const type = headerValue(headers, "content-type").split(";")[0].trim().toLowerCase();
    if (type === JSON_TYPE) json = true;
    else if (type !== PROTOBUF && type !== "application/protobuf") {
      throw new HttpError(415, `unsupported content type: ${JSON.stringify(type)}, supported: [${JSON_TYPE}, ${PROTOBUF}]`);
    }
    const req = decode(inflate(body, headerValue(headers, "content-encoding"), opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES), json);
    result = await store(req, appendable, opts);
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    if (status >= 500) opts.logger?.error("Error appending OTLP metrics", { err });
    return text(status, errorText(err));
  }
  const why = reasons(result);
  if (result.rejectedPoints > 0) opts.logger?.warn("Rejected OTLP data points", { count: result.rejectedPoints, err: why });
  if (result.samples === 0 && result.rejectedPoints > 0) return text(400, `no data points stored: ${why}`);
  return { status: 200, headers: { "Content-Type": json ? JSON_TYPE : PROTOBUF }, body: encodeResponse(result.rejectedPoints, why, json) };
}

function inflate(body: Uint8Array, encoding: string, maxBytes: number): Uint8Array {
  const e = encoding.trim().toLowerCase();
  if (e === "" || e === "identity") {
    if (body.length > maxBytes) throw new HttpError(400, `request body larger than ${maxBytes} bytes`);
    return body;
  }
  if (e !== "gzip") throw new HttpError(415, `unsupported compression: ${JSON.stringify(encoding)}; only "gzip" or no compression supported`);
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" ? `decompressed body larger than ${maxBytes} bytes` : (cause as Error).message;
    throw new HttpError(400, `decompress gzip body: ${why}`, { cause });
  }
}

function decode(raw: Uint8Array, json: boolean): MetricsRequest {
  try {
    return json ? decodeMetricsRequestJSON(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8")) : decodeMetricsRequest(raw);
  } catch (cause) {
    if (cause instanceof OtlpDecodeError || cause instanceof ProtoDecodeError) {
      throw new HttpError(400, `decode OTLP ${json ? "JSON" : "protobuf"} ExportMetricsServiceRequest: ${cause.message}`, { cause });
    }
    throw cause;
  }
}

async function store(req: MetricsRequest, appendable: Appendable, opts: OtlpHandlerOptions): Promise<TranslateResult> {
  const app = appendable.appender();
  let result: TranslateResult;
  try {
    result = appendOtlpMetrics(req, app, { config: opts.config(), lookbackDeltaMs: opts.lookbackDeltaMs, allowDelta: opts.allowDelta });
  } catch (err) {
    await app.rollback().catch(() => undefined);
    const rejected = [OutOfOrderSampleError, DuplicateSampleError, OutOfBoundsError, TooOldSampleError].some((c) => findCause(err, c) !== undefined);
    throw new HttpError(rejected ? 400 : 500, `append OTLP metrics: ${errorText(err)}`, { cause: err });
  }
  try {
    await app.commit();
  } catch (cause) {
    throw new HttpError(500, `commit OTLP metrics: ${errorText(cause)}`, { cause });
  }
  return result;
}

function reasons(r: TranslateResult): string {
  const shown = r.errors.slice(0, MAX_REASONS).join("; ");
  return r.errors.length > MAX_REASONS ? `${shown}; and ${r.errors.length - MAX_REASONS} more` : shown;
}

function text(status: number, message: string): OtlpResponse {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: Buffer.from(message + "\n") };
}

/** ExportMetricsServiceResponse{1: partial_success{1: rejected_data_points, 2: error_message}}, empty when all was stored quietly. */
function encodeResponse(rejected: number, message: string, json: boolean): Uint8Array {
  if (json) {
    const partial = rejected > 0 || message !== "" ? { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } } : {};
    return Buffer.from(JSON.stringify(partial));
  }
  if (rejected === 0 && message === "") return new Uint8Array(0);
  const inner = new ProtoWriter(64 + message.length * 3);
  if (rejected > 0) {
    inner.tag(1, WIRE_VARINT);
    inner.varint(rejected);
  }
  inner.stringField(2, message);
  const w = new ProtoWriter(inner.pos + 8);
  w.bytesField(1, inner.finish());
  return w.finish();
}
