// http_sd_configs: GET a JSON list of target groups every refresh interval. Each target gets
// __meta_url; groups that disappear from the response are sent empty so their targets go.
import { nopLogger, type Logger } from "../log/logger.js";
import { parseTargetGroups } from "./group-parse.js";
import type { Discoverer, TargetGroup } from "./interface.js";
import { refreshLoop, removedSources } from "./refresh.js";

export interface HttpSdOptions {
  readonly url: string;
  /** Prometheus' default is 1m. */
  readonly refreshIntervalMs?: number;
  /** Extra request headers (e.g. Authorization built from the config's auth settings). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export class HttpDiscoverer implements Discoverer {
  private readonly opts: HttpSdOptions;
  private readonly logger: Logger;
  private sent = new Set<string>();

  constructor(opts: HttpSdOptions) {
    this.opts = opts;
    this.logger = (opts.logger ?? nopLogger).with({ discovery: "http" });
  }

  async refresh(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    const interval = this.opts.refreshIntervalMs ?? 60_000;
    const res = await fetch(this.opts.url, {
      headers: { Accept: "application/json", "X-Prometheus-Refresh-Interval-Seconds": String(interval / 1000), ...this.opts.headers },
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs ?? interval)]),
    });
    if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
    const ct = res.headers.get("content-type") ?? "";
    if (!/^application\/json\b/i.test(ct)) throw new Error(`unsupported content type ${JSON.stringify(ct)}`);
    const groups = parseTargetGroups(await res.json(), (i) => `${this.opts.url}:${i}`, { __meta_url: this.opts.url });
    const now = new Set(groups.map((g) => g.source));
    emit([...groups, ...removedSources(this.sent, now)]);
    this.sent = now;
  }

  async run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    await refreshLoop(signal, this.opts.refreshIntervalMs ?? 60_000, this.logger, () => this.refresh(signal, emit));
  }
}
