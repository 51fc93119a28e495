// Static files for the web UI: the page shell and scripts built into build/ui/ and the
// browser codec in build/browser/. Names are checked segment by segment so a request
// never leaves its directory; responses carry a content type, an ETag and no-cache
// (browsers revalidate, so a rebuilt UI is picked up at once and unchanged files cost a 304),
// and text files go gzipped to clients that accept it (the UI bundle shrinks to a third).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Context } from "koa";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".map": "application/json",
};

const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".map"]);

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** The package root: the nearest directory above this file with a package.json (works from src/ and build/dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`web UI: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

interface Cached {
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Buffer;
  /** Compressed once, when the file is read; undefined for files that do not compress (wasm). */
  readonly gzipped: Buffer | undefined;
  readonly etag: string;
}

export interface StaticDirOptions {
  /** Absolute directory the files are served from. */
  readonly dir: string;
  /** Shown in the 404 body when the whole directory is missing (e.g. "npm run build:ui"). */
  readonly buildHint: string;
}

/** Serves files of one directory; contents are cached by mtime and size. */
export class StaticDir {
  private readonly dir: string;
  private readonly buildHint: string;
  private readonly cache = new Map<string, Cached>();

  constructor(opts: StaticDirOptions) {
    this.dir = opts.dir;
    this.buildHint = opts.buildHint;
  }

  /** Answers ctx with the file at the path segments (already URL-decoded), or a 404. */
  async serve(ctx: Context, segments: readonly string[]): Promise<void> {
    if (segments.length === 0 || !segments.every((s) => SEGMENT.test(s))) return notFound(ctx, "404 page not found\n");
    const file = await this.load(join(this.dir, ...segments));
    if (!file) {
      const hint = existsSync(this.dir) ? "" : `web UI assets missing (${this.dir}): run ${this.buildHint}\n`;
      return notFound(ctx, hint || "404 page not found\n");
    }
    const gzip = file.gzipped !== undefined && ctx.acceptsEncodings("gzip", "identity") === "gzip";
    // Each encoding is its own representation, so it gets its own strong ETag.
    const etag = gzip ? `${file.etag.slice(0, -1)}-gz"` : file.etag;
    ctx.set("Cache-Control", "no-cache");
    ctx.set("ETag", etag);
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.vary("Accept-Encoding");
    ctx.type = CONTENT_TYPES[extname(segments[segments.length - 1])] ?? "application/octet-stream";
    if (ctx.get("if-none-match") === etag) {
      ctx.status = 304;
      return;
    }
    ctx.status = 200;
    if (gzip) ctx.set("Content-Encoding", "gzip");
    ctx.body = gzip ? file.gzipped : file.body;
  }

  private async load(path: string): Promise<Cached | undefined> {
    let st;
    try {
      st = await stat(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = this.cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch (cause) {
      throw new Error(`web UI: read ${path}`, { cause });
    }
    const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
    const gzipped = COMPRESSIBLE.has(extname(path)) ? gzipSync(body, { level: 9 }) : undefined;
    const entry = { mtimeMs: st.mtimeMs, size: st.size, body, gzipped, etag };
    this.cache.set(path, entry);
    return entry;
  }
}

function notFound(ctx: Context, body: string): void {
  ctx.status = 404;
  ctx.type = "text/plain; charset=utf-8";
  ctx.body = body;
}
