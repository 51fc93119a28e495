// Loopback plumbing for remote tests: an HTTP server running the remote handlers, a
// Prometheus 2.42 child process, and API helpers.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Labels } from "../../src/model/labels.js";
import { DEFAULT_HTTP_CLIENT, DEFAULT_METADATA, DEFAULT_QUEUE, type QueueConfig, type RemoteReadConfig, type RemoteWriteConfig } from "../../src/config/types.js";
import { handleRemoteRead, type ReadHandlerOptions } from "../../src/remote/read-handler.js";
import { handleRemoteWrite, type WriteHandlerOptions } from "../../src/remote/write-handler.js";
import type { Appendable, Queryable } from "../../src/storage/interface.js";
import { listen } from "../helpers/reference.js";

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export interface RemoteEndpoint {
  readonly server: Server;
  readonly base: string;
  /** Every write request's headers, in arrival order. */
  readonly writeHeaders: IncomingMessage["headers"][];
  close(): Promise<void>;
}

/** /api/v1/write into `appendable` and /api/v1/read over `queryable`, on 127.0.0.1. */
export async function startRemoteEndpoint(opts: { appendable?: Appendable; queryable?: Queryable; externalLabels?: Labels; readOptions?: ReadHandlerOptions; writeOptions?: WriteHandlerOptions }): Promise<RemoteEndpoint> {
  const writeHeaders: IncomingMessage["headers"][] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.url === "/api/v1/write" && opts.appendable) {
        writeHeaders.push(req.headers);
        const r = await handleRemoteWrite(body, req.headers, opts.appendable, opts.writeOptions);
        res.writeHead(r.status, { "Content-Type": "text/plain", ...r.headers }).end(r.message);
      } else if (req.url === "/api/v1/read" && opts.queryable) {
        const r = await handleRemoteRead(body, req.headers, opts.queryable, opts.externalLabels ?? [], opts.readOptions);
        res.writeHead(r.status, r.headers).end(r.body);
      } else {
        res.writeHead(404).end();
      }
    })();
  });
  const port = await listen(server);
  return {
    server,
    base: `http://127.0.0.1:${port}`,
    writeHeaders,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface ApiResponse<T> {
  status: string;
  data: T;
  error?: string;
}

export { startPrometheus, type PrometheusProcess } from "../helpers/process.js";

export async function promApi<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  const body = (await res.json()) as ApiResponse<T>;
  if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.data;
}

export interface PromMatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export function writeConfig(url: string, over: Partial<RemoteWriteConfig> = {}, queue: Partial<QueueConfig> = {}): RemoteWriteConfig {
  return {
    url,
    name: "",
    remoteTimeoutMs: 5000,
    headers: {},
    writeRelabelConfigs: [],
    sendExemplars: false,
    sendNativeHistograms: false,
    protobufMessage: "prometheus.WriteRequest",
    queueConfig: { ...DEFAULT_QUEUE, ...queue },
    metadataConfig: DEFAULT_METADATA,
    httpClientConfig: DEFAULT_HTTP_CLIENT,
    ...over,
  };
}

export function readConfig(url: string, over: Partial<RemoteReadConfig> = {}): RemoteReadConfig {
  return {
    url,
    name: "",
    remoteTimeoutMs: 5000,
    headers: {},
    readRecent: true,
    requiredMatchers: {},
    filterExternalLabels: true,
    httpClientConfig: DEFAULT_HTTP_CLIENT,
    ...over,
  };
}
