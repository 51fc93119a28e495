// Access to the Kubernetes API server: where it is and how to authenticate (api_server with
// http_client_config, kubeconfig_file, or the pod's service account), and the two calls
// discovery makes, a list and a streamed watch, over the shared HTTP client in JSON.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { DEFAULT_HTTP_CLIENT, DEFAULT_TLS, type HTTPClientConfig } from "../../config/types.js";
import { HttpClient, PROMETHEUS_USER_AGENT } from "../../httpclient/client.js";
import { loadKubeconfig, type ApiServerAccess } from "./kubeconfig.js";

/** Where a pod's service account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface ApiAccessOptions {
  readonly apiServer: string;
  readonly kubeconfigFile: string;
  readonly httpClientConfig: HTTPClientConfig;
  readonly ownNamespace: boolean;
  /** Overrides for tests; process.env and SERVICE_ACCOUNT_DIR by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly serviceAccountDir?: string;
}

/** The API server and credentials to use, plus the pod's own namespace when asked for. */
export async function resolveAccess(opts: ApiAccessOptions): Promise<ApiServerAccess & { ownNamespace?: string }> {
  if (opts.kubeconfigFile !== "") return loadKubeconfig(opts.kubeconfigFile);
  if (opts.apiServer !== "") return { server: opts.apiServer, httpClientConfig: opts.httpClientConfig };
  const env = opts.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "";
  if (host === "" || port === "") throw new Error("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  let ownNamespace: string | undefined;
  if (opts.ownNamespace) {
    try {
      ownNamespace = (await readFile(join(dir, "namespace"), "utf8")).trim();
    } catch (cause) {
      throw new Error("could not determine the pod's namespace", { cause });
    }
    if (ownNamespace === "") throw new Error("could not read own namespace name (empty file)");
  }
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    // The token file is read on every request: bound service account tokens rotate.
    httpClientConfig: {
      ...DEFAULT_HTTP_CLIENT,
      authorization: { type: "Bearer", credentials: "", credentialsFile: join(dir, "token") },
      tlsConfig: { ...DEFAULT_TLS, caFile: join(dir, "ca.crt") },
    },
    ownNamespace,
  };
}

/** A response other than 200 from the API server, with the Status message it carried. */
export class ApiStatusError extends Error {
  readonly status: number;
  constructor(what: string, status: number, body: Buffer) {
    let message = body.toString("utf8").slice(0, 500);
    try {
      const s = JSON.parse(message) as { message?: unknown };
      if (typeof s.message === "string") message = s.message;
    } catch {
      // Not a Status object: the raw text is the best description.
    }
    super(`${what}: server returned HTTP status ${status}${message ? `: ${message}` : ""}`);
    this.status = status;
  }
}

export class KubernetesApi {
  private readonly base: URL;
  private readonly client: HttpClient;

  constructor(access: ApiServerAccess) {
    this.base = new URL(access.server.endsWith("/") ? access.server : `${access.server}/`);
    this.client = new HttpClient({ config: access.httpClientConfig, userAgent: PROMETHEUS_USER_AGENT });
  }

  private url(path: string, query: Readonly<Record<string, string>>): URL {
    const u = new URL(path.replace(/^\//, ""), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== "") u.searchParams.set(k, v);
    return u;
  }

  /** GET path as JSON; throws ApiStatusError for any status but 200. */
  async get(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal): Promise<unknown> {
    const u = this.url(path, query);
    const res = await this.client.request(u, { headers: { Accept: "application/json" }, signal, timeoutMs: 60_000, acceptGzip: true });
    if (res.status !== 200) throw new ApiStatusError(`list ${u.pathname}`, res.status, res.body);
    try {
      return JSON.parse(res.body.toString("utf8")) as unknown;
    } catch (cause) {
      throw new Error(`list ${u.pathname}: invalid JSON`, { cause });
    }
  }

  /**
   * Streams a watch: calls onLine with each line of the body as it arrives, and resolves when
   * the server ends the stream. Throws ApiStatusError for any status but 200. timeoutMs
   * bounds a stream whose connection died without the server closing it.
   */
  async stream(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal, timeoutMs: number, onLine: (line: string) => void): Promise<void> {
    const u = this.url(path, query);
    let pending = "";
    // A chunk may end inside a multi-byte character.
    const decoder = new StringDecoder("utf8");
    const res = await this.client.request(u, {
      headers: { Accept: "application/json" },
      signal,
      timeoutMs,
      onData: (chunk) => {
        pending += decoder.write(chunk);
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line !== "") onLine(line);
        }
      },
    });
    if (res.status !== 200) throw new ApiStatusError(`watch ${u.pathname}`, res.status, res.body);
    pending += decoder.end();
    if (pending.trim() !== "") onLine(pending.trim());
  }

  close(): void {
    this.client.close();
  }
}
