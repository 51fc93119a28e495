// Known conditions of the rules subsystem.

/** A template failed to parse or to execute; the message reads like Go's text/template. */
export class TemplateError extends Error {}

/** A rule file failed to load or validate; lists every problem found, like promtool. */
export class RuleFileError extends Error {
  readonly file: string;
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[], options?: ErrorOptions) {
    super(problems.map((p) => `${file}: ${p}`).join("\n"), options);
    this.file = file;
    this.problems = problems;
  }
}

/** A rule evaluated to something it may not write (duplicate series, over the group limit, wrong type). */
export class RuleEvalError extends Error {}
