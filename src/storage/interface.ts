// The interfaces between storage and its users (scrape, PromQL, rules, web).
// Consumers import these types, never tsdb/ directly.
import type { Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";

/** An opaque series reference; 0 means "not known yet". */
export type SeriesRef = number;

export interface Appender {
  /**
   * Adds a sample. Pass the ref returned by an earlier append for the same labels
   * (or 0) so that the label lookup is skipped; with a ref, labels may be empty, and an
   * appender that no longer knows the ref throws UnknownSeriesRefError so the caller can
   * retry with the labels (a scrape cache keeps refs, not label sets). Throws
   * OutOfOrderSampleError, DuplicateSampleError or OutOfBoundsError from ./errors.js.
   */
  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef;
  /** Makes the samples visible to readers; resolves once they are in the WAL. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface Appendable {
  appender(): Appender;
}

export interface SelectHints {
  /** Inclusive time range (ms) the caller needs samples for. */
  readonly start: number;
  readonly end: number;
  /** Aggregation/function hints, as Prometheus passes them; storage may ignore them. */
  readonly func?: string;
}

/** Arrays a reader owns and reuses across series; an implementation replaces them when they are too short. */
export interface SampleScratch {
  ts: Float64Array;
  vs: Float64Array;
}

export interface Series {
  readonly labels: Labels;
  /** Samples within the querier's range (and the hints' range when given), sorted by time. */
  samples(): SampleBatch;
  /**
   * The same samples decoded into scratch instead of new arrays; returns their count. For
   * readers that are done with a series before they read the next; optional.
   */
  samplesInto?(scratch: SampleScratch): number;
}

export interface Querier {
  /** Series matching all matchers, sorted by labels when sorted is true. */
  select(sorted: boolean, hints: SelectHints | undefined, matchers: readonly Matcher[]): Promise<Series[]>;
  labelNames(matchers: readonly Matcher[]): Promise<string[]>;
  labelValues(name: string, matchers: readonly Matcher[]): Promise<string[]>;
  close(): void;
}

export interface Queryable {
  /** A querier over [mint, maxt] (inclusive, ms). */
  querier(mint: number, maxt: number): Promise<Querier>;
}

/** Where samples go and where queries read from. */
export interface Storage extends Appendable, Queryable {
  /** The oldest timestamp storage holds, or undefined when empty. */
  startTime(): number | undefined;
  close(): Promise<void>;
}

/** One stored chunk as its raw bytes (Prometheus' XOR encoding), for tools that decode chunks themselves. */
export interface RawChunk {
  /** Inclusive times of the chunk's first and last sample, ms. */
  readonly mint: number;
  readonly maxt: number;
  /** Where it came from: "head" (cut or open chunk), "head-ooo" (out-of-order samples) or "block <ulid>". */
  readonly source: string;
  readonly data: Uint8Array;
  /** Ranges of the chunk that tombstones delete (inclusive, ms); the bytes still hold them. */
  readonly deleted?: readonly { readonly mint: number; readonly maxt: number }[];
}

export interface ChunkSeries {
  readonly labels: Labels;
  /** Ordered by mint; may overlap when sources do (out-of-order data, overlapping blocks). */
  readonly chunks: readonly RawChunk[];
}

/** Whole chunks (not trimmed to the range) of the series matching all matchers that overlap [mint, maxt]. */
export interface ChunkQueryable {
  seriesChunks(matchers: readonly Matcher[], mint: number, maxt: number): Promise<ChunkSeries[]>;
}
