// Prometheus' series notation for test input: `metric{a="b"}` for the labels and values such
// as `1+2x3 _ stale -1x2 _x3`: a number, `a+bxn` / `a-bxn` (n+1 values stepping by b), `axn`
// (a repeated n+1 times, so `0x15` is sixteen zeros), `_` (no sample), `_xn` (n gaps) and
// `stale` (a stale marker).
import { labelsFromList, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import { parseMetricSelector } from "../promql/parser/parse.js";

export class SeriesNotationError extends Error {}

/** A value per step; undefined where the notation skips a step. */
export type SeriesValues = (number | undefined)[];

/** The labels of `metric{a="b"}` or `{__name__="metric", a="b"}`; only equality is allowed. */
export function parseSeriesLabels(text: string): Labels {
  if (text.trim() === "{}") return [];
  const matchers = parseMetricSelector(text);
  const bad = matchers.find((m) => m.type !== "=");
  if (bad) throw new SeriesNotationError(`${JSON.stringify(text)}: only label equality is allowed in a series, got ${bad.type}`);
  return labelsFromList(matchers.map((m) => ({ name: m.name, value: m.value })));
}

const NUMBER = String.raw`[+-]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)`;
const STEPPED = new RegExp(`^(${NUMBER})([+-])(${NUMBER})x(\\d+)$`, "i");
const REPEATED = new RegExp(`^(${NUMBER})x(\\d+)$`, "i");

function number(s: string): number {
  const t = s.toLowerCase().replace(/^\+/, "");
  if (t === "inf") return Infinity;
  if (t === "-inf") return -Infinity;
  if (t === "nan" || t === "-nan") return NaN;
  // Hexadecimal is not allowed: Prometheus 3 reads `0x15` as 0 repeated, not as 21.
  const v = /^-?(\d|\.\d)/.test(t) ? Number(t) : NaN;
  if (Number.isNaN(v)) throw new SeriesNotationError(`invalid number ${JSON.stringify(s)}`);
  return v;
}

/** Expands the values of one input series. */
export function expandSeriesValues(text: string): SeriesValues {
  const out: SeriesValues = [];
  for (const tok of text.trim().split(/\s+/).filter(Boolean)) {
    if (tok.startsWith("{{")) throw new SeriesNotationError(`native histogram values are not supported: ${tok}`);
    if (tok === "_") {
      out.push(undefined);
    } else if (tok === "stale") {
      out.push(STALE_NAN);
    } else if (/^_x\d+$/.test(tok)) {
      for (let i = Number(tok.slice(2)); i > 0; i--) out.push(undefined);
    } else {
      const stepped = STEPPED.exec(tok);
      const repeated = stepped ? undefined : REPEATED.exec(tok);
      if (stepped) {
        const delta = number(stepped[3]) * (stepped[2] === "-" ? -1 : 1);
        // Adding step by step, as Prometheus does, so rounding matches its values.
        let v = number(stepped[1]);
        out.push(v);
        for (let i = Number(stepped[4]); i > 0; i--) out.push((v += delta));
      } else if (repeated) {
        const v = number(repeated[1]);
        for (let i = Number(repeated[2]); i >= 0; i--) out.push(v);
      } else {
        out.push(number(tok));
      }
    }
  }
  return out;
}
