// The active query log: queries.active in a directory holds the queries running now, so
// that after a crash the next start can report which queries were in flight.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log/logger.js";

interface Entry {
  readonly query: string;
  readonly timestamp_sec: number;
}

export interface ActiveQueryTrackerOptions {
  readonly dir: string;
  readonly logger?: Logger;
}

export class ActiveQueryTracker {
  private readonly path: string;
  private readonly active = new Map<number, Entry>();
  private nextId = 1;

  constructor(opts: ActiveQueryTrackerOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.path = join(opts.dir, "queries.active");
    if (existsSync(this.path)) {
      let left: Entry[] = [];
      try {
        const parsed: unknown = JSON.parse(readFileSync(this.path, "utf8"));
        if (Array.isArray(parsed)) left = parsed.filter((e): e is Entry => typeof e === "object" && e !== null && typeof (e as Entry).query === "string");
      } catch (cause) {
        opts.logger?.warn("read active query log", { file: this.path, err: new Error("parse queries.active", { cause }) });
      }
      if (left.length > 0) {
        opts.logger?.warn("These queries didn't finish in prometheus' last run:");
        for (const e of left) opts.logger?.warn("unfinished query", { query: e.query, timestamp_sec: e.timestamp_sec });
      }
    }
    this.flush();
  }

  insert(query: string): number {
    const id = this.nextId++;
    this.active.set(id, { query, timestamp_sec: Math.floor(Date.now() / 1000) });
    this.flush();
    return id;
  }

  delete(id: number): void {
    if (this.active.delete(id)) this.flush();
  }

  private flush(): void {
    writeFileSync(this.path, JSON.stringify([...this.active.values()]));
  }
}
