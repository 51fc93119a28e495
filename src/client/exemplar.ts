// Exemplars: a label set (at most 128 runes of names and values together, per OpenMetrics)
// attached to one observation.
import { isValidLabelName } from "./desc.js";
import { InvalidNameError, InvalidValueError } from "./errors.js";
import { runeCount } from "./format.js";
import type { Exemplar } from "./interface.js";

export const EXEMPLAR_MAX_RUNES = 128;

export type ExemplarLabels = Readonly<Record<string, string>>;

export function newExemplar(labels: ExemplarLabels, value: number, timestampMs: number): Exemplar {
  const names = Object.keys(labels).sort();
  let runes = 0;
  for (const name of names) {
    if (!isValidLabelName(name)) throw new InvalidNameError(`exemplar label name "${name}" is invalid`);
    runes += runeCount(name) + runeCount(labels[name]);
  }
  if (runes > EXEMPLAR_MAX_RUNES) {
    throw new InvalidValueError(`exemplar labels have ${runes} runes, more than the ${EXEMPLAR_MAX_RUNES} allowed`);
  }
  return { labels: names.map((name) => ({ name, value: labels[name] })), value, timestampMs };
}
