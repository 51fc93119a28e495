// Typed errors for on-disk TSDB formats. A CorruptionError always says which
// file (when known), which step and at which byte offset decoding failed.

export class CorruptionError extends Error {
  /** Byte offset within the file or buffer where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(message: string, opts: { offset?: number; cause?: unknown } = {}) {
    super(opts.offset === undefined ? message : `${message} (at offset ${opts.offset})`, { cause: opts.cause });
    this.name = "CorruptionError";
    this.offset = opts.offset;
  }
}

/** A checksum stored in the file does not match the bytes it covers. */
export class ChecksumError extends CorruptionError {
  constructor(what: string, opts: { offset?: number; expected: number; actual: number }) {
    super(
      `${what}: checksum mismatch: stored 0x${opts.expected.toString(16).padStart(8, "0")}, computed 0x${opts.actual.toString(16).padStart(8, "0")}`,
      { offset: opts.offset },
    );
    this.name = "ChecksumError";
  }
}
