// Structured logs in logfmt (ts=... level=... msg=...) or JSON, like Prometheus.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "logfmt" | "json";
export type LogFields = Readonly<Record<string, unknown>>;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  /** Where lines go; stderr by default, as Prometheus logs. */
  readonly write?: (line: string) => void;
}

export class Logger {
  private readonly level: LogLevel;
  private readonly format: LogFormat;
  private readonly write: (line: string) => void;
  private readonly context: LogFields;

  constructor(opts: LoggerOptions = {}, context: LogFields = {}) {
    this.level = opts.level ?? "info";
    this.format = opts.format ?? "logfmt";
    this.write = opts.write ?? ((line) => process.stderr.write(line));
    this.context = context;
  }

  /** A logger that adds fields to every line, e.g. component="tsdb". */
  with(fields: LogFields): Logger {
    return new Logger({ level: this.level, format: this.format, write: this.write }, { ...this.context, ...fields });
  }

  debug(msg: string, fields?: LogFields): void {
    this.log("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log("error", msg, fields);
  }

  private log(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (RANK[level] < RANK[this.level]) return;
    const all: Record<string, unknown> = { ts: new Date().toISOString(), level, ...this.context, msg, ...fields };
    if (this.format === "json") {
      this.write(JSON.stringify(all, (_k, v: unknown) => (v instanceof Error ? errorText(v) : v)) + "\n");
      return;
    }
    let line = "";
    for (const [k, v] of Object.entries(all)) {
      if (v === undefined) continue;
      line += (line ? " " : "") + k + "=" + logfmtValue(v);
    }
    this.write(line + "\n");
  }
}

/** An error with its cause chain, "a: b: c", as Prometheus prints wrapped errors. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  while (e !== undefined) {
    if (e instanceof Error) {
      parts.push(e.message);
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(": ");
}

function logfmtValue(v: unknown): string {
  const s = v instanceof Error ? errorText(v) : typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
  return s === "" || /[\s"=\\]/.test(s) ? JSON.stringify(s) : s;
}

/** A logger that drops everything, for tests and library callers that pass none. */
export const nopLogger = new Logger({ write: () => {} });
