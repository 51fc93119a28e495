// Fetches one scrape body: Accept and timeout headers as Prometheus sends them, gzip, a body
// size limit on the decompressed bytes, basic/bearer auth (files re-read per scrape), TLS
// options and an http:// proxy (CONNECT tunnel for https targets).
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { isIP } from "node:net";
import { createGunzip } from "node:zlib";
import type { Socket } from "node:net";
import { BodySizeLimitError, ScrapeError } from "./errors.js";
import type { ScrapeJobOptions, ScrapeProtocol } from "./options.js";

/** Prometheus 2.42's Accept header. */
export const DEFAULT_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

const PROTOCOL_MEDIA: Record<ScrapeProtocol, string> = {
  PrometheusProto: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
  "PrometheusText0.0.4": "text/plain;version=0.0.4",
  "OpenMetricsText0.0.1": "application/openmetrics-text;version=0.0.1",
  "OpenMetricsText1.0.0": "application/openmetrics-text;version=1.0.0",
};

/** The Accept header for a protocol preference list, weighted as Prometheus' scrape_protocols are. */
export function acceptHeader(protocols: readonly ScrapeProtocol[] | undefined): string {
  if (!protocols || protocols.length === 0) return DEFAULT_ACCEPT;
  let weight = Object.keys(PROTOCOL_MEDIA).length + 1;
  const vals = protocols.map((p) => `${PROTOCOL_MEDIA[p]};q=0.${weight--}`);
  vals.push(`*/*;q=0.${weight}`);
  return vals.join(",");
}

export interface ScrapeResponse {
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

const USER_AGENT = "Prometheus/2.42.0 promwasm/0.1.0";

function readPem(inline: string | undefined, file: string | undefined): string | undefined {
  if (inline) return inline;
  return file ? readFileSync(file, "utf8") : undefined;
}

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** One client per scrape pool: keeps connections alive across scrapes. */
export class ScrapeHttpClient {
  private readonly job: ScrapeJobOptions;
  private readonly accept: string;
  private readonly tls: ConnectionOptions;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent: HttpsAgent;

  constructor(job: ScrapeJobOptions) {
    this.job = job;
    this.accept = acceptHeader(job.scrapeProtocols);
    const t = job.tls ?? {};
    this.tls = {
      ca: readPem(t.ca, t.caFile),
      cert: readPem(t.cert, t.certFile),
      key: readPem(t.key, t.keyFile),
      servername: t.serverName,
      rejectUnauthorized: !t.insecureSkipVerify,
    };
    this.httpsAgent = new HttpsAgent({ keepAlive: true, ...this.tls });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async headers(timeoutMs: number): Promise<Record<string, string>> {
    const h: Record<string, string> = {
      Accept: this.accept,
      "Accept-Encoding": "gzip",
      "User-Agent": USER_AGENT,
      "X-Prometheus-Scrape-Timeout-Seconds": String(timeoutMs / 1000),
    };
    const { basicAuth, authorization } = this.job;
    if (basicAuth) {
      const password = basicAuth.passwordFile ? (await readFile(basicAuth.passwordFile, "utf8")).trim() : (basicAuth.password ?? "");
      h.Authorization = "Basic " + Buffer.from(`${basicAuth.username}:${password}`).toString("base64");
    } else if (authorization) {
      const creds = authorization.credentialsFile ? (await readFile(authorization.credentialsFile, "utf8")).trim() : (authorization.credentials ?? "");
      h.Authorization = `${authorization.type ?? "Bearer"} ${creds}`;
    }
    return h;
  }

  async scrape(url: URL, timeoutMs: number, signal: AbortSignal): Promise<ScrapeResponse> {
    const headers = await this.headers(timeoutMs);
    let res = await this.send(url, headers, signal);
    // follow_redirects (default true), with Go's limit of 10 hops.
    for (let hops = 0; this.job.followRedirects !== false && isRedirect(res.statusCode) && res.headers.location; hops++) {
      res.resume();
      if (hops === 10) throw new ScrapeError("stopped after 10 redirects");
      url = new URL(res.headers.location!, url);
      res = await this.send(url, headers, signal);
    }
    try {
      if (res.statusCode !== 200) throw new ScrapeError(`server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ""}`.trimEnd());
      const body = await this.readBody(res, signal);
      return { body, contentType: res.headers["content-type"] };
    } finally {
      res.resume();
    }
  }

  private async send(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    const https = url.protocol === "https:";
    const proxy = this.job.proxyUrl ? new URL(this.job.proxyUrl) : undefined;
    const tunnel = proxy && https ? await this.tunnel(proxy, url, signal) : undefined;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const onError = (err: Error) => reject(signal.aborted ? new ScrapeError("context deadline exceeded", { cause: signal.reason }) : err);
      const base: RequestOptions = { method: "GET", headers, signal };
      let req;
      if (proxy && !https) {
        // Plain HTTP through a proxy: absolute-form request line to the proxy.
        req = httpRequest({ ...base, host: proxy.hostname, port: proxy.port || 80, path: url.toString(), headers: { ...headers, Host: url.host } });
      } else if (tunnel) {
        const socket = tlsConnect({ ...this.tls, socket: tunnel, servername: this.tls.servername ?? (isIP(url.hostname) ? undefined : url.hostname) });
        // A one-off agent: Node only honours createConnection through an agent.
        const agent = new HttpsAgent({ keepAlive: false });
        agent.createConnection = () => socket;
        req = httpsRequest({ ...base, host: url.hostname, port: url.port || 443, path: url.pathname + url.search, agent });
      } else if (https) {
        req = httpsRequest({ ...base, host: url.hostname, port: url.port || 443, path: url.pathname + url.search, agent: this.httpsAgent });
      } else {
        req = httpRequest({ ...base, host: url.hostname, port: url.port || 80, path: url.pathname + url.search, agent: this.httpAgent });
      }
      req.once("response", resolve);
      req.once("error", onError);
      req.end();
    });
  }

  /** Opens an HTTP CONNECT tunnel through the proxy to the target's host:port. */
  private tunnel(proxy: URL, url: URL, signal: AbortSignal): Promise<Socket> {
    const target = `${url.hostname}:${url.port || 443}`;
    return new Promise<Socket>((resolve, reject) => {
      const req = httpRequest({ host: proxy.hostname, port: proxy.port || 80, method: "CONNECT", path: target, headers: { Host: target }, signal, agent: false });
      req.once("connect", (res, socket) => {
        if (res.statusCode === 200) return resolve(socket);
        socket.destroy();
        reject(new ScrapeError(`proxy CONNECT ${target}: HTTP status ${res.statusCode}`));
      });
      req.once("error", (err) => reject(new ScrapeError(`proxy CONNECT ${target}`, { cause: err })));
      req.end();
    });
  }

  private readBody(res: IncomingMessage, signal: AbortSignal): Promise<Buffer> {
    const limit = this.job.bodySizeLimitBytes ?? 0;
    const gzip = /\bgzip\b/i.test(String(res.headers["content-encoding"] ?? ""));
    const stream = gzip ? res.pipe(createGunzip()) : res;
    return new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        reject(signal.aborted ? new ScrapeError("context deadline exceeded", { cause: signal.reason }) : err);
        stream.destroy();
        res.destroy();
      };
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (limit > 0 && size > limit) return fail(new BodySizeLimitError());
        parts.push(chunk);
      });
      stream.once("end", () => !settled && resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)));
      stream.once("error", (err) => fail(gzip ? new ScrapeError("decompress gzip body", { cause: err }) : err));
      res.once("aborted", () => fail(new ScrapeError("connection closed while reading body")));
    });
  }
}
