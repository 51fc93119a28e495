// A small streaming OpenMetrics reader for backfilling: one line at a time,
// samples only (metadata and exemplars are checked for shape, then skipped).
// Errors carry the 1-based line number. Timestamps are seconds in the input
// and become ms truncated toward zero, as Prometheus' parser does.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { labelsFromList, METRIC_NAME, type Label, type Labels } from "../../model/labels.js";

export class OpenMetricsParseError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "OpenMetricsParseError";
    this.line = line;
  }
}

export interface ParsedSample {
  readonly labels: Labels;
  readonly value: number;
  /** ms, or undefined when the line has no timestamp. */
  readonly t: number | undefined;
  readonly line: number;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const METADATA_RE = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/;
const METRIC_TYPES = new Set(["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"]);
const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])$/;

/** Parses a float as Go's strconv.ParseFloat accepts it in exposition formats. */
export function parseGoFloat(s: string): number | undefined {
  if (!FLOAT_RE.test(s)) return undefined;
  const lower = s.toLowerCase();
  if (lower.endsWith("nan")) return NaN;
  if (lower.includes("inf")) return s.startsWith("-") ? -Infinity : Infinity;
  return Number(s);
}

/** Parses one sample line; returns undefined for metadata lines. Throws OpenMetricsParseError. */
export function parseOpenMetricsLine(text: string, line: number): ParsedSample | undefined {
  const fail = (msg: string): never => {
    throw new OpenMetricsParseError(line, msg);
  };
  if (text.startsWith("#")) {
    const m = METADATA_RE.exec(text);
    if (!m) fail(`invalid comment or metadata line ${JSON.stringify(text)} (only # HELP, # TYPE, # UNIT and a final # EOF are allowed)`);
    if (m![1] === "TYPE" && !METRIC_TYPES.has(m![3] ?? "")) fail(`invalid metric type ${JSON.stringify(m![3] ?? "")}`);
    const unit = m![3] ?? "";
    if (m![1] === "UNIT" && unit !== "" && !m![2].endsWith(`_${unit}`)) fail(`unit not a suffix of metric ${JSON.stringify(m![2])}`);
    return undefined;
  }
  if (text === "") fail("empty line (not allowed in OpenMetrics)");
  const nm = NAME_RE.exec(text);
  if (!nm) fail(`expected a metric name at the start of ${JSON.stringify(text)}`);
  const labels: Label[] = [{ name: METRIC_NAME, value: nm![0] }];
  let i = nm![0].length;
  if (text[i] === "{") {
    i++;
    const seen = new Set<string>();
    while (text[i] !== "}") {
      const ln = LABEL_NAME_RE.exec(text.slice(i, i + 1024));
      if (!ln) fail(`expected a label name at column ${i + 1}`);
      const name = ln![0];
      i += name.length;
      if (text[i] !== "=") fail(`expected "=" after label name ${name} at column ${i + 1}`);
      i++;
      if (text[i] !== '"') fail(`expected '"' to start the value of label ${name} at column ${i + 1}`);
      i++;
      let value = "";
      for (;;) {
        if (i >= text.length) fail(`unterminated value of label ${name}`);
        const c = text[i++];
        if (c === '"') break;
        if (c === "\\") {
          const e = text[i++];
          if (e === "n") value += "\n";
          else if (e === "\\" || e === '"') value += e;
          // Prometheus keeps unknown escapes as they are.
          else value += `\\${e ?? ""}`;
        } else value += c;
      }
      if (seen.has(name) || name === METRIC_NAME) fail(`duplicate label name ${name}`);
      seen.add(name);
      labels.push({ name, value });
      if (text[i] === ",") {
        i++;
        if (text[i] === "}") fail(`expected a label name after "," at column ${i + 1}`);
      } else if (text[i] !== "}") fail(`expected "," or "}" after the value of label ${name} at column ${i + 1}`);
    }
    i++;
  }
  if (text[i] !== " ") fail(`expected a space before the value at column ${i + 1}`);
  i++;
  const rest = text.slice(i);
  const hash = rest.indexOf(" # ");
  if (hash >= 0) {
    // Prometheus accepts exemplars only on counter totals and histogram buckets, by name.
    const metric = nm![0];
    if (!metric.endsWith("_total") && !metric.endsWith("_bucket")) fail(`metric name ${metric} does not support exemplars`);
    if (rest[hash + 3] !== "{") fail(`expected "{" to start the exemplar at column ${i + hash + 4}`);
  }
  const fields = (hash >= 0 ? rest.slice(0, hash) : rest).split(" ");
  if (fields.length > 2 || fields[0] === "" || fields[1] === "") fail(`expected "value [timestamp]" after the labels, got ${JSON.stringify(rest)}`);
  const value = parseGoFloat(fields[0]);
  if (value === undefined) fail(`invalid value ${JSON.stringify(fields[0])}`);
  let t: number | undefined;
  if (fields.length === 2) {
    const sec = parseGoFloat(fields[1]);
    if (sec === undefined || !Number.isFinite(sec)) fail(`invalid timestamp ${JSON.stringify(fields[1])}`);
    t = Math.trunc(sec! * 1000);
  }
  return { labels: labelsFromList(labels), value: value!, t, line };
}

/** Yields the samples of an OpenMetrics file; requires the final "# EOF" line. */
export async function* readOpenMetricsFile(path: string): AsyncGenerator<ParsedSample> {
  const rl = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  let eofAt = 0;
  for await (const text of rl) {
    line++;
    if (eofAt > 0) {
      if (text === "") continue;
      throw new OpenMetricsParseError(line, `unexpected data after "# EOF" (line ${eofAt})`);
    }
    if (text === "# EOF") {
      eofAt = line;
      continue;
    }
    const s = parseOpenMetricsLine(text, line);
    if (s) yield s;
  }
  if (eofAt === 0) throw new OpenMetricsParseError(line, 'data does not end with "# EOF"');
}
