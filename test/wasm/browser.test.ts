// The browser bundle (build/browser/codec.js + promwasm.wasm) in headless Chromium:
// decodes chunks encoded in Node and encodes samples, and must agree bit for bit.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { decodeXor, encodeXor, intersectPostings, unionPostings } from "../../src/wasm/index.js";
import { listen, referenceBinary } from "../helpers/reference.js";
import { fromBits, rng, series } from "./gen.js";

const chromiumPath = referenceBinary("chromium");
const root = normalize(join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const f64Hex = (a: Float64Array): string => hex(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

const PAGE = `<!doctype html><meta charset="utf-8"><title>codec</title>
<script type="module">
  import * as codec from "/build/browser/codec.js";
  window.codec = codec;
  window.codecReady = true;
</script>`;

const MIME: Record<string, string> = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

describe.skipIf(!chromiumPath)("codec in headless Chromium", () => {
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/") {
        res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
        return;
      }
      const file = normalize(join(root, url.pathname));
      if (!file.startsWith(join(root, "build", "browser")) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    const port = await listen(server);
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
      timeout: 60_000,
    });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (window as unknown as { codecReady?: boolean }).codecReady === true, undefined, { timeout: 30_000 }).catch((err: unknown) => {
      throw new Error(`codec did not load in the page: ${errors.join("; ")}`, { cause: err });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  test("decodes Node-encoded chunks to the same bits, including NaN payloads", async () => {
    const chunks: Uint8Array[] = [];
    for (const [i, shape] of (["gauge", "counter", "noisy"] as const).entries()) {
      const { ts, vs } = series(shape, 120, i + 1);
      chunks.push(encodeXor(ts, vs));
    }
    const special = fromBits([0x7ff0000000000002n, 0x7ff8000000000001n, 0xfff0000000000000n, 0x8000000000000000n, 0x7ff4000000000000n, 0x7ff0000000000002n]);
    chunks.push(encodeXor(new Float64Array([-5000, 0, 1, 2, 1e12, 1e12 + 1]), special));
    const got = await page.evaluate((chunkHex: string[]) => {
      type Codec = { decodeXor(c: Uint8Array): { ts: Float64Array; vs: Float64Array } };
      const codec = (window as unknown as { codec: Codec }).codec;
      const toBytes = (h: string) => new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));
      const toHex = (a: Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), (b) => b.toString(16).padStart(2, "0")).join("");
      return chunkHex.map((h) => {
        const d = codec.decodeXor(toBytes(h));
        return { ts: toHex(d.ts), vs: toHex(d.vs) };
      });
    }, chunks.map(hex));
    expect(got).toEqual(
      chunks.map((c) => {
        const d = decodeXor(c);
        return { ts: f64Hex(d.ts), vs: f64Hex(d.vs) };
      }),
    );
    // The stale marker survived in canonical form.
    expect(got[3]!.vs.slice(0, 16)).toBe("020000000000f07f");
  });

  test("encodes to the same bytes as Node and runs postings operations", async () => {
    const r = rng(77);
    const n = 120;
    const ts = new Float64Array(n).map((_, i) => 1_700_000_000_000 + i * 15_000 + Math.floor(r() * 50));
    const vs = new Float64Array(n).map(() => (r() < 0.1 ? NaN : r() * 1e6));
    const lists = [Uint32Array.from([1, 3, 5, 7, 9, 11]), Uint32Array.from([3, 4, 5, 9, 10]), Uint32Array.from([0, 3, 9, 12])];
    const got = await page.evaluate(
      ({ tsHex, vsHex, listArrays }) => {
        type Codec = {
          encodeXor(ts: Float64Array, vs: Float64Array): Uint8Array;
          intersectPostings(l: Uint32Array[]): Uint32Array;
          unionPostings(l: Uint32Array[]): Uint32Array;
        };
        const codec = (window as unknown as { codec: Codec }).codec;
        const toF64 = (h: string) => new Float64Array(new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16))).buffer);
        const chunk = codec.encodeXor(toF64(tsHex), toF64(vsHex));
        const ls = listArrays.map((l) => Uint32Array.from(l));
        return {
          chunk: Array.from(chunk, (b) => b.toString(16).padStart(2, "0")).join(""),
          intersect: Array.from(codec.intersectPostings(ls)),
          union: Array.from(codec.unionPostings(ls)),
        };
      },
      { tsHex: f64Hex(ts), vsHex: f64Hex(vs), listArrays: lists.map((l) => Array.from(l)) },
    );
    expect(got.chunk).toBe(hex(encodeXor(ts, vs)));
    expect(got.intersect).toEqual(Array.from(intersectPostings(lists)));
    expect(got.union).toEqual(Array.from(unionPostings(lists)));
  });
});
