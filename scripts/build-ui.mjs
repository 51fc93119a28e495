// Emits build/ui/: the page shell, stylesheet and icon copied from src/web/ui/assets/, uPlot's
// stylesheet, and app.js, the pages bundled by esbuild from app.ts with the npm packages they
// use (CodeMirror with Prometheus' PromQL mode, uPlot). Type checking is done by the main tsc
// run, which includes these files; esbuild only strips types and bundles.
import { copyFile, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src", "web", "ui", "assets");
const outDir = join(root, "build", "ui");

try {
  // Build into a fresh temp dir, then swap, so a running server never sees half a UI.
  const tmp = `${outDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const name of await readdir(srcDir)) {
    if ([".html", ".css", ".svg"].includes(extname(name))) await copyFile(join(srcDir, name), join(tmp, name));
  }
  await copyFile(join(root, "node_modules", "uplot", "dist", "uPlot.min.css"), join(tmp, "uplot.css"));
  await build({
    entryPoints: [join(srcDir, "app.ts")],
    outfile: join(tmp, "app.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    logLevel: "error",
    legalComments: "linked",
  });
  await rm(outDir, { recursive: true, force: true });
  await rename(tmp, outDir);
} catch (err) {
  console.error(`build-ui: ${err.message}`);
  process.exit(1);
}
