// Query results as the engine returns them to the HTTP API, rules and tools.
import type { Labels } from "../model/labels.js";

export interface ScalarValue {
  readonly type: "scalar";
  readonly t: number;
  readonly v: number;
}

export interface StringValue {
  readonly type: "string";
  readonly t: number;
  readonly v: string;
}

export interface VectorSample {
  readonly metric: Labels;
  readonly t: number;
  readonly v: number;
}

export interface Vector {
  readonly type: "vector";
  readonly samples: VectorSample[];
}

/** One series of a matrix; ts (ms) and vs have the same length. */
export interface MatrixSeries {
  readonly metric: Labels;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

export interface Matrix {
  readonly type: "matrix";
  readonly series: MatrixSeries[];
}

export type QueryValue = ScalarValue | StringValue | Vector | Matrix;

/** Timings in seconds and sample counts, as Prometheus reports with stats=all. */
export interface QueryStats {
  readonly timings: {
    readonly evalTotalTime: number;
    readonly resultSortTime: number;
    readonly queryPreparationTime: number;
    readonly innerEvalTime: number;
    readonly execQueueTime: number;
    readonly execTotalTime: number;
  };
  readonly samples: {
    readonly totalQueryableSamples: number;
    readonly peakSamples: number;
  };
}

export interface QueryResult {
  readonly value: QueryValue;
  readonly warnings: string[];
  readonly infos: string[];
  readonly stats: QueryStats;
}
