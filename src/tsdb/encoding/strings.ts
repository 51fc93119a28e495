// Go orders strings by their UTF-8 bytes; JS compares UTF-16 code units. The
// two differ only between surrogate pairs and U+E000..U+FFFF, which this maps.
import type { Labels } from "../../model/labels.js";

function utf8Rank(c: number): number {
  if (c < 0xd800) return c;
  return c <= 0xdfff ? c + 0x2000 : c - 0x800;
}

/** Compares as Go's strings.Compare does (byte-wise UTF-8). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return ca < 0xd800 && cb < 0xd800 ? ca - cb : utf8Rank(ca) - utf8Rank(cb);
  }
  return a.length - b.length;
}

/** Orders label sets as Prometheus' labels.Compare (byte-wise names then values). */
export function compareLabelSets(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i].name, b[i].name);
    if (c !== 0) return c;
    const d = compareStrings(a[i].value, b[i].value);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
