// Label sets: the vocabulary every subsystem shares. A Labels value is an array
// sorted by name with unique names; functions here never mutate their input.

export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const METRIC_NAME = "__name__";

/** Builds a sorted label set from a plain object, dropping empty values. */
export function labelsFromRecord(record: Readonly<Record<string, string>>): Labels {
  const out: Label[] = [];
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== "") out.push({ name, value });
  }
  return out.sort(compareLabelNames);
}

/** Sorts and de-duplicates (last wins), dropping empty values, as Prometheus' builders do. */
export function labelsFromList(list: readonly Label[]): Labels {
  const byName = new Map<string, string>();
  for (const l of list) byName.set(l.name, l.value);
  const out: Label[] = [];
  for (const [name, value] of byName) if (value !== "") out.push({ name, value });
  return out.sort(compareLabelNames);
}

export function labelsToRecord(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) out[l.name] = l.value;
  return out;
}

export function getLabel(labels: Labels, name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return "";
}

function compareLabelNames(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Orders label sets as Prometheus' labels.Compare does. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i].name !== b[i].name) return a[i].name < b[i].name ? -1 : 1;
    if (a[i].value !== b[i].value) return a[i].value < b[i].value ? -1 : 1;
  }
  return a.length - b.length;
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  }
  return true;
}

/**
 * One label's part of a key. Names and values may hold any character (a separator byte
 * would not do), so each string is preceded by its length: no two label lists share a key.
 */
export function labelKeyPart(name: string, value: string): string {
  return name.length + ":" + name + value.length + ":" + value;
}

/** A string key that identifies a label set exactly. */
export function labelsKey(labels: Labels): string {
  let s = "";
  for (const l of labels) s += labelKeyPart(l.name, l.value);
  return s;
}

/** 64-bit FNV-1a over the key, returned as a bigint-free pair folded into a 53-bit number. */
export function labelsHash(labels: Labels): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const l of labels) {
    for (const part of [l.name, l.value]) {
      for (let i = 0; i < part.length; i++) {
        const c = part.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      }
      h1 = Math.imul(h1 ^ 0xff, 0x01000193);
      h2 = Math.imul(h2 ^ 0xff, 0x5bd1e995);
    }
  }
  return (h2 >>> 0) * 0x200000 + ((h1 >>> 0) & 0x1fffff);
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

const LEGACY_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Prints a label set the way Prometheus does: name{a="b", c="d"}. */
export function labelsToString(labels: Labels): string {
  let name = "";
  const parts: string[] = [];
  for (const l of labels) {
    if (l.name === METRIC_NAME && LEGACY_NAME.test(l.value)) name = l.value;
    else {
      const n = LEGACY_NAME.test(l.name) ? l.name : JSON.stringify(l.name);
      parts.push(`${n}="${escapeLabelValue(l.value)}"`);
    }
  }
  if (parts.length === 0 && name !== "") return name;
  return `${name}{${parts.join(", ")}}`;
}

export function withoutLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  return labels.filter((l) => !names.has(l.name));
}

export function onlyLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  return labels.filter((l) => names.has(l.name));
}
