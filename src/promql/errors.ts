// Known query conditions; the web layer maps them to errorType/status
// (timeout and canceled: 503, too many samples and EvalError: 422).

export class QueryError extends Error {}

export class QueryTimeoutError extends QueryError {
  constructor(phase: string) {
    super(`query timed out in ${phase}`);
  }
}

export class QueryCanceledError extends QueryError {
  constructor(phase: string) {
    super(`query was canceled in ${phase}`);
  }
}

export class TooManySamplesError extends QueryError {
  constructor() {
    super("query processing would load too many samples into memory in query execution");
  }
}

/** An execution error with Prometheus' wording, e.g. duplicate label sets in a vector. */
export class EvalError extends QueryError {}
