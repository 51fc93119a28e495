// http_sd_configs: GET a JSON list of target groups every refresh interval, through the
// shared http client with the config's http settings. Each target gets __meta_url; groups
// that disappear from the response are sent empty so their targets go.
import type { HTTPClientConfig } from "../config/types.js";
import { HttpClient, PROMETHEUS_USER_AGENT } from "../httpclient/client.js";
import { nopLogger, type Logger } from "../log/logger.js";
import { parseTargetGroups } from "./group-parse.js";
import type { Discoverer, TargetGroup } from "./interface.js";
import { refreshLoop, removedSources } from "./refresh.js";

export interface HttpSdOptions {
  readonly url: string;
  /** Prometheus' default is 1m. */
  readonly refreshIntervalMs?: number;
  /** TLS, proxy, credentials and redirects; none of them by default. */
  readonly httpClientConfig?: HTTPClientConfig;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export class HttpDiscoverer implements Discoverer {
  private readonly opts: HttpSdOptions;
  private readonly logger: Logger;
  private readonly client: HttpClient;
  private sent = new Set<string>();

  constructor(opts: HttpSdOptions) {
    this.opts = opts;
    this.logger = (opts.logger ?? nopLogger).with({ discovery: "http" });
    this.client = new HttpClient({ config: opts.httpClientConfig, userAgent: PROMETHEUS_USER_AGENT });
  }

  async refresh(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    const interval = this.opts.refreshIntervalMs ?? 60_000;
    const res = await this.client.request(this.opts.url, {
      headers: { Accept: "application/json", "X-Prometheus-Refresh-Interval-Seconds": String(interval / 1000), ...this.opts.headers },
      timeoutMs: this.opts.timeoutMs ?? interval,
      signal,
    });
    if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
    const ct = String(res.headers["content-type"] ?? "");
    if (!/^application\/json\b/i.test(ct)) throw new Error(`unsupported content type ${JSON.stringify(ct)}`);
    let body: unknown;
    try {
      body = JSON.parse(res.body.toString("utf8"));
    } catch (cause) {
      throw new Error(`parse response from ${this.opts.url}`, { cause });
    }
    const groups = parseTargetGroups(body, (i) => `${this.opts.url}:${i}`, { __meta_url: this.opts.url });
    const now = new Set(groups.map((g) => g.source));
    emit([...groups, ...removedSources(this.sent, now)]);
    this.sent = now;
  }

  async run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    try {
      await refreshLoop(signal, this.opts.refreshIntervalMs ?? 60_000, this.logger, () => this.refresh(signal, emit));
    } finally {
      this.client.close();
    }
  }
}
