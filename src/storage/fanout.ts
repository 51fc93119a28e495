// Fanout: one Storage over the local TSDB (primary) and secondaries such as remote
// storage. Appends go to the primary first; a sample the primary rejects is not sent on,
// and appendable secondaries get the primary's series ref (so they can cache per series).
// Primary errors reach the caller; secondary errors are logged, never failing a scrape or
// rule. Queries merge the primary with every queryable secondary. The two lists are
// separate so that a secondary that only reads (remote read, or remote write tailing the
// WAL) adds no work per appended sample. Secondaries are closed by their owner.
import type { Labels } from "../model/labels.js";
import type { Logger } from "../log/logger.js";
import { UnknownSeriesRefError } from "./errors.js";
import type { Appendable, Appender, Querier, Queryable, SeriesRef, Storage } from "./interface.js";
import { MergeQuerier } from "./merge.js";

export interface FanoutOptions {
  readonly primary: Storage;
  /** Fed every sample the primary accepts (remote write queued from commits). */
  readonly appendables?: readonly Appendable[];
  /** Merged into every query (remote read). */
  readonly queryables?: readonly Queryable[];
  readonly logger?: Logger;
}

export class Fanout implements Storage {
  private readonly primary: Storage;
  private readonly appendables: readonly Appendable[];
  private readonly queryables: readonly Queryable[];
  private readonly logger: Logger | undefined;
  /**
   * Label sets by the primary's ref, for appendable secondaries when a caller appends by
   * ref alone. Only kept when there are such secondaries; they cost this memory per series.
   */
  private readonly labelsByRef = new Map<SeriesRef, Labels>();

  constructor(opts: FanoutOptions) {
    this.primary = opts.primary;
    this.appendables = opts.appendables ?? [];
    this.queryables = opts.queryables ?? [];
    this.logger = opts.logger?.with({ component: "fanout" });
  }

  appender(): Appender {
    const primary = this.primary.appender();
    if (this.appendables.length === 0) return primary;
    return new FanoutAppender(
      primary,
      this.appendables.map((s) => s.appender()),
      this.labelsByRef,
      this.logger,
    );
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const primary = await this.primary.querier(mint, maxt);
    const secondaries: Querier[] = [];
    for (const s of this.queryables) {
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
    return this.primary.close();
  }
}

class FanoutAppender implements Appender {
  constructor(
    private readonly primary: Appender,
    private readonly secondaries: readonly Appender[],
    private readonly labelsByRef: Map<SeriesRef, Labels>,
    private readonly logger: Logger | undefined,
  ) {}

  append(ref: SeriesRef, given: Labels, t: number, v: number): SeriesRef {
    let labels = given;
    if (labels.length === 0 && ref !== 0) {
      labels = this.labelsByRef.get(ref) ?? labels;
      if (labels.length === 0) throw new UnknownSeriesRefError(ref);
    }
    const r = this.primary.append(ref, labels, t, v);
    if (given.length > 0 && r !== ref) this.labelsByRef.set(r, given);
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
