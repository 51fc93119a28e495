// The http client over HTTPS with an openssl-made CA: server verification, client
// certificates, insecure_skip_verify, server_name, min_version and CA files reloaded on change.
import { copyFileSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT, DEFAULT_TLS, type TLSConfig } from "../../src/config/types.js";
import { HttpClient } from "../../src/httpclient/client.js";
import { listen, referenceBinary, tempDir } from "../helpers/reference.js";
import { close, makeCerts } from "./helpers.js";

const openssl = referenceBinary("openssl");

describe.runIf(openssl)("http client over TLS", () => {
  const tmp = tempDir("httpclient-tls");
  const other = tempDir("httpclient-tls-other");
  let server: Server;
  let tls12: Server;
  let port = 0;
  let tls12Port = 0;

  beforeAll(async () => {
    makeCerts(openssl!, tmp.dir);
    makeCerts(openssl!, other.dir, "other-ca");
    const f = (n: string) => readFileSync(join(tmp.dir, n));
    const handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.writeHead(200).end(`cn=${peer?.subject?.CN ?? "none"}`);
    };
    server = createServer({ key: f("server.key"), cert: f("server.crt"), ca: f("ca.crt"), requestCert: true, rejectUnauthorized: false }, handler);
    port = await listen(server);
    tls12 = createServer({ key: f("server.key"), cert: f("server.crt"), maxVersion: "TLSv1.2" }, handler);
    tls12Port = await listen(tls12);
  });
  afterAll(async () => {
    await close(server as unknown as import("node:http").Server);
    await close(tls12 as unknown as import("node:http").Server);
    tmp.cleanup();
    other.cleanup();
  });

  const get = async (tlsConfig: Partial<TLSConfig>, url: string) => {
    const c = new HttpClient({ userAgent: "t", config: { ...DEFAULT_HTTP_CLIENT, tlsConfig: { ...DEFAULT_TLS, ...tlsConfig } } });
    try {
      return (await c.request(url, { timeoutMs: 5000 })).body.toString();
    } finally {
      c.close();
    }
  };
  const p = (n: string) => join(tmp.dir, n);

  it("verifies the server against ca_file and presents the client certificate", async () => {
    expect(await get({ caFile: p("ca.crt"), certFile: p("client.crt"), keyFile: p("client.key") }, `https://localhost:${port}/`)).toBe("cn=client");
    // Inline PEM works the same as files.
    expect(await get({ ca: readFileSync(p("ca.crt"), "utf8") }, `https://127.0.0.1:${port}/`)).toBe("cn=none");
  });

  it("rejects an unknown CA unless insecure_skip_verify", async () => {
    await expect(get({}, `https://localhost:${port}/`)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
    await expect(get({ caFile: join(other.dir, "other-ca.crt") }, `https://localhost:${port}/`)).rejects.toThrow(/certificate/i);
    expect(await get({ insecureSkipVerify: true }, `https://localhost:${port}/`)).toBe("cn=none");
  });

  it("checks the certificate against server_name instead of the URL's host", async () => {
    // The certificate has no name "wrong.test": verification fails although the URL is fine.
    await expect(get({ caFile: p("ca.crt"), serverName: "wrong.test" }, `https://localhost:${port}/`)).rejects.toThrow(/wrong\.test|altnames/i);
    expect(await get({ caFile: p("ca.crt"), serverName: "proxied.test" }, `https://127.0.0.1:${port}/`)).toBe("cn=none");
  });

  it("refuses servers below min_version", async () => {
    expect(await get({ caFile: p("ca.crt"), minVersion: "TLS12" }, `https://localhost:${tls12Port}/`)).toBe("cn=none");
    await expect(get({ caFile: p("ca.crt"), minVersion: "TLS13" }, `https://localhost:${tls12Port}/`)).rejects.toThrow(/protocol|version/i);
    await expect(get({ minVersion: "TLS99" }, `https://localhost:${tls12Port}/`)).rejects.toThrow(/unknown min_version "TLS99"/);
  });

  it("reads ca_file again when it changes", async () => {
    const caFile = join(tmp.dir, "rotating-ca.crt");
    copyFileSync(join(other.dir, "other-ca.crt"), caFile);
    const c = new HttpClient({ userAgent: "t", config: { ...DEFAULT_HTTP_CLIENT, tlsConfig: { ...DEFAULT_TLS, caFile } } });
    await expect(c.request(`https://localhost:${port}/`, { timeoutMs: 5000 })).rejects.toThrow(/certificate/i);
    copyFileSync(p("ca.crt"), caFile);
    expect((await c.request(`https://localhost:${port}/`, { timeoutMs: 5000 })).body.toString()).toBe("cn=none");
    c.close();
  });
});
