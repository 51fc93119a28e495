// The notifier over HTTPS with mutual TLS (certificates from openssl) and file-based credentials.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Notifier } from "../../src/notifier/notifier.js";
import { referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

const openssl = referenceBinary("openssl");

describe.runIf(openssl)("notifier over mutual TLS", () => {
  const tmp = tempDir("notifier-tls");
  let server: Server;
  let port = 0;
  const received: { authorization: string | undefined; clientCN: string; alerts: number }[] = [];

  beforeAll(async () => {
    const run = (...args: string[]) => execFileSync(openssl!, args, { cwd: tmp.dir, stdio: "ignore" });
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca");
    for (const [name, cn, ext] of [
      ["server", "localhost", "subjectAltName=IP:127.0.0.1\n"],
      ["client", "promwasm", "extendedKeyUsage=clientAuth\n"],
    ]) {
      writeFileSync(join(tmp.dir, `${name}.ext`), ext);
      run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
      run("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`);
    }
    writeFileSync(join(tmp.dir, "token"), "s3cret\n");
    const pem = (f: string) => readFileSync(join(tmp.dir, f));
    server = createServer({ key: pem("server.key"), cert: pem("server.crt"), ca: pem("ca.crt"), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        received.push({ authorization: req.headers.authorization, clientCN: String(peer.subject?.CN ?? ""), alerts: (JSON.parse(Buffer.concat(chunks).toString()) as unknown[]).length });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address();
    port = typeof addr === "object" && addr ? addr.port : 0;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    tmp.cleanup();
  });

  async function notifierFor(tlsYaml: string): Promise<Notifier> {
    const cfg = parseConfig(
      `alerting:
  alertmanagers:
    - scheme: https
      authorization:
        credentials_file: token
${tlsYaml}
      static_configs: [{ targets: ["127.0.0.1:${port}"] }]
`,
      { file: join(tmp.dir, "prometheus.yml"), baseDir: tmp.dir },
    );
    const n = new Notifier({ discoveryUpdateIntervalMs: 20 });
    await n.applyConfig(cfg.alerting, []);
    await waitFor(() => n.alertmanagers().active.length === 1, 5000, "discovery");
    return n;
  }

  const alert = { labels: labelsFromRecord({ alertname: "Tls" }), annotations: [], startsAtMs: Date.now(), endsAtMs: Date.now() + 60_000, generatorUrl: "" };

  it("sends with the client certificate, verifying the server against ca_file", async () => {
    const n = await notifierFor("      tls_config: { ca_file: ca.crt, cert_file: client.crt, key_file: client.key }");
    try {
      expect(n.alertmanagers().active).toEqual([`https://127.0.0.1:${port}/api/v2/alerts`]);
      n.send([alert]);
      await waitFor(() => received.length === 1, 5000, "post");
      expect(received[0]).toEqual({ authorization: "Bearer s3cret", clientCN: "promwasm", alerts: 1 });
    } finally {
      await n.stop(1000);
    }
  });

  it("fails (and counts it) when the server cannot be verified", async () => {
    const n = await notifierFor("      tls_config: { cert_file: client.crt, key_file: client.key }");
    try {
      n.send([alert]);
      await waitFor(() => n.errors === 1, 5000, "error");
      expect(n.dropped).toBe(1);
      expect(received).toHaveLength(1);
    } finally {
      await n.stop(1000);
    }
  });
});
