// Known conditions when opening or writing blocks. Corrupt bytes inside a
// block's files surface as CorruptionError (encoding/errors.ts) in the cause chain.

export class BlockError extends Error {
  readonly dir: string;
  /** What was being done: "read meta.json", "open index", ... */
  readonly step: string;

  constructor(dir: string, step: string, message?: string, opts: { cause?: unknown } = {}) {
    super(`block ${dir}: ${step}${message ? `: ${message}` : ""}`, { cause: opts.cause });
    this.name = "BlockError";
    this.dir = dir;
    this.step = step;
  }
}

/** The directory is not a block: meta.json is missing, unreadable or not a v1 block meta. */
export class InvalidBlockError extends BlockError {
  constructor(dir: string, step: string, message?: string, opts: { cause?: unknown } = {}) {
    super(dir, step, message, opts);
    this.name = "InvalidBlockError";
  }
}
