// Security of the listener, against the real bin on loopback: admin and lifecycle endpoints
// are off by default (answering as Prometheus 2.42 does), with --web.config.file (basic auth
// over TLS) no path answers without credentials, the UI's static server never leaves its
// directory, and --web.max-connections holds against idle connections, which
// --web.read-timeout then cuts.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { query, startPromwasm, startReference, stopChild, waitForChild, waitReady, type Server } from "../helpers/process.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

const tmp = tempDir("faults-security");
const children: Server[] = [];
afterAll(async () => {
  for (const c of children) await stopChild(c);
  tmp.cleanup();
});

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface RequestOptions {
  readonly method?: string;
  readonly auth?: string;
  readonly body?: Buffer | string;
  readonly headers?: Record<string, string>;
  /** The CA to trust for https bases. */
  readonly ca?: Buffer;
}

/** One request with the path sent byte for byte as given (fetch would normalise "../"). */
function send(base: string, path: string, opts: RequestOptions = {}): Promise<Answer> {
  const url = new URL(base);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth !== undefined) headers.authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: opts.method ?? "GET", headers, ca: opts.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

function writeConfig(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

async function start(name: string, args: readonly string[]): Promise<Server> {
  const s = await startPromwasm([`--storage.tsdb.path=${join(tmp.dir, name)}`, ...args], tmp.dir);
  children.push(s);
  return s;
}

// The requests an operator would disable; each must be refused and change nothing.
const DISABLED: readonly { method: string; path: string }[] = [
  { method: "POST", path: "/-/reload" },
  { method: "PUT", path: "/-/quit" },
  { method: "POST", path: "/api/v1/admin/tsdb/delete_series?match[]=up" },
  { method: "POST", path: "/api/v1/admin/tsdb/clean_tombstones" },
  { method: "POST", path: "/api/v1/admin/tsdb/snapshot" },
];

describe("admin and lifecycle endpoints", () => {
  it("are off by default, answer as Prometheus 2.42 does, and change nothing", async () => {
    const cfg = writeConfig("default.yml", "global: {}\n");
    const s = await start("default-flags", [`--config.file=${cfg}`, "--web.enable-remote-write-receiver"]);
    await waitReady(s);
    // One known series to try deleting.
    const snappy = (await import("snappy")).default;
    const { prompbType } = await import("../../bench/baseline/prompb.js");
    const WriteRequest = prompbType("WriteRequest");
    const now = Date.now();
    const payload = WriteRequest.encode(WriteRequest.create({ timeseries: [{ labels: [{ name: "__name__", value: "up" }, { name: "job", value: "kept" }], samples: [{ value: 1, timestamp: now }] }] })).finish();
    const written = await send(s.base, "/api/v1/write", {
      method: "POST",
      body: snappy.compressSync(Buffer.from(payload)),
      headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
    });
    expect(written.status).toBe(204);

    const ours = [];
    for (const r of DISABLED) ours.push(`${r.method} ${r.path} ${(await send(s.base, r.path, { method: r.method })).status}`);
    // Prometheus has no status for errorType "unavailable" and answers 500 (compared live below).
    expect(ours).toEqual([
      "POST /-/reload 403",
      "PUT /-/quit 403",
      "POST /api/v1/admin/tsdb/delete_series?match[]=up 500",
      "POST /api/v1/admin/tsdb/clean_tombstones 500",
      "POST /api/v1/admin/tsdb/snapshot 500",
    ]);
    expect((await send(s.base, "/api/v1/admin/tsdb/snapshot", { method: "POST" })).body).toContain("admin APIs disabled");
    // Still running, and the series is still there.
    expect((await send(s.base, "/-/healthy")).status).toBe(200);
    expect(await query(s.base, `up{job="kept"}`)).toHaveLength(1);
    expect(s.proc.exitCode).toBeNull();

    const bin = referenceBinary("prometheus");
    if (!bin) return;
    const promDir = join(tmp.dir, "prometheus");
    const prom = await startReference(bin, (port) => [`--config.file=${cfg}`, `--storage.tsdb.path=${promDir}`, `--web.listen-address=127.0.0.1:${port}`]);
    children.push(prom);
    const theirs = [];
    for (const r of DISABLED) theirs.push(`${r.method} ${r.path} ${(await send(prom.base, r.path, { method: r.method })).status}`);
    expect(theirs).toEqual(ours);
  });
});

const openssl = referenceBinary("openssl");

describe.runIf(openssl !== undefined)("basic auth over TLS", () => {
  const PASSWORD = "correct horse";
  const CREDS = `alice:${PASSWORD}`;

  it("turns away every path without valid credentials, before any handler runs", async () => {
    execFileSync(openssl!, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.crt", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { cwd: tmp.dir, stdio: "pipe" });
    const ca = readFileSync(join(tmp.dir, "tls.crt"));
    const web = writeConfig("web.yml", `tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\nbasic_auth_users:\n  alice: ${bcrypt.hashSync(PASSWORD, 4)}\n`);
    const cfg = writeConfig("auth.yml", "global: {}\n");
    const s = await start("auth", [`--config.file=${cfg}`, `--web.config.file=${web}`, "--web.enable-remote-write-receiver", "--web.enable-otlp-receiver", "--web.enable-admin-api", "--web.enable-lifecycle"]);
    const base = s.base.replace("http:", "https:");
    await waitForChild(s, async () => (await send(base, "/-/ready", { auth: CREDS, ca })).status === 200, 30_000, "ready over https");

    const paths: readonly { method: string; path: string }[] = [
      { method: "GET", path: "/" },
      { method: "GET", path: "/graph" },
      { method: "GET", path: "/ui/app.js" },
      { method: "GET", path: "/ui/codec/codec.js" },
      { method: "GET", path: "/-/healthy" },
      { method: "GET", path: "/-/ready" },
      { method: "GET", path: "/metrics" },
      { method: "GET", path: "/federate?match[]=up" },
      { method: "GET", path: "/api/v1/query?query=1" },
      { method: "GET", path: "/api/v1/status/walreplay" },
      { method: "POST", path: "/api/v1/write" },
      { method: "POST", path: "/api/v1/read" },
      { method: "GET", path: "/api/v1/promwasm/chunks?match[]=up" },
      { method: "POST", path: "/api/v1/otlp/v1/metrics" },
      { method: "POST", path: "/api/v1/admin/tsdb/snapshot" },
      { method: "POST", path: "/-/reload" },
      { method: "GET", path: "/no/such/path" },
    ];
    const bad = [undefined, "alice:wrong", `mallory:${PASSWORD}`, "alice", ":"];
    for (const { method, path } of paths) {
      for (const auth of bad) {
        const r = await send(base, path, { method, auth, ca });
        expect(r.status, `${method} ${path} as ${auth}`).toBe(401);
        expect(r.headers["www-authenticate"]).toBe("Basic");
      }
      const ok = await send(base, path, { method, auth: CREDS, ca });
      expect(ok.status, `${method} ${path} with credentials`).not.toBe(401);
    }
    // Plain HTTP gets no answer at all from the TLS listener.
    await expect(send(s.base, "/-/healthy")).rejects.toThrow();

    // No refused request reached the handlers behind auth (the metrics middleware among them).
    const metrics = (await send(base, "/metrics", { auth: CREDS, ca })).body;
    expect(metrics).toMatch(/^prometheus_http_requests_total\{code="\d+",handler="\/api\/v1\/write"\} 1$/m);
    expect(metrics).not.toMatch(/code="401"/);
  });
});

describe("UI static files", () => {
  it("never serve a file outside their directories, however the path is encoded", async () => {
    const cfg = writeConfig("ui.yml", "global: {}\n");
    const s = await start("ui", [`--config.file=${cfg}`]);
    await waitReady(s);
    const pkg = readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8");
    // The control: a real asset is served, so a 404 below is the guard and not a broken route.
    expect((await send(s.base, "/ui/app.js")).status).toBe(200);
    const attempts = [
      "/ui/../../package.json",
      "/ui/..%2f..%2fpackage.json",
      "/ui/..%2F..%2F..%2Fpackage.json",
      "/ui/%2e%2e%2f%2e%2e%2fpackage.json",
      "/ui/%2e%2e/%2e%2e/package.json",
      "/ui/codec/..%2f..%2f..%2fpackage.json",
      "/ui/codec/lib/..%2f..%2f/package.json",
      "/ui/codec/lib/%2e%2e/%2e%2e/package.json",
      "/ui/codec/lib/%2e%2e/%2e%2e/%2e%2e/package.json",
      "/ui/..%5c..%5cpackage.json",
      "/ui/%252e%252e%252f%252e%252e%252fpackage.json",
      "/ui/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afpackage.json",
      "/ui/.%2e/.%2e/package.json",
      "/ui/app.js%00/../../../package.json",
      "/ui/%2fetc%2fpasswd",
      "/ui/codec/%2fetc%2fpasswd",
      "//etc/passwd",
      "/ui/codec/lib/a/..%2f..%2f..%2f..%2fpackage.json",
    ];
    for (const path of attempts) {
      const r = await send(s.base, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain(pkg.slice(0, 40));
      expect(r.body, path).not.toContain("root:");
    }
    expect((await send(s.base, "/-/healthy")).status).toBe(200);
  });
});

describe("--web.max-connections", () => {
  interface Idle {
    readonly socket: Socket;
    /** Bytes the server sent before closing (none when it dropped the connection at once). */
    received: number;
    closed: boolean;
  }
  function idle(base: string): Idle {
    const url = new URL(base);
    const conn: Idle = { socket: connect(Number(url.port), url.hostname), received: 0, closed: false };
    conn.socket.on("data", (d: Buffer) => (conn.received += d.length));
    conn.socket.on("error", () => {});
    conn.socket.on("close", () => (conn.closed = true));
    return conn;
  }

  it("holds against many idle connections and serves again once they go", async () => {
    const LIMIT = 4;
    const cfg = writeConfig("conns.yml", "global: {}\n");
    const s = await start("conns", [`--config.file=${cfg}`, `--web.max-connections=${LIMIT}`]);
    // Not fetch: its keep-alive connection would hold a slot.
    await waitForChild(s, async () => (await send(s.base, "/-/ready")).status === 200, 30_000, "ready");
    // Two waves: the second fills any slot the ready check's connection held a moment longer.
    const conns: Idle[] = [];
    for (const wave of [40, 10]) {
      for (let i = 0; i < wave; i++) conns.push(idle(s.base));
      await waitForChild(s, () => conns.filter((c) => c.closed).length >= conns.length - LIMIT, 20_000, "connections past the limit dropped");
    }
    // Dropped at once, before any answer; exactly LIMIT held.
    expect(conns.filter((c) => c.closed && c.received > 0)).toHaveLength(0);
    expect(conns.filter((c) => !c.closed)).toHaveLength(LIMIT);
    // A request while the slots are held is refused too, and the server survives it.
    await expect(send(s.base, "/-/healthy")).rejects.toThrow();
    for (const c of conns) c.socket.destroy();
    await waitForChild(s, async () => (await send(s.base, "/-/healthy")).status === 200, 20_000, "healthy after the idle connections closed");
  });

  it("cuts idle connections after --web.read-timeout, freeing the slots", async () => {
    const LIMIT = 3;
    const cfg = writeConfig("timeout.yml", "global: {}\n");
    const s = await start("timeout", [`--config.file=${cfg}`, `--web.max-connections=${LIMIT}`, "--web.read-timeout=1s"]);
    await waitReady(s);
    const conns = Array.from({ length: LIMIT }, () => idle(s.base));
    // Without a read timeout these would hold every slot for good; the server closes them itself
    // (Node's default check every 30 s would miss this deadline).
    await waitForChild(s, () => conns.every((c) => c.closed), 15_000, "idle connections closed by the server");
    expect((await send(s.base, "/-/healthy")).status).toBe(200);
  });
});
