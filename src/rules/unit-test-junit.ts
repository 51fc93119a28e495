// JUnit XML for rule unit tests, in the shape promtool writes with --junit: one <testsuite> per
// file, one <testcase> per test group, a <failure> per failed expectation and an <error> when
// the file could not be run at all.

export interface JUnitCase {
  readonly name: string;
  readonly failures: string[];
  error: string;
}

export class JUnitSuite {
  readonly name: string;
  readonly cases: JUnitCase[] = [];
  errors = 0;
  failures = 0;
  /** Local time without zone, as promtool stamps it. */
  timestamp = "";

  constructor(name: string) {
    this.name = name;
  }

  addCase(name: string): void {
    this.cases.push({ name, failures: [], error: "" });
  }

  fail(message: string): void {
    this.failures++;
    this.lastCase().failures.push(message);
  }

  abort(message: string): void {
    this.errors++;
    this.lastCase().error = message;
  }

  private lastCase(): JUnitCase {
    if (this.cases.length === 0) this.addCase("unknown");
    return this.cases[this.cases.length - 1];
  }
}

/** Go's xml.EscapeText, which also writes quotes and control whitespace as character references. */
function escape(s: string): string {
  const refs: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;" };
  return s.replace(/[&<>"'\t\n\r]/g, (c) => refs[c]);
}

/** The whole document on one line, as Go's xml.Encoder writes it. */
export function junitXml(suites: readonly JUnitSuite[]): string {
  let out = "<testsuites>";
  for (const s of suites) {
    out += `<testsuite name="${escape(s.name)}" tests="${s.cases.length}" failures="${s.failures}" errors="${s.errors}" skipped="0" timestamp="${escape(s.timestamp)}">`;
    for (const c of s.cases) {
      out += `<testcase name="${escape(c.name)}">`;
      for (const f of c.failures) out += `<failure>${escape(f)}</failure>`;
      if (c.error !== "") out += `<error>${escape(c.error)}</error>`;
      out += "</testcase>";
    }
    out += "</testsuite>";
  }
  return out + "</testsuites>";
}

/** time.Now().Format("2006-01-02T15:04:05") in local time. */
export function junitTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
