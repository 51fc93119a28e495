// The receiving side of remote write (/api/v1/write): snappy-compressed WriteRequest in,
// samples appended in one appender. Like Prometheus, a request that cannot be decoded
// or that storage rejects as out of order / duplicate / out of bounds gets 400 (so the
// sender does not retry it) and other append failures 500. Unlike Prometheus 2.42 the
// whole request is validated before anything is appended, so a bad request stores
// nothing; and labels must be sorted and unique as the protocol requires.
import { errorText } from "../log/logger.js";
import { labelsToString, type Label, type Labels } from "../model/labels.js";
import type { Appendable, SeriesRef } from "../storage/interface.js";
import { DuplicateSampleError, OutOfBoundsError, OutOfOrderSampleError, TooOldSampleError, findCause } from "../storage/errors.js";
import { decodeWriteRequest, type DecodedWriteRequest } from "./codec.js";
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
}

export interface WriteHandlerOptions {
  /** Largest decompressed body accepted. */
  readonly maxDecodedBytes?: number;
}

const DEFAULT_MAX_DECODED_BYTES = 64 << 20;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function headerValue(headers: RequestHeaders, name: string): string {
  const v = headers[name] ?? headers[name.toLowerCase()];
  if (v === undefined) return "";
  return typeof v === "string" ? v : v.join(",");
}

/** Handles one remote write request body; never throws. */
export async function handleRemoteWrite(body: Uint8Array, headers: RequestHeaders, appendable: Appendable, opts: WriteHandlerOptions = {}): Promise<WriteHandlerResult> {
  let req: DecodedWriteRequest;
  let series: Labels[];
  try {
    const encoding = headerValue(headers, "content-encoding").trim().toLowerCase();
    if (encoding !== "" && encoding !== "snappy") throw new BadRequestError(`unsupported Content-Encoding ${JSON.stringify(encoding)}, remote write requires snappy`);
    const raw = decodeSnappy(body, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
    try {
      req = decodeWriteRequest(raw);
    } catch (cause) {
      throw new BadRequestError(`decode protobuf WriteRequest: ${(cause as Error).message}`, { cause });
    }
    series = req.series.map((s) => validateLabels(s.labels));
  } catch (err) {
    return { status: 400, message: (err as Error).message, samplesAppended: 0 };
  }

  const app = appendable.appender();
  let appended = 0;
  try {
    for (let i = 0; i < req.series.length; i++) {
      const s = req.series[i];
      const labels = series[i];
      let ref: SeriesRef = 0;
      for (let j = s.start; j < s.end; j++) {
        try {
          ref = app.append(ref, labels, req.ts[j], req.vs[j]);
        } catch (cause) {
          throw new Error(`${(cause as Error).message} for series ${labelsToString(labels)} at timestamp ${req.ts[j]}`, { cause });
        }
        appended++;
      }
    }
  } catch (err) {
    await app.rollback().catch(() => undefined);
    const rejected = [OutOfOrderSampleError, DuplicateSampleError, OutOfBoundsError, TooOldSampleError].some((c) => findCause(err, c) !== undefined);
    return { status: rejected ? 400 : 500, message: (err as Error).message, samplesAppended: 0 };
  }
  try {
    await app.commit();
  } catch (err) {
    return { status: 500, message: `commit remote write: ${errorText(err)}`, samplesAppended: 0 };
  }
  return { status: 204, message: "", samplesAppended: appended };
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
