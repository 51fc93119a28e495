// Known parse conditions for exposition bodies.

/** A malformed body: line and column are 1-based; column counts bytes, as Prometheus' offsets do. */
export class ParseError extends Error {
  override name = "ParseError";
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
    options?: ErrorOptions,
  ) {
    super(`${detail} (line ${line}, column ${column})`, options);
  }
}

/** The Content-Type names a format this server cannot parse (e.g. protobuf). */
export class UnsupportedFormatError extends Error {
  override name = "UnsupportedFormatError";
}
