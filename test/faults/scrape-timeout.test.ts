// scrape_timeout holds for a target whose body never ends, while the garbage collector
// runs all the time: the deadline must not depend on an object a GC can collect.
import { createServer, type Server } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScrapeManager } from "../../src/scrape/manager.js";
import { RecordingStorage } from "../scrape/recording-storage.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let server: Server;
let port = 0;
beforeAll(async () => {
  const line = Buffer.from('endless_metric{label="a fairly long value to grow the body quickly"} 1\n'.repeat(512));
  server = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
    let open = true;
    req.socket.once("close", () => (open = false));
    const pump = (): void => {
      while (open && res.write(line));
      if (open) res.once("drain", pump);
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

describe("scrape_timeout", () => {
  it("ends a scrape of an endless body at the deadline under constant GC", { timeout: 30_000 }, async () => {
    const storage = new RecordingStorage();
    const manager = new ScrapeManager({ appendable: storage });
    try {
      await manager.applyConfig([{ jobName: "endless", scrapeIntervalMs: 3_600_000, scrapeTimeoutMs: 1000 }]);
      manager.sync("endless", [{ source: "0", targets: [{ __address__: `127.0.0.1:${port}` }], labels: {} }]);
      const loop = manager.pool("endless")!.activeLoops()[0]!;
      const gcTimer = setInterval(gc, 5);
      try {
        await loop.scrapeAndReport(Date.now());
      } finally {
        clearInterval(gcTimer);
      }
      const [t] = manager.targets();
      expect(t).toMatchObject({ health: "down", lastError: expect.stringContaining("context deadline exceeded") });
    } finally {
      await manager.stop();
    }
  });
});
