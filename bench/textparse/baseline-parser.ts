// A plain-TS text-format (0.0.4) parser written the obvious way, as the speed baseline for
// the WASM lexer: it decodes the body to a string and builds one object per sample.
import type { Label } from "../../src/model/labels.js";

export interface BaselineSample {
  readonly labels: Label[];
  readonly value: number;
  readonly ts: number | undefined;
}

function unescape(s: string): string {
  return s.includes("\\") ? s.replace(/\\(["\\n])/g, (_m, c: string) => (c === "n" ? "\n" : c)) : s;
}

export function parseTextBaseline(body: Uint8Array): BaselineSample[] {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  const out: BaselineSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line[0] === "#") continue;
    let i = 0;
    while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
    const labels: Label[] = [{ name: "__name__", value: line.slice(0, i) }];
    if (line[i] === "{") {
      i++;
      for (;;) {
        while (line[i] === " " || line[i] === ",") i++;
        if (line[i] === "}") {
          i++;
          break;
        }
        const eq = line.indexOf("=", i);
        if (eq < 0 || line[eq + 1] !== '"') throw new Error(`bad labels: ${line}`);
        const name = line.slice(i, eq).trim();
        let j = eq + 2;
        while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
        if (j >= line.length) throw new Error(`unterminated label value: ${line}`);
        labels.push({ name, value: unescape(line.slice(eq + 2, j)) });
        i = j + 1;
      }
    }
    const rest = line.slice(i).trim().split(/[ \t]+/);
    const value = Number(rest[0]);
    if (rest[0] === "" || (Number.isNaN(value) && rest[0] !== "NaN")) throw new Error(`bad value: ${line}`);
    const ts = rest.length > 1 ? Number(rest[1]) : undefined;
    labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push({ labels, value, ts });
  }
  return out;
}
