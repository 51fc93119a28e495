// The notifier with the http_client_config features it gained from the shared client:
// proxy_url (the Alertmanager's name only resolves at the proxy) and oauth2 client credentials.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Notifier } from "../../src/notifier/notifier.js";
import { listen, tempDir, waitFor } from "../helpers/reference.js";
import { close, forwardingProxy, readBody, type TestProxy } from "../httpclient/helpers.js";

describe("notifier through proxy_url with oauth2", () => {
  const tmp = tempDir("notifier-proxy");
  let am: Server;
  let amPort = 0;
  let token: Server;
  let tokenPort = 0;
  let proxy: TestProxy;
  let proxyPort = 0;
  const received: { url: string; headers: IncomingHttpHeaders; alerts: number }[] = [];

  beforeAll(async () => {
    am = createServer((req, res) => {
      void readBody(req).then((b) => {
        received.push({ url: req.url ?? "", headers: req.headers, alerts: (JSON.parse(b.toString()) as unknown[]).length });
        res.end();
      });
    });
    amPort = await listen(am);
    token = createServer((req, res) => {
      void readBody(req).then(() => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ access_token: "am-token", expires_in: 3600 })));
    });
    tokenPort = await listen(token);
    proxy = forwardingProxy();
    proxyPort = await listen(proxy.server);
  });
  afterAll(async () => {
    for (const s of [am, token, proxy.server]) await close(s);
    tmp.cleanup();
  });

  it("posts alerts through the proxy with an oauth2 token", async () => {
    const cfg = parseConfig(
      `alerting:
  alertmanagers:
    - proxy_url: http://127.0.0.1:${proxyPort}
      oauth2:
        client_id: prom
        client_secret: secret
        token_url: http://127.0.0.1:${tokenPort}/token
      static_configs: [{ targets: ["alertmanager.test:${amPort}"] }]
`,
      { file: join(tmp.dir, "prometheus.yml"), baseDir: tmp.dir },
    );
    const n = new Notifier({ discoveryUpdateIntervalMs: 20 });
    try {
      await n.applyConfig(cfg.alerting, []);
      await waitFor(() => n.alertmanagers().active.length === 1, 5000, "discovery");
      n.send([{ labels: labelsFromRecord({ alertname: "Proxied" }), annotations: [], startsAtMs: Date.now(), endsAtMs: 0, generatorUrl: "" }]);
      await waitFor(() => received.length === 1, 5000, "post");
    } finally {
      await n.stop(1000);
    }
    expect(n.errors).toBe(0);
    // alertmanager.test does not resolve: the post can only have arrived through the proxy.
    expect(proxy.seen.map((s) => `${s.method} ${s.url}`)).toEqual([`POST http://alertmanager.test:${amPort}/api/v2/alerts`]);
    expect(received[0]).toMatchObject({ url: "/api/v2/alerts", alerts: 1, headers: { authorization: "Bearer am-token", host: `alertmanager.test:${amPort}` } });
  });
});
