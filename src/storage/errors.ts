// Known storage conditions, with Prometheus' messages so API errors read the same.

export class StorageError extends Error {}

export class OutOfOrderSampleError extends StorageError {
  constructor() {
    super("out of order sample");
  }
}

export class DuplicateSampleError extends StorageError {
  constructor() {
    super("duplicate sample for timestamp");
  }
}

export class OutOfBoundsError extends StorageError {
  constructor() {
    super("out of bounds");
  }
}

export class TooOldSampleError extends StorageError {
  constructor() {
    super("too old sample");
  }
}

/** Walks an error's cause chain for an instance of the given class. */
export function findCause<T extends Error>(err: unknown, cls: abstract new (...args: never[]) => T): T | undefined {
  let e: unknown = err;
  while (e instanceof Error) {
    if (e instanceof cls) return e;
    e = e.cause;
  }
  return undefined;
}

/** A sample that can never be stored (empty label set, repeated label name). */
export class InvalidSampleError extends StorageError {
  constructor(reason: string) {
    super(`${reason}: invalid sample`);
  }
}

/** A sample given by ref only (empty labels) whose series the appender does not know. */
export class UnknownSeriesRefError extends StorageError {
  constructor(ref: number) {
    super(`unknown series ref ${ref}`);
  }
}
