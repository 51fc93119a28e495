// tls_config as Node TLS options. PEM files are read lazily and read again when their
// size or mtime changes, as Prometheus reloads rotated certificates without a restart.
import { stat, readFile } from "node:fs/promises";
import type { ConnectionOptions, SecureVersion } from "node:tls";
import type { TLSConfig } from "../config/types.js";
import { HttpClientConfigError } from "./errors.js";

const MIN_VERSIONS: Readonly<Record<string, SecureVersion>> = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" };

type PemKind = "ca" | "cert" | "key";

/** The node:tls minVersion for a tls_config min_version ("" keeps Node's default, TLS 1.2). */
export function tlsMinVersion(v: string): SecureVersion | undefined {
  if (v === "") return undefined;
  const m = MIN_VERSIONS[v.toUpperCase()];
  if (!m) throw new HttpClientConfigError(`tls_config: unknown min_version ${JSON.stringify(v)} (want TLS10, TLS11, TLS12 or TLS13)`);
  return m;
}

export class TlsMaterial {
  private readonly cfg: TLSConfig;
  /** File path -> "size:mtime" of the contents we hold. */
  private readonly stamps = new Map<string, string>();
  private options: ConnectionOptions | undefined;

  constructor(cfg: TLSConfig) {
    this.cfg = cfg;
  }

  /** Options for the next connection; files are (re)read when they changed since the last call. */
  async current(): Promise<ConnectionOptions> {
    if (this.options && !(await this.filesChanged())) return this.options;
    const c = this.cfg;
    const [ca, cert, key] = await Promise.all([this.pem("ca", c.ca, c.caFile), this.pem("cert", c.cert, c.certFile), this.pem("key", c.key, c.keyFile)]);
    if ((cert === undefined) !== (key === undefined)) throw new HttpClientConfigError("tls_config: client cert and key must be configured together");
    this.options = {
      ca,
      cert,
      key,
      servername: c.serverName || undefined,
      rejectUnauthorized: !c.insecureSkipVerify,
      // Checked here rather than at construction so that a bad setting fails requests, not the caller.
      minVersion: tlsMinVersion(c.minVersion),
    };
    return this.options;
  }

  private async pem(kind: PemKind, inline: string, file: string): Promise<string | undefined> {
    if (inline !== "") return inline;
    if (file === "") return undefined;
    try {
      const [s, text] = await Promise.all([stat(file), readFile(file, "utf8")]);
      this.stamps.set(file, `${s.size}:${s.mtimeMs}`);
      return text;
    } catch (cause) {
      throw new HttpClientConfigError(`tls_config: read ${kind}_file ${file}`, { cause });
    }
  }

  private async filesChanged(): Promise<boolean> {
    for (const [file, stamp] of this.stamps) {
      try {
        const s = await stat(file);
        if (`${s.size}:${s.mtimeMs}` !== stamp) return true;
      } catch {
        // A file that went missing mid-rotation: keep what we have until it reappears.
      }
    }
    return false;
  }
}
