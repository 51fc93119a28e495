// Web UI routes: "/" redirects to the graph page, every page path serves the same shell
// (the script picks the view from the path), and /ui/... serves the built scripts and
// the browser codec. Pages link relatively, so they work under a route prefix and
// behind a proxy that serves the external URL's path.
import { join } from "node:path";
import type { Router } from "../router.js";
import { packageRoot, StaticDir } from "./static.js";

/** Page paths the shell answers; app.ts knows the same list. */
export const UI_PAGES = ["graph", "targets", "service-discovery", "alerts", "rules", "status", "flags", "config", "tsdb-status"] as const;

export interface UIOptions {
  /** "" or the route prefix without a trailing slash, as the server uses it. */
  readonly prefix: string;
  /** The package root holding build/ui and build/browser; found from this file by default. */
  readonly root?: string;
}

export function registerUI(router: Router, opts: UIOptions): void {
  const root = opts.root ?? packageRoot();
  const ui = new StaticDir({ dir: join(root, "build", "ui"), buildHint: "`npm run build:ui`" });
  const codec = new StaticDir({ dir: join(root, "build", "browser"), buildHint: "`npm run build:wasm && npm run build:browser`" });

  router.get("/", (ctx) => ctx.redirect(`${opts.prefix}/graph`));
  for (const page of UI_PAGES) router.get(`/${page}`, (ctx) => ui.serve(ctx, ["index.html"]));
  router.get("/ui/:file", (ctx, p) => ui.serve(ctx, [p.file]));
  router.get("/ui/codec/:file", (ctx, p) => codec.serve(ctx, [p.file]));
  // The codec's transpiled modules sit one or two folders below lib/.
  router.get("/ui/codec/lib/:a/:file", (ctx, p) => codec.serve(ctx, ["lib", p.a, p.file]));
  router.get("/ui/codec/lib/:a/:b/:file", (ctx, p) => codec.serve(ctx, ["lib", p.a, p.b, p.file]));
}
