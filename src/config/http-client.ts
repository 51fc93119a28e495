// HTTP client settings (auth, TLS, proxy) shared by scrape, SD, remote and alerting configs.
import { isAbsolute, resolve } from "node:path";
import type { Node } from "yaml";
import { DEFAULT_HTTP_CLIENT, DEFAULT_TLS, type Authorization, type BasicAuth, type HTTPClientConfig, type OAuth2, type TLSConfig } from "./types.js";
import type { FieldReaders, YamlReader } from "./yaml-reader.js";

/** Resolves a file path against the config file's directory, as Prometheus does. */
export function resolvePath(baseDir: string, p: string): string {
  return p === "" || isAbsolute(p) ? p : resolve(baseDir, p);
}

/** Collects HTTP client fields into `into` while a caller walks the enclosing mapping. */
export class HTTPClientFields {
  private basicAuth: BasicAuth | undefined;
  private authorization: Authorization | undefined;
  private oauth2: OAuth2 | undefined;
  private bearerToken = "";
  private bearerTokenFile = "";
  private tls: TLSConfig = DEFAULT_TLS;
  private proxyUrl = "";
  private noProxy = "";
  private proxyFromEnvironment = false;
  private proxyConnectHeader: Record<string, string[]> = {};
  private followRedirects = true;
  private enableHttp2 = true;
  private firstNode: Node | undefined;
  private readonly baseDir: string;

  constructor(baseDir: string) {
    this.baseDir = baseDir;
  }

  readers(): FieldReaders {
    const mark = (n: Node): void => {
      this.firstNode ??= n;
    };
    return {
      basic_auth: (n, r) => {
        mark(n);
        let username = "";
        let password = "";
        let passwordFile = "";
        r.object(n, "config.BasicAuth", {
          username: (v) => (username = r.string(v)),
          password: (v) => (password = r.string(v)),
          password_file: (v) => (passwordFile = resolvePath(this.baseDir, r.string(v))),
        });
        if (password !== "" && passwordFile !== "") r.fail(n, "at most one of basic_auth password & password_file must be configured");
        this.basicAuth = { username, password, passwordFile };
      },
      authorization: (n, r) => {
        mark(n);
        let type = "";
        let credentials = "";
        let credentialsFile = "";
        r.object(n, "config.Authorization", {
          type: (v) => (type = r.string(v)),
          credentials: (v) => (credentials = r.string(v)),
          credentials_file: (v) => (credentialsFile = resolvePath(this.baseDir, r.string(v))),
        });
        if (type.toLowerCase() === "basic") r.fail(n, `authorization type cannot be set to "basic", use "basic_auth" instead`);
        if (credentials !== "" && credentialsFile !== "") r.fail(n, "at most one of authorization credentials & credentials_file must be configured");
        this.authorization = { type: type === "" ? "Bearer" : type, credentials, credentialsFile };
      },
      oauth2: (n, r) => {
        mark(n);
        const o = { clientId: "", clientSecret: "", clientSecretFile: "", scopes: [] as string[], tokenUrl: "", endpointParams: {} as Record<string, string> };
        r.object(n, "config.OAuth2", {
          client_id: (v) => (o.clientId = r.string(v)),
          client_secret: (v) => (o.clientSecret = r.string(v)),
          client_secret_file: (v) => (o.clientSecretFile = resolvePath(this.baseDir, r.string(v))),
          scopes: (v) => (o.scopes = r.stringList(v)),
          token_url: (v) => (o.tokenUrl = r.string(v)),
          endpoint_params: (v) => {
            for (const [k, e] of r.stringMap(v)) o.endpointParams[k] = e.value;
          },
          tls_config: (v) => void readTLS(v, r, this.baseDir),
          proxy_url: (v) => void r.string(v),
        });
        if (o.clientId === "") r.fail(n, "oauth2 client_id must be configured");
        if (o.tokenUrl === "") r.fail(n, "oauth2 token_url must be configured");
        this.oauth2 = o;
      },
      bearer_token: (n, r) => {
        mark(n);
        this.bearerToken = r.string(n);
      },
      bearer_token_file: (n, r) => {
        mark(n);
        this.bearerTokenFile = resolvePath(this.baseDir, r.string(n));
      },
      tls_config: (n, r) => (this.tls = readTLS(n, r, this.baseDir)),
      proxy_url: (n, r) => {
        this.proxyUrl = r.string(n);
        try {
          new URL(this.proxyUrl);
        } catch (cause) {
          r.fail(n, `parse "${this.proxyUrl}": invalid URL`, cause);
        }
      },
      no_proxy: (n, r) => (this.noProxy = r.string(n)),
      proxy_from_environment: (n, r) => (this.proxyFromEnvironment = r.bool(n)),
      proxy_connect_header: (n, r) => {
        for (const [name, values] of r.entries(n, "config.Header")) this.proxyConnectHeader[name] = r.stringList(values);
      },
      follow_redirects: (n, r) => (this.followRedirects = r.bool(n)),
      enable_http2: (n, r) => (this.enableHttp2 = r.bool(n)),
    };
  }

  /** Validates combinations and returns the settings. */
  build(r: YamlReader): HTTPClientConfig {
    const at = this.firstNode;
    if (this.bearerToken !== "" && this.bearerTokenFile !== "") r.fail(at, "at most one of bearer_token & bearer_token_file must be configured");
    const hasBearer = this.bearerToken !== "" || this.bearerTokenFile !== "";
    const authCount = [this.basicAuth, this.oauth2, this.authorization ?? (hasBearer ? {} : undefined)].filter((x) => x !== undefined).length;
    if (this.authorization && hasBearer) r.fail(at, "authorization is not compatible with bearer_token & bearer_token_file");
    if (authCount > 1) r.fail(at, "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
    if (this.noProxy !== "" && this.proxyUrl === "") r.fail(at, "if no_proxy is configured, proxy_url must also be configured");
    const hasConnectHeader = Object.keys(this.proxyConnectHeader).length > 0;
    if (hasConnectHeader && this.proxyUrl === "") r.fail(at, "if proxy_connect_header is configured proxy_url must also be configured");
    const authorization = this.authorization ?? (hasBearer ? { type: "Bearer", credentials: this.bearerToken, credentialsFile: this.bearerTokenFile } : undefined);
    if (!this.basicAuth && !authorization && !this.oauth2 && this.tls === DEFAULT_TLS && this.proxyUrl === "" && !hasConnectHeader && this.followRedirects && this.enableHttp2 && !this.proxyFromEnvironment) {
      return DEFAULT_HTTP_CLIENT;
    }
    return {
      basicAuth: this.basicAuth,
      authorization,
      oauth2: this.oauth2,
      tlsConfig: this.tls,
      proxyUrl: this.proxyUrl,
      noProxy: this.noProxy,
      proxyFromEnvironment: this.proxyFromEnvironment,
      proxyConnectHeader: this.proxyConnectHeader,
      followRedirects: this.followRedirects,
      enableHttp2: this.enableHttp2,
    };
  }
}

export function readTLS(node: Node, r: YamlReader, baseDir: string): TLSConfig {
  const t = { ...DEFAULT_TLS };
  r.object(node, "config.TLSConfig", {
    ca_file: (v) => (t.caFile = resolvePath(baseDir, r.string(v))),
    cert_file: (v) => (t.certFile = resolvePath(baseDir, r.string(v))),
    key_file: (v) => (t.keyFile = resolvePath(baseDir, r.string(v))),
    ca: (v) => (t.ca = r.string(v)),
    cert: (v) => (t.cert = r.string(v)),
    key: (v) => (t.key = r.string(v)),
    server_name: (v) => (t.serverName = r.string(v)),
    insecure_skip_verify: (v) => (t.insecureSkipVerify = r.bool(v)),
    min_version: (v) => {
      t.minVersion = r.string(v);
      if (!/^TLS1[0-3]$/.test(t.minVersion)) r.fail(v, `unknown TLS version: ${t.minVersion}`);
    },
  });
  if (t.ca !== "" && t.caFile !== "") r.fail(node, "at most one of ca and ca_file must be configured");
  if (t.cert !== "" && t.certFile !== "") r.fail(node, "at most one of cert and cert_file must be configured");
  if (t.key !== "" && t.keyFile !== "") r.fail(node, "at most one of key and key_file must be configured");
  const hasCert = t.cert !== "" || t.certFile !== "";
  const hasKey = t.key !== "" || t.keyFile !== "";
  if (hasCert && !hasKey) r.fail(node, "exactly one of key or key_file must be configured when a client certificate is configured");
  if (hasKey && !hasCert) r.fail(node, "exactly one of cert or cert_file must be configured when a client key is configured");
  return t;
}
