// global.query_log_file: one JSON line per executed query, in Prometheus' query log format.
// The file is reopened on each config reload (so rotation works) and closed when unset.
import { createWriteStream, type WriteStream } from "node:fs";
import type { Logger } from "../log/logger.js";
import type { QueryLogEntry } from "../web/sources.js";

export class QueryLog {
  private stream: WriteStream | undefined;
  private path = "";
  private readonly logger: Logger;

  constructor(opts: { logger: Logger }) {
    this.logger = opts.logger;
  }

  /** Points the log at path ("" turns it off); a no-op when the path is unchanged. */
  async setPath(path: string): Promise<void> {
    if (path === this.path) return;
    await this.close();
    this.path = path;
    if (path === "") return;
    const stream = createWriteStream(path, { flags: "a" });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (cause) => reject(new Error(`open query log ${path}`, { cause })));
    });
    stream.on("error", (err) => this.logger.error("writing the query log failed", { file: path, err }));
    this.stream = stream;
  }

  write(e: QueryLogEntry): void {
    if (!this.stream) return;
    const iso = (ms: number): string => new Date(ms).toISOString();
    const line = {
      httpRequest: { clientIP: e.clientIP, method: e.method, path: e.path },
      params: { end: iso(e.endMs), query: e.query, start: iso(e.startMs), step: e.stepMs / 1000 },
      stats: { timings: e.stats.timings, samples: e.stats.samples },
      ts: new Date().toISOString(),
    };
    this.stream.write(JSON.stringify(line) + "\n");
  }

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    this.path = "";
    if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
  }
}
