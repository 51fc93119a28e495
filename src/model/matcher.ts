// Label matchers with Prometheus semantics: regexes are RE2, fully anchored.
import { RE2JS } from "re2js";

export type MatchType = "=" | "!=" | "=~" | "!~";

export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  private readonly re: RE2JS | undefined;

  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    if (type === "=~" || type === "!~") {
      try {
        // (?s) so that . matches newlines, as Prometheus' FastRegexMatcher does.
        this.re = RE2JS.compile(`^(?s:${value})$`);
      } catch (cause) {
        throw new Error(`invalid regular expression ${JSON.stringify(value)} for label ${name}`, { cause });
      }
    }
  }

  matches(v: string): boolean {
    switch (this.type) {
      case "=":
        return v === this.value;
      case "!=":
        return v !== this.value;
      case "=~":
        return this.re!.matches(v);
      case "!~":
        return !this.re!.matches(v);
    }
  }

  /** True when the matcher also accepts series that lack the label. */
  matchesEmpty(): boolean {
    return this.matches("");
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}
