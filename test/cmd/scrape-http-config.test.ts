// A scrape job's whole http_client_config reaches the scraper and its http_sd: here oauth2
// (client credentials), which only the shared HTTP client implements. The target and the
// SD endpoint accept only the token the loopback token server issues.
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/cmd/server.js";
import { listen, tempDir, waitFor } from "../helpers/reference.js";

const TOKEN = "t0ken-for-scrapes";
const tmp = tempDir("cmd-scrape-oauth2");
let server: RunningServer;
let helper: Server;
let base: string;
let tokenRequests = 0;

beforeAll(async () => {
  helper = createServer((req, res) => {
    if (req.url === "/token" && req.method === "POST") {
      tokenRequests++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ access_token: TOKEN, token_type: "Bearer", expires_in: 3600 }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.statusCode = 401;
      res.end("no token");
      return;
    }
    if (req.url === "/sd") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify([{ targets: [`127.0.0.1:${helperPort}`], labels: { from: "http_sd" } }]));
      return;
    }
    res.setHeader("content-type", "text/plain; version=0.0.4");
    res.end("# TYPE guarded_value gauge\nguarded_value 42\n");
  });
  const helperPort = await listen(helper);
  const oauth2 = ["    oauth2:", "      client_id: promwasm", "      client_secret: s3cret", `      token_url: http://127.0.0.1:${helperPort}/token`];
  const cfg = join(tmp.dir, "prometheus.yml");
  writeFileSync(
    cfg,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: guarded",
      ...oauth2,
      "    static_configs:",
      `      - targets: ["127.0.0.1:${helperPort}"]`,
      "  - job_name: guarded_sd",
      ...oauth2,
      "    http_sd_configs:",
      `      - url: http://127.0.0.1:${helperPort}/sd`,
      "        refresh_interval: 1s",
      ...oauth2.map((l) => "    " + l),
      "",
    ].join("\n"),
  );
  server = await startServer({ args: [`--config.file=${cfg}`, "--web.listen-address=127.0.0.1:0", `--storage.tsdb.path=${join(tmp.dir, "data")}`], logWrite: () => {} });
  base = `http://127.0.0.1:${server.port}`;
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => helper?.close(r));
  tmp.cleanup();
});

async function query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

describe("scrape jobs use their whole http_client_config", () => {
  it("scrapes an oauth2-protected target found statically and through oauth2-protected http_sd", async () => {
    const results = await waitFor(async () => {
      const r = await query("guarded_value");
      return r.length === 2 ? r : undefined;
    }, 20_000, "both jobs to scrape guarded_value");
    expect(results.map((r) => [r.metric.job, r.metric.from ?? "", r.value[1]]).sort()).toEqual([
      ["guarded", "", "42"],
      ["guarded_sd", "http_sd", "42"],
    ]);
    expect((await query('up{job=~"guarded.*"} == 1')).length).toBe(2);
    expect(tokenRequests).toBeGreaterThan(0);
  });
});
