// One resource's list+watch loop, in the manner of client-go's reflector: list (in pages) to
// get every object and a resource version, then watch from that version, resuming from the
// last version seen (events and bookmarks) when the server ends the stream. A 410 Gone, as
// the HTTP status or as an ERROR event, means the version is too old: list again, and turn
// the difference into add/update/delete events. Failures are retried with backoff.
import type { Logger } from "../../log/logger.js";
import { sleep } from "../refresh.js";
import { ApiStatusError, type KubernetesApi } from "./api.js";
import { objectKey, type KubeObject } from "./objects.js";

export type WatchEventType = "add" | "update" | "delete";

export interface WatcherOptions {
  readonly api: KubernetesApi;
  /** Collection path, e.g. /api/v1/namespaces/default/pods or /apis/discovery.k8s.io/v1/endpointslices. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly logger: Logger;
  /** Called for every change to the store, after it is applied. */
  readonly onEvent: (type: WatchEventType, key: string, obj: KubeObject, old: KubeObject | undefined) => void;
  /** A list or watch that failed (prometheus_sd_kubernetes_failures_total). */
  readonly onFailure?: () => void;
  /** Objects per list page; 500 as client-go. */
  readonly pageSize?: number;
}

const MIN_BACKOFF_MS = 800;
const MAX_BACKOFF_MS = 30_000;

class ExpiredError extends Error {}

interface WatchEvent {
  readonly type?: string;
  readonly object?: KubeObject & { readonly code?: number; readonly message?: string };
}

export class ResourceWatcher {
  private readonly opts: WatcherOptions;
  private store = new Map<string, KubeObject>();
  private resourceVersion = "";
  private resolveSynced!: () => void;
  /** Resolves once the first list has been applied. */
  readonly synced: Promise<void>;

  constructor(opts: WatcherOptions) {
    this.opts = opts;
    this.synced = new Promise((r) => (this.resolveSynced = r));
  }

  get(key: string): KubeObject | undefined {
    return this.store.get(key);
  }

  values(): IterableIterator<KubeObject> {
    return this.store.values();
  }

  private selectors(): Record<string, string> {
    return { labelSelector: this.opts.labelSelector ?? "", fieldSelector: this.opts.fieldSelector ?? "" };
  }

  async run(signal: AbortSignal): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === "") await this.list(signal);
        const gotEvents = await this.watch(signal);
        // A server that ends watches at once must not make us spin.
        if (!gotEvents) await sleep(backoff, signal);
        backoff = MIN_BACKOFF_MS;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof ExpiredError) {
          this.opts.logger.info("Watch expired; listing again", { path: this.opts.path, err: err.message });
          this.resourceVersion = "";
          continue;
        }
        this.opts.onFailure?.();
        this.opts.logger.error("Failed to list or watch", { path: this.opts.path, err });
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Lists every object (following continue tokens) and applies the difference to the store. */
  private async list(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, KubeObject>();
    let cont = "";
    let version = "";
    do {
      let page: { metadata?: { resourceVersion?: string; continue?: string }; items?: KubeObject[] };
      try {
        page = (await this.opts.api.get(this.opts.path, { ...this.selectors(), limit: String(this.opts.pageSize ?? 500), continue: cont }, signal)) as typeof page;
      } catch (err) {
        // An expired continue token: start the list over.
        if (err instanceof ApiStatusError && err.status === 410 && cont !== "") {
          fresh.clear();
          cont = "";
          continue;
        }
        throw err;
      }
      for (const item of page.items ?? []) fresh.set(objectKey(item), item);
      version = page.metadata?.resourceVersion ?? "";
      cont = page.metadata?.continue ?? "";
    } while (cont !== "");
    const old = this.store;
    this.store = fresh;
    this.resourceVersion = version;
    for (const [key, obj] of fresh) {
      const before = old.get(key);
      if (!before) this.opts.onEvent("add", key, obj, undefined);
      else if (before.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.opts.onEvent("update", key, obj, before);
    }
    for (const [key, obj] of old) if (!fresh.has(key)) this.opts.onEvent("delete", key, obj, obj);
    this.resolveSynced();
  }

  /** Watches from the current version until the server ends the stream; says whether any event came. */
  private async watch(signal: AbortSignal): Promise<boolean> {
    const local = new AbortController();
    const onAbort = (): void => local.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    let expired: ExpiredError | undefined;
    let gotEvents = false;
    // The server ends the watch after this long; random as client-go does, so watches of many clients spread out.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const query = { ...this.selectors(), watch: "true", allowWatchBookmarks: "true", resourceVersion: this.resourceVersion, timeoutSeconds: String(timeoutSeconds) };
    try {
      await this.opts.api.stream(this.opts.path, query, local.signal, (timeoutSeconds + 60) * 1000, (line) => {
        if (expired) return;
        gotEvents = true;
        let event: WatchEvent;
        try {
          event = JSON.parse(line) as WatchEvent;
        } catch {
          this.opts.logger.warn("Ignoring a watch event that is not JSON", { path: this.opts.path, line: line.slice(0, 200) });
          return;
        }
        const err = this.apply(event);
        if (err) {
          expired = err;
          local.abort();
        }
      });
    } catch (err) {
      if (expired) throw expired;
      if (err instanceof ApiStatusError && err.status === 410) throw new ExpiredError(err.message);
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    if (expired) throw expired;
    return gotEvents;
  }

  /** Applies one watch event; returns an ExpiredError when the server says the version is gone. */
  private apply(event: WatchEvent): ExpiredError | undefined {
    const obj = event.object;
    if (!obj) return undefined;
    const version = obj.metadata?.resourceVersion;
    switch (event.type) {
      case "ADDED":
      case "MODIFIED": {
        const key = objectKey(obj);
        const before = this.store.get(key);
        this.store.set(key, obj);
        this.opts.onEvent(before ? "update" : "add", key, obj, before);
        break;
      }
      case "DELETED": {
        const key = objectKey(obj);
        const before = this.store.get(key);
        this.store.delete(key);
        if (before) this.opts.onEvent("delete", key, obj, before);
        break;
      }
      case "BOOKMARK":
        break;
      case "ERROR":
        if (obj.code === 410) return new ExpiredError(obj.message ?? "resource version too old");
        throw new Error(`watch ${this.opts.path}: ${obj.message ?? JSON.stringify(obj)}`);
      default:
        return undefined;
    }
    if (version) this.resourceVersion = version;
    return undefined;
  }
}
