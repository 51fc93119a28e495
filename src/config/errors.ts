// Config errors: every one names the file and, when known, the line it comes from.

export class ConfigError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, message: string, options?: ErrorOptions) {
    super(line === undefined ? message : `${message} (${file}:${line})`, options);
    this.file = file;
    this.line = line;
  }
}

/** Strict decoding found fields or values of the wrong shape; listed like Go's yaml "unmarshal errors". */
export class ConfigUnmarshalError extends ConfigError {
  readonly problems: readonly { line: number; message: string }[];
  constructor(file: string, problems: readonly { line: number; message: string }[]) {
    super(file, problems[0]?.line, "yaml: unmarshal errors:\n" + problems.map((p) => `  line ${p.line}: ${p.message}`).join("\n"));
    this.problems = problems;
  }
}
