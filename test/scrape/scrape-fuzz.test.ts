// Seeded mutations of a valid body served to a real scrape loop: each scrape appends either
// every sample of the body or none of them (and then reports up 0).
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isStaleNaN } from "../../src/model/sample.js";
import { ScrapeManager } from "../../src/scrape/manager.js";
import { ParseError } from "../../src/textparse/errors.js";
import { listen } from "../helpers/reference.js";
import { parseAll } from "../textparse/helpers.js";
import { RecordingStorage } from "./recording-storage.js";
import { rng as mulberry32 } from "../../bench/helpers/random.js";

const BASE = Buffer.from(
  ['# TYPE m counter', 'm_total{a="1",b="x\\"y"} 1', "m_total{a=\"2\"} 2.5", "n 3", 'o{z="q"} NaN', "p 4", ""].join("\n"),
);

let server: Server;
let port = 0;
let current = BASE;
beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(current));
  port = await listen(server);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it("appends all or nothing of 400 mutated bodies", { timeout: 30_000 }, async () => {
  const storage = new RecordingStorage();
  const m = new ScrapeManager({ appendable: storage });
  const rnd = mulberry32(99);
  let failed = 0;
  try {
    await m.applyConfig([{ jobName: "f", scrapeIntervalMs: 3_600_000, scrapeTimeoutMs: 2000, honorTimestamps: false }]);
    m.sync("f", [{ source: "0", targets: [{ __address__: `127.0.0.1:${port}` }], labels: {} }]);
    const loop = m.pool("f")!.activeLoops()[0]!;
    for (let i = 1; i <= 400; i++) {
      const bytes = [...BASE];
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        const at = Math.floor(rnd() * bytes.length);
        if (rnd() < 0.5) bytes.splice(at, 1);
        else bytes[at] = [0x22, 0x7b, 0x7d, 0x20, 0x0a, 0x3d, 0x2c, 0x5c, 0x61, 0x31][Math.floor(rnd() * 10)]!;
      }
      current = Buffer.from(bytes);
      let expected: number;
      try {
        expected = parseAll(current).filter((e) => e.kind === "series").length;
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
        expected = 0;
      }
      await loop.scrapeAndReport(i * 1000);
      const body = storage.committed.filter((s) => s.t === i * 1000 && !isStaleNaN(s.v) && !/^(up|scrape_[a-z_]+)\{/.test(s.series));
      const up = storage.at(i * 1000).get(`up{instance="127.0.0.1:${port}", job="f"}`);
      if (up === 0) {
        failed++;
        expect(body).toEqual([]);
      } else {
        expect(body.length).toBe(expected);
      }
    }
  } finally {
    await m.stop();
  }
  expect(failed).toBeGreaterThan(40);
  expect(failed).toBeLessThan(390);
});
