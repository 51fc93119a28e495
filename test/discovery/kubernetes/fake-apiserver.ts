// A Kubernetes API server on loopback for discovery tests: serves collections as the real
// one does (paged lists with a resourceVersion; watches as newline-delimited JSON events
// held open until the test ends them) and records every request. Tests drive the watch
// streams: events, bookmarks, an ERROR 410, the end of a stream, or a 410 for the next watch.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { listen, waitFor } from "../../helpers/reference.js";

export interface SeenRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
}

interface Collection {
  resourceVersion: string;
  items: object[];
}

interface OpenWatch {
  readonly path: string;
  readonly resourceVersion: string;
  readonly res: ServerResponse;
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}

export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  private readonly collections = new Map<string, Collection>();
  private readonly watches = new Set<OpenWatch>();
  private readonly goneNext = new Set<string>();
  private readonly server: Server;
  private readonly scheme: string;
  private port = 0;

  constructor(tls?: { key: Buffer; cert: Buffer }) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    this.server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
    this.scheme = tls ? "https" : "http";
  }

  async start(): Promise<string> {
    this.port = await listen(this.server);
    return this.url;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  /** Sets what a list of path returns from now on. */
  setList(path: string, resourceVersion: string, items: object[]): void {
    this.collections.set(path, { resourceVersion, items });
  }

  /** Sends an event to every open watch of path. */
  event(path: string, type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR", object: object): void {
    for (const w of this.watches) if (w.path === path) w.res.write(JSON.stringify({ type, object }) + "\n");
  }

  /** The stream says the version is gone (what the server sends when its watch cache moved on). */
  expire(path: string): void {
    this.event(path, "ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "too old resource version: 1 (2)", reason: "Expired", code: 410 });
  }

  /** Ends every open watch of path, as the server does when timeoutSeconds runs out. */
  endWatches(path: string): void {
    for (const w of [...this.watches]) {
      if (w.path !== path) continue;
      this.watches.delete(w);
      w.res.end();
    }
  }

  /** The next watch of path is answered 410 Gone. */
  goneOnNextWatch(path: string): void {
    this.goneNext.add(path);
  }

  /** Waits until a watch of path from resourceVersion is open. */
  async watching(path: string, resourceVersion: string): Promise<void> {
    await waitFor(() => [...this.watches].some((w) => w.path === path && w.resourceVersion === resourceVersion), 20_000, `a watch of ${path} from ${resourceVersion}`);
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? "/", "http://x");
    this.requests.push({ path: u.pathname, query: u.searchParams, authorization: req.headers.authorization });
    const coll = this.collections.get(u.pathname);
    if (!coll) return status(res, 404, "NotFound", `the server could not find the requested resource (get ${u.pathname})`);
    if (u.searchParams.get("watch") === "true") {
      if (this.goneNext.delete(u.pathname)) return status(res, 410, "Expired", "too old resource version");
      res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
      res.flushHeaders();
      const w = { path: u.pathname, resourceVersion: u.searchParams.get("resourceVersion") ?? "", res };
      this.watches.add(w);
      res.on("close", () => this.watches.delete(w));
      return;
    }
    // Paged as the real server pages: continue is the offset here, opaque to clients.
    const limit = Number(u.searchParams.get("limit") ?? "0") || coll.items.length;
    const offset = Number(u.searchParams.get("continue") || "0");
    const items = coll.items.slice(offset, offset + limit);
    const next = offset + limit < coll.items.length ? String(offset + limit) : undefined;
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ kind: "List", apiVersion: "v1", metadata: { resourceVersion: coll.resourceVersion, ...(next ? { continue: next } : {}) }, items }));
  }
}
