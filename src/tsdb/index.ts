// Public surface of the TSDB engine half (head, WAL, DB lifecycle).
export { DB, openDB, type DBMetrics, type DBOptions } from "./db.js";
export type { TSDBStats, NameValue } from "./head-stats.js";
export type { WALReplayStatus } from "./head-wal.js";
export { Head, type HeadOptions, HeadCounters } from "./head.js";
export { HeadAppender } from "./head-append.js";
export { HeadQuerier } from "./head-read.js";
export { ClosedError, LockedError, TSDBError, WALCorruptionError } from "./errors.js";
