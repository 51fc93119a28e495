// Fetches one scrape body through the shared http client: Accept and timeout headers as
// Prometheus sends them, gzip, and the body size limit on the decompressed bytes. Errors
// read as Prometheus' do, since they show up as the target's lastError.
import { DEFAULT_HTTP_CLIENT, DEFAULT_TLS, type HTTPClientConfig } from "../config/types.js";
import { HttpClient, PROMETHEUS_USER_AGENT } from "../httpclient/client.js";
import { BodyTooLargeError, RequestTimeoutError } from "../httpclient/errors.js";
import { BodySizeLimitError, ScrapeError } from "./errors.js";
import { goNetError } from "./go-net-error.js";
import type { ScrapeJobOptions, ScrapeProtocol } from "./options.js";

/** Prometheus 2.42's Accept header. */
export const DEFAULT_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

const PROTOCOL_MEDIA: Record<ScrapeProtocol, string> = {
  PrometheusProto: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
  "PrometheusText0.0.4": "text/plain;version=0.0.4",
  "OpenMetricsText0.0.1": "application/openmetrics-text;version=0.0.1",
  "OpenMetricsText1.0.0": "application/openmetrics-text;version=1.0.0",
};

/** The Accept header for a protocol preference list, weighted as Prometheus' scrape_protocols are. */
export function acceptHeader(protocols: readonly ScrapeProtocol[] | undefined): string {
  if (!protocols || protocols.length === 0) return DEFAULT_ACCEPT;
  let weight = Object.keys(PROTOCOL_MEDIA).length + 1;
  const vals = protocols.map((p) => `${PROTOCOL_MEDIA[p]};q=0.${weight--}`);
  vals.push(`*/*;q=0.${weight}`);
  return vals.join(",");
}

export interface ScrapeResponse {
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

/** The http_client_config a scrape job's options describe. */
export function scrapeHttpConfig(job: ScrapeJobOptions): HTTPClientConfig {
  if (job.httpClientConfig) return job.httpClientConfig;
  const t = job.tls ?? {};
  return {
    ...DEFAULT_HTTP_CLIENT,
    basicAuth: job.basicAuth && { username: job.basicAuth.username, password: job.basicAuth.password ?? "", passwordFile: job.basicAuth.passwordFile ?? "" },
    authorization: job.authorization && { type: job.authorization.type ?? "Bearer", credentials: job.authorization.credentials ?? "", credentialsFile: job.authorization.credentialsFile ?? "" },
    tlsConfig: {
      ...DEFAULT_TLS,
      caFile: t.caFile ?? "",
      certFile: t.certFile ?? "",
      keyFile: t.keyFile ?? "",
      ca: t.ca ?? "",
      cert: t.cert ?? "",
      key: t.key ?? "",
      serverName: t.serverName ?? "",
      insecureSkipVerify: t.insecureSkipVerify ?? false,
    },
    proxyUrl: job.proxyUrl ?? "",
    followRedirects: job.followRedirects ?? true,
  };
}

/** One client per scrape pool: keeps connections alive across scrapes. */
export class ScrapeHttpClient {
  private readonly accept: string;
  private readonly bodySizeLimitBytes: number;
  private readonly client: HttpClient;

  constructor(job: ScrapeJobOptions) {
    this.accept = acceptHeader(job.scrapeProtocols);
    this.bodySizeLimitBytes = job.bodySizeLimitBytes ?? 0;
    this.client = new HttpClient({ config: scrapeHttpConfig(job), userAgent: PROMETHEUS_USER_AGENT });
  }

  close(): void {
    this.client.close();
  }

  /**
   * Fetches a body within timeoutMs; signal stops the scrape early (loop shutdown). The
   * deadline is the client's own timer: a timer keeps itself alive where a derived
   * AbortSignal.timeout can be garbage-collected mid-scrape on Node 20 and never fire.
   */
  async scrape(url: URL, timeoutMs: number, signal: AbortSignal): Promise<ScrapeResponse> {
    let res;
    try {
      res = await this.client.request(url, {
        headers: { Accept: this.accept, "X-Prometheus-Scrape-Timeout-Seconds": String(timeoutMs / 1000) },
        acceptGzip: true,
        maxBodyBytes: this.bodySizeLimitBytes,
        timeoutMs,
        signal,
      });
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new BodySizeLimitError();
      // Go's *url.Error, which Prometheus shows as the target's lastError.
      const why = err instanceof RequestTimeoutError || signal.aborted ? "context deadline exceeded" : goNetError(err);
      throw new ScrapeError(`Get ${JSON.stringify(url.href)}: ${why}`, { cause: err });
    }
    if (res.status !== 200) throw new ScrapeError(`server returned HTTP status ${res.status} ${res.statusText}`.trimEnd());
    return { body: res.body, contentType: res.headers["content-type"] };
  }
}
