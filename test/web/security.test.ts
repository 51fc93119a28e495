// --web.config.file: basic auth (bcrypt) turns away unauthenticated requests before any handler,
// TLS with a test CA works for curl and promtool, and a client certificate can be required.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/cmd/server.js";
import { referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

const run = promisify(execFile);
const openssl = referenceBinary("openssl");
const curl = referenceBinary("curl");
const promtool = referenceBinary("promtool");
const tmp = tempDir("web-security");
const servers: RunningServer[] = [];
const PASSWORD = "s3cret";

async function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(cmd, args, { cwd: tmp.dir, encoding: "utf8", timeout: 20_000, env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: typeof err.code === "number" ? err.code : 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
async function makeCerts(): Promise<void> {
  const o = (...args: string[]) => sh(openssl!, args);
  await o("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=promwasm test CA");
  for (const name of ["server", "client"]) {
    await o("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    writeFileSync(join(tmp.dir, `${name}.ext`), name === "server" ? "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n" : "extendedKeyUsage=clientAuth\n");
    await o("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`);
  }
  // A client certificate from a CA the server does not know.
  await o("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rogue.key", "-out", "rogue.crt", "-days", "2", "-subj", "/CN=rogue", "-addext", "extendedKeyUsage=clientAuth");
}

async function start(name: string, webConfig: string): Promise<RunningServer> {
  const path = join(tmp.dir, `${name}-web.yml`);
  writeFileSync(path, webConfig);
  writeFileSync(join(tmp.dir, "prometheus.yml"), "scrape_configs: []\n");
  const s = await startServer({
    args: ["--web.listen-address=127.0.0.1:0", `--web.config.file=${path}`, `--config.file=${join(tmp.dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(tmp.dir, name)}`],
    logWrite: () => {},
  });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  if (openssl) await makeCerts();
}, 60_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

describe.runIf(curl !== undefined)("basic auth", () => {
  let base: string;
  const userHash = bcrypt.hashSync(PASSWORD, 4);

  beforeAll(async () => {
    const s = await start("basic", `basic_auth_users:\n  alice: ${userHash}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`);
    base = `http://127.0.0.1:${s.port}`;
    await waitFor(async () => (await sh(curl!, ["-s", "-u", `alice:${PASSWORD}`, `${base}/-/ready`])).stdout.includes("Ready"), 20_000, "ready");
  });

  it("answers 401 without or with wrong credentials, and no handler sees those requests", async () => {
    const none = await sh(curl!, ["-s", "-i", `${base}/api/v1/query?query=1`]);
    expect(none.stdout).toMatch(/^HTTP\/1.1 401/);
    expect(none.stdout).toMatch(/^www-authenticate: Basic/im);
    const wrong = await sh(curl!, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", "alice:nope", `${base}/api/v1/query?query=1`]);
    expect(wrong.stdout).toBe("401");
    const unknown = await sh(curl!, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", `bob:${PASSWORD}`, `${base}/api/v1/query?query=1`]);
    expect(unknown.stdout).toBe("401");
    const good = await sh(curl!, ["-s", "-i", "-u", `alice:${PASSWORD}`, `${base}/api/v1/query?query=1`]);
    expect(good.stdout).toMatch(/^HTTP\/1.1 200/);
    expect(good.stdout).toMatch(/^x-frame-options: deny/im);
    const metrics = (await sh(curl!, ["-s", "-u", `alice:${PASSWORD}`, `${base}/metrics`])).stdout;
    // Only the authorised query reached the handler (and the metrics middleware behind auth).
    expect(metrics).toMatch(/^prometheus_http_requests_total\{code="200",handler="\/api\/v1\/query"\} 1$/m);
    expect(metrics).not.toMatch(/code="401"/);
  });

  it.runIf(promtool !== undefined)("lets promtool query with credentials in the URL", async () => {
    const r = await sh(promtool!, ["query", "instant", `http://alice:${PASSWORD}@127.0.0.1:${base.split(":").pop()}`, "vector(7)"]);
    expect(r.stdout).toMatch(/^\{\} => 7 @\[/);
  });
});

describe.runIf(openssl !== undefined && curl !== undefined)("TLS", () => {
  it("serves HTTPS to curl and promtool trusting the test CA", async () => {
    const s = await start("tls", `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n`);
    const base = `https://127.0.0.1:${s.port}`;
    await waitFor(async () => (await sh(curl!, ["-s", "--cacert", "ca.crt", `${base}/-/ready`])).stdout.includes("Ready"), 20_000, "ready");
    const untrusted = await sh(curl!, ["-s", `${base}/-/healthy`]);
    expect(untrusted.code).not.toBe(0);
    const r = await sh(curl!, ["-s", "--cacert", "ca.crt", `${base}/api/v1/query?query=vector(3)&time=10`]);
    expect(JSON.parse(r.stdout)).toEqual({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [10, "3"] }] } });
    if (promtool) {
      // promtool 2.42 has no --http.config.file; Go reads extra roots from SSL_CERT_FILE.
      const p = await sh(promtool, ["query", "instant", "--time=10", base, "vector(3)"], { SSL_CERT_FILE: join(tmp.dir, "ca.crt") });
      expect(p.stdout).toBe("{} => 3 @[10]\n");
    }
  });

  it("requires a client certificate signed by the client CA when configured", async () => {
    const s = await start(
      "mtls",
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`,
    );
    const base = `https://127.0.0.1:${s.port}`;
    const withCert = ["-s", "--cacert", "ca.crt", "--cert", "client.crt", "--key", "client.key"];
    await waitFor(async () => (await sh(curl!, [...withCert, `${base}/-/ready`])).stdout.includes("Ready"), 20_000, "ready");
    const without = await sh(curl!, ["-s", "--cacert", "ca.crt", `${base}/-/healthy`]);
    expect(without.code).not.toBe(0);
    const rogue = await sh(curl!, ["-s", "--cacert", "ca.crt", "--cert", "rogue.crt", "--key", "rogue.key", `${base}/-/healthy`]);
    expect(rogue.code).not.toBe(0);
    expect(rogue.stdout).toBe("");
    const ok = await sh(curl!, [...withCert, `${base}/-/healthy`]);
    expect(ok.stdout).toBe("Prometheus Server is Healthy.\n");
  });
});
