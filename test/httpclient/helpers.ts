// Loopback plumbing for the http client tests: closing servers, request bodies, openssl
// certificates, and a forwarding proxy (absolute-form requests and CONNECT tunnels).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { join } from "node:path";

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** A CA, a server certificate for localhost/127.0.0.1 and a client certificate (CN=client), in dir. */
export function makeCerts(openssl: string, dir: string, caName = "ca"): void {
  const run = (...args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: "ignore" });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${caName}.key`, "-out", `${caName}.crt`, "-days", "1", "-subj", `/CN=${caName}`);
  for (const [name, cn, ext] of [
    ["server", "localhost", "subjectAltName=DNS:localhost,DNS:proxied.test,IP:127.0.0.1\n"],
    ["client", "client", "extendedKeyUsage=clientAuth\n"],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), ext);
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    run("x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.crt`, "-CAkey", `${caName}.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`);
  }
}

export interface ProxySeen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface TestProxy {
  readonly server: Server;
  readonly seen: ProxySeen[];
  readonly tunnels: Socket[];
}

/** A forwarding proxy that sends every host to 127.0.0.1, so test names need no DNS. */
export function forwardingProxy(): TestProxy {
  const seen: ProxySeen[] = [];
  const tunnels: Socket[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const target = new URL(req.url ?? "");
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    void readBody(req).then((b) => {
      const fwd = httpRequest({ host: "127.0.0.1", port: target.port, path: target.pathname + target.search, method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      fwd.on("error", () => res.writeHead(502).end());
      fwd.end(b);
    });
  });
  server.on("connect", (req: IncomingMessage, socket: Socket) => {
    seen.push({ method: "CONNECT", url: req.url ?? "", headers: req.headers });
    tunnels.push(socket);
    const port = Number((req.url ?? "").split(":").at(-1));
    const up = netConnect(port, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("close", () => socket.destroy());
    socket.on("close", () => up.destroy());
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  return { server, seen, tunnels };
}
