// Backing memory for small results. A new ArrayBuffer costs about a microsecond however
// small it is (the engine allocates and tracks an external backing store), which is as
// much as decoding a whole 120-sample chunk. Small results are therefore carved out of a
// shared pool buffer, as Node does for small Buffers: each result is a private, disjoint
// range, but one that is kept alive also keeps its pool (at most poolBytes) alive. Large
// results get a buffer of their own.

export interface ResultPoolOptions {
  /** Size of each pool buffer. */
  poolBytes?: number;
  /** Results up to this size share a pool; larger ones get their own buffer. */
  maxPooledBytes?: number;
}

export const RESULT_POOL_DEFAULTS: Required<ResultPoolOptions> = { poolBytes: 32 * 1024, maxPooledBytes: 4 * 1024 };

export class ResultPool {
  private readonly poolBytes: number;
  private readonly maxPooledBytes: number;
  private pool: ArrayBuffer;
  private poolBytes8: Uint8Array;
  private used = 0;
  /** Buffer of the last allocate() result. */
  buffer: ArrayBuffer;
  /** A byte view of all of `buffer`, for filling several results' ranges with one copy. */
  bytes: Uint8Array;

  constructor(options: ResultPoolOptions = {}) {
    const o = { ...RESULT_POOL_DEFAULTS, ...options };
    this.poolBytes = o.poolBytes;
    this.maxPooledBytes = Math.min(o.maxPooledBytes, o.poolBytes);
    this.pool = new ArrayBuffer(0);
    this.buffer = this.pool;
    this.poolBytes8 = new Uint8Array(this.pool);
    this.bytes = this.poolBytes8;
  }

  /**
   * Reserves `bytes` bytes (pooled ranges start 8-aligned, so Float64Array views fit) and returns their
   * offset in `this.buffer`. The range's contents are undefined; the caller fills it.
   */
  allocate(bytes: number): number {
    if (bytes > this.maxPooledBytes) {
      this.buffer = new ArrayBuffer(bytes);
      this.bytes = new Uint8Array(this.buffer);
      return 0;
    }
    const size = (bytes + 7) & ~7;
    if (this.used + size > this.pool.byteLength) {
      this.pool = new ArrayBuffer(this.poolBytes);
      this.poolBytes8 = new Uint8Array(this.pool);
      this.used = 0;
    }
    const at = this.used;
    this.used += size;
    this.buffer = this.pool;
    this.bytes = this.poolBytes8;
    return at;
  }
}
