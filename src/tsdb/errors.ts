// Known TSDB conditions (head, WAL, DB lifecycle). Storage-level sample errors
// (out of order, duplicate, out of bounds) live in src/storage/errors.ts.

export class TSDBError extends Error {}

/** A WAL segment holds bytes that do not decode; carries where, so repair can cut there. */
export class WALCorruptionError extends TSDBError {
  readonly segment: number;
  readonly offset: number;
  constructor(segment: number, offset: number, reason: string, options?: ErrorOptions) {
    super(`corruption in segment ${segment} at offset ${offset}: ${reason}`, options);
    this.segment = segment;
    this.offset = offset;
  }
}

/** Writing a WAL segment failed (ENOSPC, EIO, ...); the segment was cut back to its last whole record. */
export class WALWriteError extends TSDBError {
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super(`write WAL segment ${file}`, { cause });
    this.file = file;
  }
}

/** A head chunk file (chunks_head/) is damaged. */
export class HeadChunkCorruptionError extends TSDBError {}

/** Another process holds the data directory's lock file. */
export class LockedError extends TSDBError {}

/** The DB (or head, or WAL) was used after close(). */
export class ClosedError extends TSDBError {
  constructor(what: string) {
    super(`${what} is closed`);
  }
}
