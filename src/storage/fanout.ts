// Fanout: one Storage over the local TSDB (primary) and secondaries such as remote
// storage. Appends go to the primary first; a sample the primary rejects is not sent on,
// and secondaries get the primary's series ref (so they can cache per series). Primary
// errors reach the caller; secondary errors are logged, never failing a scrape or rule.
// Queries merge the primary with every secondary that can be queried.
import type { Labels } from "../model/labels.js";
import type { Logger } from "../log/logger.js";
import type { Appender, Querier, SeriesRef, Storage } from "./interface.js";
import { MergeQuerier } from "./merge.js";

/** What a secondary may offer: appending (remote write), querying (remote read), or both. */
export interface SecondaryStorage {
  appender?(): Appender;
  querier?(mint: number, maxt: number): Promise<Querier>;
  close?(): Promise<void>;
}

export interface FanoutOptions {
  readonly primary: Storage;
  readonly secondaries: readonly SecondaryStorage[];
  readonly logger?: Logger;
}

export class Fanout implements Storage {
  private readonly primary: Storage;
  private readonly secondaries: readonly SecondaryStorage[];
  private readonly logger: Logger | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: FanoutOptions) {
    this.primary = opts.primary;
    this.secondaries = opts.secondaries;
    this.logger = opts.logger?.with({ component: "fanout" });
  }

  appender(): Appender {
    const secondaries: Appender[] = [];
    for (const s of this.secondaries) if (s.appender) secondaries.push(s.appender());
    const primary = this.primary.appender();
    return secondaries.length === 0 ? primary : new FanoutAppender(primary, secondaries, this.logger);
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const primary = await this.primary.querier(mint, maxt);
    const secondaries: Querier[] = [];
    for (const s of this.secondaries) {
      if (!s.querier) continue;
      try {
        secondaries.push(await s.querier(mint, maxt));
      } catch (err) {
        this.logger?.warn("open secondary querier failed; results come from local storage only", { err });
      }
    }
    if (secondaries.length === 0) return primary;
    return new MergeQuerier({ primaries: [primary], secondaries, logger: this.logger });
  }

  startTime(): number | undefined {
    return this.primary.startTime();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const errs: unknown[] = [];
      for (const s of this.secondaries) await s.close?.().catch((err: unknown) => errs.push(err));
      await this.primary.close();
      if (errs.length > 0) throw new Error("close secondary storage", { cause: errs[0] });
    })();
    return this.closing;
  }
}

class FanoutAppender implements Appender {
  constructor(
    private readonly primary: Appender,
    private readonly secondaries: readonly Appender[],
    private readonly logger: Logger | undefined,
  ) {}

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    const r = this.primary.append(ref, labels, t, v);
    for (const s of this.secondaries) {
      try {
        s.append(r, labels, t, v);
      } catch (err) {
        this.logger?.warn("secondary append failed", { err });
      }
    }
    return r;
  }

  async commit(): Promise<void> {
    try {
      await this.primary.commit();
    } catch (err) {
      await Promise.all(this.secondaries.map((s) => s.rollback().catch(() => undefined)));
      throw err;
    }
    for (const s of this.secondaries) {
      try {
        await s.commit();
      } catch (err) {
        this.logger?.warn("secondary commit failed", { err });
      }
    }
  }

  async rollback(): Promise<void> {
    let first: unknown;
    try {
      await this.primary.rollback();
    } catch (err) {
      first = err;
    }
    for (const s of this.secondaries) await s.rollback().catch((err: unknown) => this.logger?.warn("secondary rollback failed", { err }));
    if (first !== undefined) throw first;
  }
}
