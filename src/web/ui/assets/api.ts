// Calls to the server's /api/v1, relative to the page so that a route prefix or a proxy
// path carries over. Failures keep the API's errorType and message.
export interface ApiResult<T> {
  readonly data: T;
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
}

export class ApiFailure extends Error {
  readonly errorType: string;
  readonly status: number;
  constructor(errorType: string, status: number, message: string) {
    super(message);
    this.errorType = errorType;
    this.status = status;
  }
}

interface Envelope<T> {
  status?: string;
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

/** GET api/v1/<path>; repeated keys (match[]) come as arrays. */
export async function apiGet<T>(path: string, params: Record<string, string | readonly string[] | undefined> = {}): Promise<ApiResult<T>> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (typeof v === "string") q.append(k, v);
    else for (const x of v) q.append(k, x);
  }
  const qs = q.toString();
  const url = `api/v1/${path}${qs ? `?${qs}` : ""}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (err) {
    throw new ApiFailure("network", 0, `GET ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: Envelope<T>;
  try {
    body = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new ApiFailure("internal", res.status, `GET ${url}: HTTP ${res.status}: ${text.trim().slice(0, 200)}`);
  }
  if (body.status !== "success") throw new ApiFailure(body.errorType ?? "internal", res.status, body.error ?? `HTTP ${res.status}`);
  return { data: body.data as T, warnings: body.warnings ?? [], infos: body.infos ?? [] };
}
