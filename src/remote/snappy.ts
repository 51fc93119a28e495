// Snappy block format (not the framed stream format), as the remote protocol uses.
import { compressSync, uncompressSync } from "snappy";
import { BadRequestError } from "./errors.js";

/** Decompresses a body, refusing ones whose declared size exceeds maxDecodedBytes. */
export function decodeSnappy(body: Uint8Array, maxDecodedBytes: number): Uint8Array {
  // The block starts with the decoded length as a uvarint; check it before allocating.
  let len = 0;
  for (let i = 0, shift = 0; i < Math.min(body.length, 5); i++, shift += 7) {
    len += (body[i] & 0x7f) * 2 ** shift;
    if (body[i] < 0x80) break;
  }
  if (len > maxDecodedBytes) throw new BadRequestError(`snappy: decoded length ${len} exceeds the limit of ${maxDecodedBytes} bytes`);
  try {
    return uncompressSync(Buffer.from(body.buffer, body.byteOffset, body.byteLength), { asBuffer: true }) as Buffer;
  } catch (cause) {
    throw new BadRequestError(`body is not valid snappy: ${(cause as Error).message}`, { cause });
  }
}

export function encodeSnappy(raw: Uint8Array): Buffer {
  return compressSync(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
}
