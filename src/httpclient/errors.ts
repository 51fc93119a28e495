// Known conditions of outgoing HTTP requests. Callers map them onto their own wording
// (a scrape reports "context deadline exceeded", remote write retries, ...).

export class HttpClientError extends Error {}

/** The request's own timeoutMs ran out (connect, proxy tunnel, headers or body). */
export class RequestTimeoutError extends HttpClientError {
  readonly timeoutMs: number;
  constructor(url: string, timeoutMs: number) {
    super(`request to ${url} timed out after ${timeoutMs}ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired; cause is the signal's reason. */
export class RequestAbortedError extends HttpClientError {}

/** The (decompressed) response body grew past maxBodyBytes. */
export class BodyTooLargeError extends HttpClientError {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`response body exceeds ${limitBytes} bytes`);
    this.limitBytes = limitBytes;
  }
}

/** The configuration cannot be used as given (bad proxy URL, unreadable TLS file, ...). */
export class HttpClientConfigError extends HttpClientError {}

/** The proxy refused or failed a CONNECT tunnel. */
export class ProxyConnectError extends HttpClientError {}

/** The OAuth2 token endpoint failed or answered without a token. */
export class OAuth2Error extends HttpClientError {}
