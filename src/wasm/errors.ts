// Typed errors for the JS/WASM boundary. Kernels return negative status codes;
// statusError() turns them into these classes so callers can match with instanceof.

export class WasmError extends Error {
  override name = "WasmError";
}

/** The module was used before it was loaded (browser: await loadWasm() first). */
export class WasmNotLoadedError extends WasmError {
  override name = "WasmNotLoadedError";
}

/** AssemblyScript's abort(): an assertion or bounds check failed inside the module. */
export class WasmAbortError extends WasmError {
  override name = "WasmAbortError";
  constructor(
    readonly detail: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`wasm abort: ${detail || "(no message)"} at ${file}:${line}:${column}`);
  }
}

/** Chunk bytes that do not decode as a Prometheus XOR chunk. */
export class CorruptChunkError extends WasmError {
  override name = "CorruptChunkError";
}

/** Input the codec cannot represent (non-integer timestamp, more than 65535 samples, ...). */
export class InvalidInputError extends WasmError {
  override name = "InvalidInputError";
}

// Status codes shared with assembly/xor/status.ts; keep both in step.
export const STATUS_TRUNCATED = -1;
export const STATUS_BAD_WINDOW = -2;
export const STATUS_TOO_MANY_SAMPLES = -3;
export const STATUS_BAD_TIMESTAMP = -4;
export const STATUS_BAD_VARINT = -5;

/** Maps a negative kernel status to its error; `what` names the operation for context. */
export function statusError(status: number, what: string): WasmError {
  switch (status) {
    case STATUS_TRUNCATED:
      return new CorruptChunkError(`${what}: chunk data ends before its sample count is reached`);
    case STATUS_BAD_WINDOW:
      return new CorruptChunkError(`${what}: XOR value window exceeds 64 bits`);
    case STATUS_BAD_VARINT:
      return new CorruptChunkError(`${what}: malformed varint timestamp`);
    case STATUS_TOO_MANY_SAMPLES:
      return new InvalidInputError(`${what}: an XOR chunk holds at most 65535 samples`);
    case STATUS_BAD_TIMESTAMP:
      return new InvalidInputError(`${what}: timestamps must be finite integers (ms) within int64`);
    default:
      return new WasmError(`${what}: unknown status ${status}`);
  }
}
