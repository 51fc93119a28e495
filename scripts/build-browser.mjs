// Emits build/browser/: codec.js (an ES module a page imports directly), the modules it
// needs from src/ transpiled one-to-one under lib/, and promwasm.wasm beside codec.js.
// No bundler is a direct dependency, so this follows the static relative imports of the
// browser entry points itself and transpiles each file with the TypeScript compiler API.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src");
const outDir = join(root, "build", "browser");
const wasmFile = join(root, "build", "wasm", "promwasm.wasm");
// The environment-neutral API and the fetch-based loader; never load-node.ts.
const entries = [join(srcDir, "wasm", "api.ts"), join(srcDir, "wasm", "load-browser.ts")];

const importRe = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["'](\.{1,2}\/[^"']+)["']/g;

async function collect(file, seen) {
  if (seen.has(file)) return;
  seen.add(file);
  const text = await readFile(file, "utf8");
  for (const m of text.matchAll(importRe)) {
    const target = resolve(dirname(file), m[1].replace(/\.js$/, ".ts"));
    if (!target.startsWith(srcDir)) throw new Error(`${relative(root, file)}: browser import leaves src/: ${m[1]}`);
    await collect(target, seen);
  }
}

try {
  await readFile(wasmFile).catch((cause) => {
    throw new Error("build/wasm/promwasm.wasm is missing: run `npm run build:wasm` first", { cause });
  });
  const files = new Set();
  for (const e of entries) await collect(e, files);
  await rm(outDir, { recursive: true, force: true });
  for (const file of files) {
    const source = await readFile(file, "utf8");
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, verbatimModuleSyntax: false },
      reportDiagnostics: true,
    });
    if (out.diagnostics?.length) {
      const msg = ts.formatDiagnostics(out.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" });
      throw new Error(`transpile ${relative(root, file)}:\n${msg}`);
    }
    const dest = join(outDir, "lib", relative(srcDir, file)).replace(/\.ts$/, ".js");
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, out.outputText);
  }
  await copyFile(wasmFile, join(outDir, "promwasm.wasm"));
  // Top-level await: once the import resolves, the codec is ready to call.
  await writeFile(
    join(outDir, "codec.js"),
    `import { loadWasm } from "./lib/wasm/load-browser.js";\n` +
      `await loadWasm(new URL("./promwasm.wasm", import.meta.url));\n` +
      `export * from "./lib/wasm/api.js";\n` +
      `export { loadWasm };\n`,
  );
  await writeFile(
    join(outDir, "codec.d.ts"),
    `export * from "../dist/src/wasm/api.js";\nexport { loadWasm } from "../dist/src/wasm/load-browser.js";\n`,
  );
} catch (err) {
  console.error(`build-browser: ${err.message}`);
  if (err.cause) console.error(`  cause: ${err.cause.message ?? err.cause}`);
  process.exit(1);
}
