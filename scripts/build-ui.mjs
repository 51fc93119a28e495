// Emits build/ui/: the web UI's page shell and stylesheet copied from src/web/ui/assets/,
// and its TypeScript modules transpiled one-to-one to ES modules a browser loads directly
// (type checking is done by the main tsc run, which includes these files).
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src", "web", "ui", "assets");
const outDir = join(root, "build", "ui");

try {
  const names = await readdir(srcDir);
  // Build into a fresh temp dir, then swap, so a running server never sees half a UI.
  const tmp = `${outDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const name of names) {
    const file = join(srcDir, name);
    const ext = extname(name);
    if (ext === ".ts") {
      const out = ts.transpileModule(await readFile(file, "utf8"), {
        fileName: file,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
        reportDiagnostics: true,
      });
      if (out.diagnostics?.length) {
        const msg = ts.formatDiagnostics(out.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" });
        throw new Error(`transpile ${name}:\n${msg}`);
      }
      await writeFile(join(tmp, name.replace(/\.ts$/, ".js")), out.outputText);
    } else if (ext === ".html" || ext === ".css" || ext === ".svg") {
      await copyFile(file, join(tmp, name));
    }
  }
  await rm(outDir, { recursive: true, force: true });
  await rename(tmp, outDir);
} catch (err) {
  console.error(`build-ui: ${err.message}`);
  process.exit(1);
}
