// Credentials on loopback: basic auth and authorization with secrets re-read from files on
// every request, and oauth2 client credentials (cached, renewed after a 401).
import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT, type HTTPClientConfig } from "../../src/config/types.js";
import { HttpClient } from "../../src/httpclient/client.js";
import { OAuth2Error } from "../../src/httpclient/errors.js";
import { listen, tempDir } from "../helpers/reference.js";
import { close, readBody } from "./helpers.js";

describe("http client credentials", () => {
  const tmp = tempDir("httpclient-auth");
  let server: Server;
  let base = "";
  let status = 200;
  let tokenStatus = 200;
  let tokens = 0;
  const seen: IncomingHttpHeaders[] = [];
  const tokenRequests: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((b) => {
        if (req.url === "/token") {
          tokenRequests.push({ headers: req.headers, body: b.toString() });
          if (tokenStatus !== 200) return res.writeHead(tokenStatus).end("nope");
          tokens++;
          return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ access_token: `tok${tokens}`, token_type: "bearer", expires_in: 3600 }));
        }
        seen.push(req.headers);
        res.writeHead(status).end();
      });
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    await close(server);
    tmp.cleanup();
  });

  const client = (over: Partial<HTTPClientConfig>) => new HttpClient({ userAgent: "t", config: { ...DEFAULT_HTTP_CLIENT, ...over } });
  const basic = (s: string) => "Basic " + Buffer.from(s).toString("base64");

  it("sends basic auth, reading password_file on every request", async () => {
    const file = join(tmp.dir, "password");
    writeFileSync(file, "first\n");
    const c = client({ basicAuth: { username: "user", password: "", passwordFile: file } });
    await c.request(`${base}/x`);
    writeFileSync(file, "second\n");
    await c.request(`${base}/x`);
    c.close();
    expect(seen.slice(-2).map((h) => h.authorization)).toEqual([basic("user:first"), basic("user:second")]);
    const inline = client({ basicAuth: { username: "u", password: "p", passwordFile: "" } });
    await inline.request(`${base}/x`);
    inline.close();
    expect(seen.at(-1)!.authorization).toBe(basic("u:p"));
  });

  it("sends authorization credentials of the configured type, reading credentials_file per request", async () => {
    const file = join(tmp.dir, "token");
    writeFileSync(file, "abc\n");
    const c = client({ authorization: { type: "Bearer", credentials: "", credentialsFile: file } });
    await c.request(`${base}/x`);
    writeFileSync(file, "def");
    await c.request(`${base}/x`);
    c.close();
    const custom = client({ authorization: { type: "Token", credentials: "xyz", credentialsFile: "" } });
    await custom.request(`${base}/x`);
    custom.close();
    expect(seen.slice(-3).map((h) => h.authorization)).toEqual(["Bearer abc", "Bearer def", "Token xyz"]);
    const missing = client({ authorization: { type: "Bearer", credentials: "", credentialsFile: join(tmp.dir, "absent") } });
    await expect(missing.request(`${base}/x`)).rejects.toThrow(/credentials_file/);
    missing.close();
  });

  it("gets oauth2 tokens with client credentials, reuses them, and renews after a 401", async () => {
    const secretFile = join(tmp.dir, "secret");
    writeFileSync(secretFile, "s&cret\n");
    const c = client({ oauth2: { clientId: "id:1", clientSecret: "", clientSecretFile: secretFile, scopes: ["a", "b"], tokenUrl: `${base}/token`, endpointParams: { audience: "api" } } });
    await c.request(`${base}/x`);
    await c.request(`${base}/x`);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]!.headers.authorization).toBe(basic("id%3A1:s%26cret"));
    expect(Object.fromEntries(new URLSearchParams(tokenRequests[0]!.body))).toEqual({ grant_type: "client_credentials", scope: "a b", audience: "api" });
    expect(seen.slice(-2).map((h) => h.authorization)).toEqual(["Bearer tok1", "Bearer tok1"]);
    status = 401;
    expect((await c.request(`${base}/x`)).status).toBe(401);
    status = 200;
    await c.request(`${base}/x`);
    expect(seen.at(-1)!.authorization).toBe("Bearer tok2");
    c.close();
  });

  it("fails the request with the token endpoint's answer when it refuses", async () => {
    tokenStatus = 400;
    const c = client({ oauth2: { clientId: "id", clientSecret: "s", clientSecretFile: "", scopes: [], tokenUrl: `${base}/token`, endpointParams: {} } });
    const err = await c.request(`${base}/x`).catch((e: unknown) => e);
    tokenStatus = 200;
    c.close();
    expect(err).toBeInstanceOf(OAuth2Error);
    expect((err as Error).message).toMatch(/returned HTTP status 400: nope/);
  });
});
