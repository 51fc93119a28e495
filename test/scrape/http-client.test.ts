// The scrape HTTP client over real TLS (CA, client certificates, insecure_skip_verify) and
// through a real forwarding proxy, all on loopback. Certificates come from openssl.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptHeader, ScrapeHttpClient } from "../../src/scrape/http-client.js";
import { listen, referenceBinary, tempDir } from "../helpers/reference.js";

const openssl = referenceBinary("openssl");

function genCerts(dir: string): void {
  const run = (...args: string[]) => execFileSync(openssl!, args, { cwd: dir, stdio: "ignore" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca");
  for (const name of ["server", "client"]) {
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name === "server" ? "localhost" : "scraper"}`);
    require_ext(dir, name);
    run("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`);
  }
}

function require_ext(dir: string, name: string): void {
  const ext = name === "server" ? "subjectAltName=DNS:localhost,IP:127.0.0.1\n" : "extendedKeyUsage=clientAuth\n";
  execFileSync("sh", ["-c", `printf '${ext}' > ${name}.ext`], { cwd: dir });
}

describe("acceptHeader", () => {
  it("weights scrape_protocols in order like Prometheus", () => {
    expect(acceptHeader(["PrometheusText0.0.4", "OpenMetricsText1.0.0"])).toBe(
      "text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,*/*;q=0.3",
    );
  });
});

describe.runIf(openssl)("scrape client over TLS and proxies", () => {
  const tmp = tempDir("scrape-tls");
  let tlsServer: Server;
  let tlsPort = 0;
  let plain: Server;
  let plainPort = 0;
  let proxy: Server;
  let proxyPort = 0;
  const proxied: string[] = [];
  const tunnels: import("node:net").Socket[] = [];

  beforeAll(async () => {
    genCerts(tmp.dir);
    const f = (n: string) => readFileSync(join(tmp.dir, n));
    tlsServer = createHttpsServer({ key: f("server.key"), cert: f("server.crt"), ca: f("ca.crt"), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const peer = (req.socket as import("node:tls").TLSSocket).getPeerCertificate();
      res.writeHead(200, { "Content-Type": "text/plain" }).end(`client_cn{cn="${peer?.subject?.CN ?? "none"}"} 1\n`);
    });
    tlsPort = await listen(tlsServer);
    plain = createHttpServer((req, res) => {
      if (req.url === "/old") res.writeHead(302, { Location: "/new" }).end();
      else res.writeHead(200).end(`plain{path="${req.url}"} 1\n`);
    });
    plainPort = await listen(plain);
    // A forwarding proxy: absolute-form GETs and CONNECT tunnels.
    proxy = createHttpServer((req, res) => {
      proxied.push(`GET ${req.url}`);
      const u = new URL(req.url!);
      const up = httpRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.end();
    });
    proxy.on("connect", (req, socket) => {
      proxied.push(`CONNECT ${req.url}`);
      const [host, port] = req.url!.split(":");
      tunnels.push(socket as import("node:net").Socket);
      const up = netConnect(Number(port), host, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        up.pipe(socket);
        socket.pipe(up);
      });
    });
    proxyPort = await listen(proxy);
  });
  afterAll(async () => {
    for (const t of tunnels) t.destroy();
    for (const s of [tlsServer, plain, proxy]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    tmp.cleanup();
  });

  const base = { jobName: "t", scrapeIntervalMs: 1000, scrapeTimeoutMs: 1000 };
  const scrape = async (client: ScrapeHttpClient, url: string) => {
    try {
      return (await client.scrape(new URL(url), 1000, AbortSignal.timeout(3000))).body.toString();
    } finally {
      client.close();
    }
  };

  it("verifies the server against the configured CA and presents a client certificate", async () => {
    const tls = { caFile: join(tmp.dir, "ca.crt"), certFile: join(tmp.dir, "client.crt"), keyFile: join(tmp.dir, "client.key") };
    expect(await scrape(new ScrapeHttpClient({ ...base, tls }), `https://localhost:${tlsPort}/metrics`)).toBe('client_cn{cn="scraper"} 1\n');
  });

  it("rejects an unknown CA unless insecure_skip_verify", async () => {
    await expect(scrape(new ScrapeHttpClient(base), `https://localhost:${tlsPort}/metrics`)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
    expect(await scrape(new ScrapeHttpClient({ ...base, tls: { insecureSkipVerify: true } }), `https://localhost:${tlsPort}/metrics`)).toBe('client_cn{cn="none"} 1\n');
  });

  it("follows redirects unless follow_redirects is false", async () => {
    expect(await scrape(new ScrapeHttpClient(base), `http://127.0.0.1:${plainPort}/old`)).toBe('plain{path="/new"} 1\n');
    await expect(scrape(new ScrapeHttpClient({ ...base, followRedirects: false }), `http://127.0.0.1:${plainPort}/old`)).rejects.toThrow(
      "server returned HTTP status 302 Found",
    );
  });

  it("sends http targets through proxy_url and tunnels https targets with CONNECT", async () => {
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    expect(await scrape(new ScrapeHttpClient({ ...base, proxyUrl }), `http://127.0.0.1:${plainPort}/metrics?x=1`)).toBe('plain{path="/metrics?x=1"} 1\n');
    const tls = { caFile: join(tmp.dir, "ca.crt") };
    expect(await scrape(new ScrapeHttpClient({ ...base, proxyUrl, tls }), `https://localhost:${tlsPort}/metrics`)).toBe('client_cn{cn="none"} 1\n');
    expect(proxied).toEqual([`GET http://127.0.0.1:${plainPort}/metrics?x=1`, `CONNECT localhost:${tlsPort}`]);
  });
});
