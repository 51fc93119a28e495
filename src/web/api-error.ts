// API errors and the one place that turns any thrown error into Prometheus' errorType and status.
import { ParseError } from "../promql/parser/ast.js";
import { EvalError, QueryCanceledError, QueryError, QueryTimeoutError, TooManySamplesError } from "../promql/errors.js";
import { findCause } from "../storage/errors.js";
import { errorText } from "../log/logger.js";

export type ErrorType = "bad_data" | "execution" | "timeout" | "canceled" | "internal" | "unavailable" | "not_found" | "not_acceptable";

const STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  // Prometheus answers a canceled query with nginx's "client closed request".
  canceled: 499,
  internal: 500,
  // Prometheus has no case for "unavailable" and answers with its default, 500.
  unavailable: 500,
  not_found: 404,
  not_acceptable: 406,
};

export class ApiError extends Error {
  readonly type: ErrorType;
  constructor(type: ErrorType, message: string, options?: ErrorOptions) {
    super(message, options);
    this.type = type;
  }
  get status(): number {
    return STATUS[this.type];
  }
}

export function badData(message: string, cause?: unknown): ApiError {
  return new ApiError("bad_data", message, cause === undefined ? undefined : { cause });
}

/** Errors that reach the edge: ApiErrors keep their type, known query conditions get theirs. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const parse = findCause(err, ParseError);
  if (parse) return new ApiError("bad_data", `invalid parameter "query": ${parse.message}`, { cause: err });
  if (findCause(err, QueryTimeoutError)) return new ApiError("timeout", errorText(err), { cause: err });
  if (findCause(err, QueryCanceledError)) return new ApiError("canceled", errorText(err), { cause: err });
  if (findCause(err, TooManySamplesError) || findCause(err, EvalError) || findCause(err, QueryError)) {
    return new ApiError("execution", errorText(err), { cause: err });
  }
  return new ApiError("internal", errorText(err), { cause: err });
}
