// Reads a response body into one Buffer: gzip decoded when asked, bounded by a size limit
// on the decoded bytes, and cut short when the request's signal fires.
import type { IncomingMessage } from "node:http";
import { createGunzip } from "node:zlib";
import { BodyTooLargeError, HttpClientError } from "./errors.js";

export interface ReadBodyOptions {
  /** 0 = unlimited. */
  readonly maxBodyBytes: number;
  /** Decode when the response says Content-Encoding: gzip. */
  readonly gunzip: boolean;
  /** Aborted with the error to reject with (a timeout or the caller's abort). */
  readonly signal: AbortSignal;
  /** Receives each (decoded) chunk instead of the returned Buffer, which is then empty. */
  readonly onData?: ((chunk: Buffer) => void) | undefined;
}

export function readBody(res: IncomingMessage, opts: ReadBodyOptions): Promise<Buffer> {
  const gzip = opts.gunzip && /\bgzip\b/i.test(String(res.headers["content-encoding"] ?? ""));
  const stream = gzip ? res.pipe(createGunzip()) : res;
  const limit = opts.maxBodyBytes;
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onAbort = () => fail(opts.signal.reason as Error);
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      opts.signal.removeEventListener("abort", onAbort);
      reject(opts.signal.aborted ? (opts.signal.reason as Error) : err);
      stream.destroy();
      res.destroy();
    };
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener("abort", onAbort, { once: true });
    stream.on("data", (chunk: Buffer) => {
      if (opts.onData) {
        try {
          return opts.onData(chunk);
        } catch (err) {
          return fail(err as Error);
        }
      }
      size += chunk.length;
      if (limit > 0 && size > limit) return fail(new BodyTooLargeError(limit));
      parts.push(chunk);
    });
    stream.once("end", () => {
      if (settled) return;
      settled = true;
      opts.signal.removeEventListener("abort", onAbort);
      resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size));
    });
    stream.once("error", (err) => fail(gzip ? new HttpClientError("decompress gzip body", { cause: err }) : err));
    if (gzip) res.once("error", (err) => fail(err));
    res.once("aborted", () => fail(new HttpClientError("connection closed while reading body")));
  });
}
