export { RemoteStorage, type RemoteStorageOptions } from "./storage.js";
export { handleRemoteWrite, type WriteHandlerOptions, type WriteHandlerResult, type RemoteHandlerResult, type RequestHeaders } from "./write-handler.js";
export { handleRemoteRead, STREAMED_CONTENT_TYPE, type ReadHandlerOptions, type ReadHandlerResult } from "./read-handler.js";
export { RemoteReadClient, type RemoteReadClientOptions } from "./read-client.js";
export { WriteQueue, type WriteQueueMetrics, type WriteQueueOptions } from "./write-queue.js";
export { RemoteHttpClient, type RemoteHttpClientOptions } from "./http-client.js";
export { RemoteError, BadRequestError, ProtoDecodeError, RecoverableError, NonRecoverableError } from "./errors.js";
export { RemoteStorageCollector } from "./metrics.js";
export { WalWatcher, type WalWatcherMetrics, type WalWatcherOptions } from "./wal-watcher.js";
