// --web.config.file in Prometheus' (exporter-toolkit) format: TLS, basic auth users, response headers.
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { dirname, resolve } from "node:path";
import { ConfigError } from "./errors.js";
import { resolvePath } from "./http-client.js";
import { YamlReader } from "./yaml-reader.js";

export type ClientAuthType = "NoClientCert" | "RequestClientCert" | "RequireAnyClientCert" | "VerifyClientCertIfGiven" | "RequireAndVerifyClientCert";

const CLIENT_AUTH: ReadonlySet<string> = new Set<ClientAuthType>(["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"]);

// Only security headers may be set, as in Prometheus.
const ALLOWED_HEADERS: ReadonlyMap<string, RegExp | undefined> = new Map([
  ["strict-transport-security", undefined],
  ["x-content-type-options", /^nosniff$/i],
  ["x-frame-options", /^(deny|sameorigin)$/i],
  ["x-xss-protection", undefined],
  ["content-security-policy", undefined],
]);

export interface TLSServerConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientAuthType: ClientAuthType;
  readonly clientCaFile: string;
  readonly minVersion: string;
  readonly maxVersion: string;
}

export interface WebConfig {
  readonly tlsServerConfig: TLSServerConfig | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** user -> bcrypt hash */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
}

/** TLS material read from disk, ready for https.createServer. */
export interface TLSFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}

export async function loadWebConfigFile(path: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ConfigError(path, undefined, `open ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseWebConfig(text, path, dirname(resolve(path)));
}

export function parseWebConfig(text: string, file: string, baseDir: string): WebConfig {
  const { root, reader: r } = YamlReader.parse(text, file);
  let tls: TLSServerConfig | undefined;
  const headers: Record<string, string> = {};
  const users = new Map<string, string>();
  r.object(root, "web.Config", {
    tls_server_config: (n) => {
      const t = { certFile: "", keyFile: "", clientAuthType: "NoClientCert" as ClientAuthType, clientCaFile: "", minVersion: "TLS12", maxVersion: "TLS13" };
      r.object(n, "web.TLSConfig", {
        cert_file: (v) => (t.certFile = resolvePath(baseDir, r.string(v))),
        key_file: (v) => (t.keyFile = resolvePath(baseDir, r.string(v))),
        client_auth_type: (v) => {
          const a = r.string(v);
          if (!CLIENT_AUTH.has(a)) r.fail(v, `Invalid ClientAuth: ${a}`);
          t.clientAuthType = a as ClientAuthType;
        },
        client_ca_file: (v) => (t.clientCaFile = resolvePath(baseDir, r.string(v))),
        min_version: (v) => (t.minVersion = tlsVersion(r.string(v), v, r)),
        max_version: (v) => (t.maxVersion = tlsVersion(r.string(v), v, r)),
        cipher_suites: (v) => void r.stringList(v),
        curve_preferences: (v) => void r.stringList(v),
        prefer_server_cipher_suites: (v) => void r.bool(v),
        client_allowed_sans: (v) => void r.stringList(v),
      });
      if (t.certFile === "" && t.keyFile === "") return;
      if (t.certFile === "") r.fail(n, "missing cert_file");
      if (t.keyFile === "") r.fail(n, "missing key_file");
      if (t.clientCaFile !== "" && t.clientAuthType === "NoClientCert") r.fail(n, "Client CA's have been configured without a Client Auth Policy");
      if ((t.clientAuthType === "RequireAndVerifyClientCert" || t.clientAuthType === "VerifyClientCertIfGiven") && t.clientCaFile === "") {
        r.fail(n, "client_ca_file must be set when client_auth_type verifies certificates");
      }
      tls = t;
    },
    http_server_config: (n) =>
      r.object(n, "web.HTTPConfig", {
        http2: (v) => void r.bool(v),
        headers: (v) => {
          for (const [name, e] of r.stringMap(v)) {
            const lower = name.toLowerCase();
            if (!ALLOWED_HEADERS.has(lower)) r.fail(e.node, `HTTP header "${name}" can not be configured`);
            const allowed = ALLOWED_HEADERS.get(lower);
            if (allowed && !allowed.test(e.value)) r.fail(e.node, `invalid value for ${name}: ${e.value}`);
            headers[name] = e.value;
          }
        },
      }),
    basic_auth_users: (n) => {
      for (const [user, e] of r.stringMap(n)) {
        // A bcrypt hash is $2a$/$2b$/$2y$, two-digit cost, then 53 characters of salt and hash.
        if (e.value.length < 59) r.fail(e.node, "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
        if (!/^\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}$/.test(e.value)) r.fail(e.node, `crypto/bcrypt: invalid hash for user ${user}`);
        users.set(user, e.value);
      }
    },
  });
  r.finish();
  return { tlsServerConfig: tls, headers, basicAuthUsers: users };
}

function tlsVersion(v: string, node: import("yaml").Node, r: YamlReader): string {
  if (!/^TLS1[0-3]$/.test(v)) r.fail(node, `unknown TLS version: ${v}`);
  return v;
}

/** Reads and checks the certificate, key and client CA; errors read like Prometheus'. */
export async function loadTLSFiles(t: TLSServerConfig): Promise<TLSFiles> {
  const read = async (p: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(p);
    } catch (cause) {
      const msg = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (cause as Error).message;
      throw new Error(`${what}: open ${p}: ${msg}`, { cause });
    }
  };
  const cert = await read(t.certFile, "failed to load X509KeyPair");
  const key = await read(t.keyFile, "failed to load X509KeyPair");
  try {
    createSecureContext({ cert, key });
  } catch (cause) {
    throw new Error(`failed to load X509KeyPair: ${(cause as Error).message}`, { cause });
  }
  const ca = t.clientCaFile === "" ? undefined : await read(t.clientCaFile, "reading client CA");
  return { cert, key, ca };
}
