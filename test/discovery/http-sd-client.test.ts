// http_sd with an http_client_config: credentials read from a file and a proxy, through
// the shared http client (the SD server's name only resolves at the proxy).
import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_CLIENT } from "../../src/config/types.js";
import { HttpDiscoverer } from "../../src/discovery/http.js";
import type { TargetGroup } from "../../src/discovery/interface.js";
import { listen, tempDir } from "../helpers/reference.js";
import { close, forwardingProxy, type TestProxy } from "../httpclient/helpers.js";

describe("http_sd with http_client_config", () => {
  const tmp = tempDir("http-sd-client");
  let sd: Server;
  let sdPort = 0;
  let proxy: TestProxy;
  let proxyPort = 0;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    sd = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify([{ targets: ["a:9100"], labels: { env: "prod" } }]));
    });
    sdPort = await listen(sd);
    proxy = forwardingProxy();
    proxyPort = await listen(proxy.server);
  });
  afterAll(async () => {
    for (const s of [sd, proxy.server]) await close(s);
    tmp.cleanup();
  });

  it("fetches through proxy_url with credentials_file", async () => {
    const credentialsFile = join(tmp.dir, "token");
    writeFileSync(credentialsFile, "sd-secret\n");
    const url = `http://sd.test:${sdPort}/targets`;
    const d = new HttpDiscoverer({
      url,
      refreshIntervalMs: 30_000,
      httpClientConfig: { ...DEFAULT_HTTP_CLIENT, authorization: { type: "Bearer", credentials: "", credentialsFile }, proxyUrl: `http://127.0.0.1:${proxyPort}` },
    });
    const got: TargetGroup[][] = [];
    await d.refresh(new AbortController().signal, (g) => got.push(g));
    expect(got).toEqual([[{ source: `${url}:0`, targets: [{ __address__: "a:9100" }], labels: { env: "prod", __meta_url: url } }]]);
    expect(proxy.seen.map((s) => s.url)).toEqual([url]);
    expect(seen[0]).toMatchObject({ authorization: "Bearer sd-secret", "x-prometheus-refresh-interval-seconds": "30", accept: "application/json" });
  });
});
