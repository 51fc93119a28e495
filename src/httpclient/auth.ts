// The Authorization header from basic_auth, authorization or oauth2. Secret files are read
// on every request, as Prometheus does, so rotated secrets apply without a reload.
import { readFile } from "node:fs/promises";
import type { HTTPClientConfig } from "../config/types.js";
import { HttpClientConfigError } from "./errors.js";
import type { OAuth2TokenSource } from "./oauth2.js";

async function secret(inline: string | undefined, file: string | undefined, what: string): Promise<string> {
  if (!file) return inline ?? "";
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (cause) {
    throw new HttpClientConfigError(`read ${what} ${file}`, { cause });
  }
}

export async function authorizationHeader(cfg: HTTPClientConfig, oauth2: OAuth2TokenSource | undefined): Promise<string | undefined> {
  if (cfg.basicAuth) {
    const b = cfg.basicAuth;
    const password = await secret(b.password, b.passwordFile, "basic_auth password_file");
    return "Basic " + Buffer.from(`${b.username}:${password}`).toString("base64");
  }
  if (cfg.authorization) {
    const a = cfg.authorization;
    const creds = await secret(a.credentials, a.credentialsFile, "authorization credentials_file");
    return `${a.type || "Bearer"} ${creds}`;
  }
  return oauth2?.authorization();
}
