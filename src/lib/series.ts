// The vocabulary both library entry points share: label sets as plain objects, selectors as
// PromQL text or matchers, and series whose samples are decoded only when read.
import { labelsFromRecord, labelsToRecord, type Labels } from "../model/labels.js";
import { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import { parseMetricSelector } from "../promql/parser/parse.js";
import type { Appender, Querier, Queryable, Series, SeriesRef } from "../storage/interface.js";

/** A series' labels as a plain object, e.g. `{ __name__: "http_requests_total", job: "api" }`. */
export type LabelSet = Readonly<Record<string, string>>;

/** A series selector: PromQL text such as `up{job=~"api|web"}`, or matchers that must all hold. */
export type Selector = string | readonly Matcher[];

export interface Sample {
  /** ms since the epoch */
  readonly t: number;
  readonly v: number;
}

export interface SelectedSeries {
  readonly labels: LabelSet;
  /** All samples in the selected range as typed arrays (ts in ms); decoded on the first call. */
  samples(): SampleBatch;
  /** The same samples one at a time. */
  [Symbol.iterator](): Iterator<Sample>;
}

/** A write transaction: nothing is visible to readers until commit() resolves. */
export interface SeriesAppender {
  /**
   * Adds a sample. `series` is a label set, or the ref an earlier append returned for it
   * (skips the label lookup). Throws OutOfOrderSampleError, DuplicateSampleError,
   * OutOfBoundsError or, for a ref the store no longer knows, UnknownSeriesRefError.
   */
  append(series: LabelSet | SeriesRef, t: number, v: number): SeriesRef;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** What the on-disk TSDB and the in-memory store both offer; each is also a PromQL Queryable. */
export interface SeriesStore extends Queryable, AsyncDisposable {
  appender(): SeriesAppender;
  /**
   * Series matching the selector with samples in [mint, maxt] (inclusive, ms), sorted by labels.
   * A series' samples can be read until the loop over the results ends.
   */
  select(selector: Selector, mint: number, maxt: number): AsyncIterable<SelectedSeries>;
  /** Label names of the series matching the selector (all series when omitted), sorted. */
  labelNames(selector?: Selector, mint?: number, maxt?: number): Promise<string[]>;
  /** Values of one label among the series matching the selector, sorted. */
  labelValues(name: string, selector?: Selector, mint?: number, maxt?: number): Promise<string[]>;
  close(): Promise<void>;
}

// The widest times every part (block indexes' varints included) carries exactly.
const ALL_TIME_MIN = Number.MIN_SAFE_INTEGER;
const ALL_TIME_MAX = Number.MAX_SAFE_INTEGER;

export function toMatchers(selector: Selector | undefined): readonly Matcher[] {
  if (selector === undefined) return [];
  return typeof selector === "string" ? parseMetricSelector(selector) : selector;
}

class LazySeries implements SelectedSeries {
  readonly labels: LabelSet;
  private batch: SampleBatch | undefined;
  constructor(private readonly inner: Series) {
    this.labels = labelsToRecord(inner.labels);
  }
  samples(): SampleBatch {
    this.batch ??= this.inner.samples();
    return this.batch;
  }
  *[Symbol.iterator](): Iterator<Sample> {
    const { ts, vs } = this.samples();
    for (let i = 0; i < ts.length; i++) yield { t: ts[i], v: vs[i] };
  }
}

/**
 * The read half both stores share, over their querier(): select with lazily decoded series
 * (the querier stays open until the caller's loop ends), label names and values.
 */
export abstract class StoreReads implements Queryable {
  abstract querier(mint: number, maxt: number): Promise<Querier>;

  async *select(selector: Selector, mint: number, maxt: number): AsyncGenerator<SelectedSeries> {
    const matchers = toMatchers(selector);
    const querier = await this.querier(mint, maxt);
    try {
      for (const s of await querier.select(true, { start: mint, end: maxt }, matchers)) yield new LazySeries(s);
    } finally {
      querier.close();
    }
  }

  labelNames(selector?: Selector, mint = ALL_TIME_MIN, maxt = ALL_TIME_MAX): Promise<string[]> {
    return this.withQuerier(mint, maxt, (q) => q.labelNames(toMatchers(selector)));
  }

  labelValues(name: string, selector?: Selector, mint = ALL_TIME_MIN, maxt = ALL_TIME_MAX): Promise<string[]> {
    return this.withQuerier(mint, maxt, (q) => q.labelValues(name, toMatchers(selector)));
  }

  private async withQuerier<T>(mint: number, maxt: number, fn: (q: Querier) => Promise<T>): Promise<T> {
    const querier = await this.querier(mint, maxt);
    try {
      return await fn(querier);
    } finally {
      querier.close();
    }
  }
}

/** Adapts a storage Appender: label sets become sorted Labels once per append. */
export function seriesAppender(inner: Appender): SeriesAppender {
  return {
    append: (series, t, v) => (typeof series === "number" ? inner.append(series, EMPTY, t, v) : inner.append(0, labelsFromRecord(series), t, v)),
    commit: () => inner.commit(),
    rollback: () => inner.rollback(),
  };
}

const EMPTY: Labels = [];
