// Compiles grammar/*.peggy into ES modules under build/grammar/ (with a .d.ts).
import { readFile, writeFile, mkdir, readdir } from "node:fs/promises";
import peggy from "peggy";

const outDir = new URL("../build/grammar/", import.meta.url);
await mkdir(outDir, { recursive: true });
for (const file of await readdir(new URL("../grammar/", import.meta.url))) {
  if (!file.endsWith(".peggy")) continue;
  const name = file.slice(0, -".peggy".length);
  const text = await readFile(new URL(`../grammar/${file}`, import.meta.url), "utf8");
  let source;
  try {
    source = peggy.generate(text, { output: "source", format: "es", grammarSource: `grammar/${file}`, allowedStartRules: ["*"] });
  } catch (err) {
    const loc = err.location ? `${err.location.start.line}:${err.location.start.column}: ` : "";
    console.error(`grammar/${file}:${loc}${err.message}`);
    process.exit(1);
  }
  await writeFile(new URL(`${name}.js`, outDir), source);
  await writeFile(
    new URL(`${name}.d.ts`, outDir),
    `export interface PeggyLocation { start: { offset: number; line: number; column: number }; end: { offset: number; line: number; column: number } }
export declare class SyntaxError extends Error { location: PeggyLocation; expected: unknown; found: string | null }
export declare const StartRules: string[];
export declare function parse(input: string, options?: { startRule?: string; [key: string]: unknown }): unknown;
`,
  );
}
