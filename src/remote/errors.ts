// Known remote-protocol conditions. The handlers map them to HTTP statuses; the sender
// uses RecoverableError to decide whether a batch is retried.

export class RemoteError extends Error {}

/** The request body is not a valid protobuf message of the expected type. */
export class ProtoDecodeError extends RemoteError {}

/** A request that can never succeed as sent (bad encoding, labels, limits): HTTP 400. */
export class BadRequestError extends RemoteError {}

/** A send that may succeed later (network error, 5xx, 429 when allowed). */
export class RecoverableError extends RemoteError {
  /** From Retry-After, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: opts.cause });
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** The remote answered with a status that retrying will not fix (4xx). */
export class NonRecoverableError extends RemoteError {}
