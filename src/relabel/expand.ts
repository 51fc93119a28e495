// Go regexp template expansion ($1, ${1}, $name, ${name}, $$), as Prometheus uses it for
// relabel target_label and replacement. Go's quirks are kept on purpose: "$1x" names a group
// called "1x", and an unknown group or a group that did not take part expands to "".

/** The capture groups of one match: spans[2i], spans[2i+1] are the bounds of group i (-1 when unset). */
export interface MatchSpans {
  readonly input: string;
  readonly spans: readonly number[];
  readonly names: Readonly<Record<string, number>>;
}

function isNameChar(c: string): boolean {
  return /[\p{L}\p{Nd}_]/u.test(c);
}

function groupNumber(name: string): number {
  if (!/^[0-9]+$/.test(name)) return -1;
  if (name.length > 1 && name[0] === "0") return -1;
  if (name.length > 9) return -1;
  return Number(name);
}

function group(m: MatchSpans, i: number): string {
  if (2 * i + 1 >= m.spans.length) return "";
  const start = m.spans[2 * i];
  const end = m.spans[2 * i + 1];
  return start < 0 ? "" : m.input.slice(start, end);
}

/** Expands a template against a match; "$" not followed by a valid reference stays literal. */
export function expandTemplate(template: string, m: MatchSpans): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf("$", i);
    if (d < 0) break;
    out += template.slice(i, d);
    if (template[d + 1] === "$") {
      out += "$";
      i = d + 2;
      continue;
    }
    const brace = template[d + 1] === "{";
    let j = d + (brace ? 2 : 1);
    const nameStart = j;
    while (j < template.length) {
      const cp = template.codePointAt(j)!;
      const ch = String.fromCodePoint(cp);
      if (!isNameChar(ch)) break;
      j += ch.length;
    }
    const name = template.slice(nameStart, j);
    if (name === "" || (brace && template[j] !== "}")) {
      out += "$";
      i = d + 1;
      continue;
    }
    i = brace ? j + 1 : j;
    const num = groupNumber(name);
    if (num >= 0) out += group(m, num);
    else if (Object.prototype.hasOwnProperty.call(m.names, name)) out += group(m, m.names[name]);
  }
  return out + template.slice(i);
}

/** True when the template contains a "$" (a variable reference may need expanding). */
export function hasVariable(template: string): boolean {
  return template.includes("$");
}
