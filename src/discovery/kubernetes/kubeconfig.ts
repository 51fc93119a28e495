// kubeconfig_file: the current context's cluster and user, as settings for the shared HTTP
// client. Inline (*-data) certificates are decoded to PEM; file paths are relative to the
// kubeconfig. Exec plugins and auth providers run programs or cloud SDKs, which promwasm
// does not do: such a user is refused with a message naming it.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { DEFAULT_HTTP_CLIENT, DEFAULT_TLS, type HTTPClientConfig } from "../../config/types.js";

export interface ApiServerAccess {
  readonly server: string;
  readonly httpClientConfig: HTTPClientConfig;
}

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function str(o: Obj, key: string): string {
  const v = o[key];
  return typeof v === "string" ? v : "";
}

function named(list: unknown, name: string, what: string, file: string): Obj {
  const entry = (Array.isArray(list) ? list : []).map(asObj).find((e) => e.name === name);
  if (!entry) throw new Error(`kubeconfig ${file}: ${what} "${name}" not found`);
  return asObj(entry[what]);
}

export async function loadKubeconfig(file: string): Promise<ApiServerAccess> {
  let doc: Obj;
  try {
    doc = asObj(parseYaml(await readFile(file, "utf8")));
  } catch (cause) {
    throw new Error(`read kubeconfig ${file}`, { cause });
  }
  const contextName = str(doc, "current-context");
  if (contextName === "") throw new Error(`kubeconfig ${file}: no current-context`);
  const context = named(doc.contexts, contextName, "context", file);
  const cluster = named(doc.clusters, str(context, "cluster"), "cluster", file);
  const userName = str(context, "user");
  const user = userName === "" ? {} : named(doc.users, userName, "user", file);
  const server = str(cluster, "server");
  if (server === "") throw new Error(`kubeconfig ${file}: cluster "${str(context, "cluster")}" has no server`);
  for (const unsupported of ["exec", "auth-provider"]) {
    if (user[unsupported] !== undefined) throw new Error(`kubeconfig ${file}: user "${userName}" uses ${unsupported}, which promwasm does not run; use a token, tokenFile or client certificate`);
  }
  const dir = dirname(file);
  const path = (p: string): string => (p === "" || isAbsolute(p) ? p : resolve(dir, p));
  const pem = (data: string): string => (data === "" ? "" : Buffer.from(data, "base64").toString("utf8"));
  const tlsConfig = {
    ...DEFAULT_TLS,
    ca: pem(str(cluster, "certificate-authority-data")),
    caFile: path(str(cluster, "certificate-authority")),
    cert: pem(str(user, "client-certificate-data")),
    certFile: path(str(user, "client-certificate")),
    key: pem(str(user, "client-key-data")),
    keyFile: path(str(user, "client-key")),
    serverName: str(cluster, "tls-server-name"),
    insecureSkipVerify: cluster["insecure-skip-tls-verify"] === true,
  };
  const token = str(user, "token");
  const tokenFile = path(str(user, "tokenFile"));
  const username = str(user, "username");
  return {
    server,
    httpClientConfig: {
      ...DEFAULT_HTTP_CLIENT,
      tlsConfig,
      authorization: token !== "" || tokenFile !== "" ? { type: "Bearer", credentials: token, credentialsFile: tokenFile } : undefined,
      basicAuth: username !== "" ? { username, password: str(user, "password"), passwordFile: "" } : undefined,
      proxyUrl: str(cluster, "proxy-url"),
    },
  };
}
