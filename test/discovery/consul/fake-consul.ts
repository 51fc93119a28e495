// A Consul agent's HTTP API on loopback for consul_sd tests: /v1/agent/self, the catalog's
// service list and each service's health entries, each with its own X-Consul-Index and
// blocking queries (a request whose index is current waits until the data changes or its
// wait runs out). Every request is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { listen } from "../../helpers/reference.js";

export interface SeenRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly token: string | undefined;
}

interface Resource {
  index: number;
  body: unknown;
  readonly waiting: Set<() => void>;
}

export class FakeConsul {
  readonly requests: SeenRequest[] = [];
  private readonly resources = new Map<string, Resource>();
  private readonly server: Server;
  private readonly datacenter: string;

  constructor(datacenter = "dc1") {
    this.datacenter = datacenter;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<string> {
    return `127.0.0.1:${await listen(this.server)}`;
  }

  /** Sets what path returns and moves its index on, answering blocked queries. */
  set(path: string, body: unknown, index: number): void {
    const r = this.resources.get(path) ?? { index: 0, body: undefined, waiting: new Set<() => void>() };
    r.body = body;
    r.index = index;
    this.resources.set(path, r);
    for (const wake of [...r.waiting]) wake();
  }

  /** Requests to path so far. */
  seen(path: string): SeenRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const r of this.resources.values()) for (const wake of [...r.waiting]) wake();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? "/", "http://x");
    const token = req.headers["x-consul-token"];
    this.requests.push({ path: u.pathname, query: u.searchParams, token: typeof token === "string" ? token : undefined });
    if (u.pathname === "/v1/agent/self") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ Config: { Datacenter: this.datacenter, NodeName: "node-a", Server: true, Version: "1.18.1" }, Member: { Name: "node-a", Addr: "10.1.10.12", Port: 8301 } }));
      return;
    }
    const r = this.resources.get(u.pathname);
    if (!r) {
      res.writeHead(404).end("Unexpected response code: 404");
      return;
    }
    const answer = (): void => {
      if (res.writableEnded) return;
      res.writeHead(200, { "Content-Type": "application/json", "X-Consul-Index": String(r.index), "X-Consul-Knownleader": "true" });
      res.end(JSON.stringify(r.body));
    };
    const index = Number(u.searchParams.get("index") ?? "0");
    if (index === 0 || index !== r.index) return answer();
    // A blocking query at the current index: answer on the next change, or when wait runs out.
    const waitMs = Number(/^(\d+)ms$/.exec(u.searchParams.get("wait") ?? "")?.[1] ?? 300_000);
    const wake = (): void => {
      clearTimeout(timer);
      r.waiting.delete(wake);
      answer();
    };
    const timer = setTimeout(wake, waitMs);
    r.waiting.add(wake);
    res.on("close", () => {
      clearTimeout(timer);
      r.waiting.delete(wake);
    });
  }
}
