// File globs as rule_files uses them (Go's filepath.Glob): * ? [...] within path segments.
import { access, readdir } from "node:fs/promises";
import { join, sep } from "node:path";

export function hasGlobMeta(p: string): boolean {
  return /[*?[]/.test(p);
}

function segmentRegExp(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 1);
      if (end < 0) throw new Error(`syntax error in pattern ${JSON.stringify(seg)}`);
      const body = seg.slice(i + 1, end).replace(/^\^/, "!");
      re += "[" + (body.startsWith("!") ? "^" + body.slice(1) : body).replace(/\\/g, "\\\\") + "]";
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The sorted paths matching an absolute pattern; [] when nothing matches. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(sep);
  let bases = [parts[0] === "" ? sep : parts[0]];
  for (const seg of parts.slice(1)) {
    if (seg === "") continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasGlobMeta(seg)) {
        next.push(join(base, seg));
        continue;
      }
      const re = segmentRegExp(seg);
      const names = await readdir(base).catch(() => [] as string[]);
      for (const n of names.sort()) if (re.test(n)) next.push(join(base, n));
    }
    bases = next;
  }
  const out: string[] = [];
  for (const b of bases) {
    try {
      await access(b);
      out.push(b);
    } catch {
      // Globs only return paths that exist.
    }
  }
  return out;
}
