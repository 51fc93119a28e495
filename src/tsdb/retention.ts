// Which blocks retention removes, as Prometheus decides: by time, blocks whose end lies
// more than the retention before the newest block's end; by size, the oldest blocks
// once blocks + WAL + head chunks exceed the limit (newest blocks are counted first).

export interface RetentionBlock {
  readonly ulid: string;
  readonly minTime: number;
  readonly maxTime: number;
  readonly sizeBytes: number;
}

export interface RetentionOptions {
  /** 0 disables time retention. */
  readonly retentionTimeMs: number;
  /** 0 disables size retention. */
  readonly retentionSizeBytes: number;
  /** Bytes outside blocks that count towards the size limit (WAL, head chunks). */
  readonly otherBytes: number;
}

export interface RetentionDecision {
  readonly beyondTime: string[];
  readonly beyondSize: string[];
}

export function blocksBeyondRetention(blocks: readonly RetentionBlock[], opts: RetentionOptions): RetentionDecision {
  const newestFirst = [...blocks].sort((a, b) => b.maxTime - a.maxTime);
  const beyondTime: string[] = [];
  const deleted = new Set<string>();
  if (opts.retentionTimeMs > 0 && newestFirst.length > 0) {
    const newest = newestFirst[0].maxTime;
    for (const b of newestFirst) {
      if (newest - b.maxTime > opts.retentionTimeMs) {
        beyondTime.push(b.ulid);
        deleted.add(b.ulid);
      }
    }
  }
  const beyondSize: string[] = [];
  if (opts.retentionSizeBytes > 0) {
    let total = opts.otherBytes;
    let over = false;
    for (const b of newestFirst) {
      if (deleted.has(b.ulid)) continue;
      total += b.sizeBytes;
      if (over || total > opts.retentionSizeBytes) {
        over = true;
        beyondSize.push(b.ulid);
      }
    }
  }
  return { beyondTime, beyondSize };
}
