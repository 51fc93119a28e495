// The remote write receiver over real HTTP into a real TSDB: good requests are stored,
// bad ones get 400 with a message naming the problem and change nothing.
import { join } from "node:path";
import { compressSync } from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsToString } from "../../src/model/labels.js";
import { Matcher } from "../../src/model/matcher.js";
import { openDB, type DB } from "../../src/tsdb/db.js";
import { tempDir } from "../helpers/reference.js";
import { startRemoteEndpoint, type RemoteEndpoint } from "./helpers.js";
import { prompbType } from "../../bench/baseline/prompb.js";

const WriteRequest = prompbType("WriteRequest");

type Pair = [string, string];
function request(series: { labels: Pair[]; samples: [number, number][] }[]): Uint8Array {
  return WriteRequest.encode(
    WriteRequest.fromObject({
      timeseries: series.map((s) => ({
        labels: s.labels.map(([name, value]) => ({ name, value })),
        samples: s.samples.map(([timestamp, value]) => ({ timestamp, value })),
      })),
    }),
  ).finish();
}

describe("remote write receiver", () => {
  const tmp = tempDir("remote-write-handler");
  let db: DB;
  let ep: RemoteEndpoint;
  beforeAll(async () => {
    db = await openDB(join(tmp.dir, "db"));
    ep = await startRemoteEndpoint({ appendable: db });
  });
  afterAll(async () => {
    await ep.close();
    await db.close();
    tmp.cleanup();
  });

  async function post(body: Uint8Array, headers: Record<string, string> = { "Content-Encoding": "snappy" }) {
    const res = await fetch(`${ep.base}/api/v1/write`, { method: "POST", body: new Uint8Array(body), headers: { "Content-Type": "application/x-protobuf", ...headers } });
    return { status: res.status, text: await res.text() };
  }

  async function stored(): Promise<string[]> {
    const q = await db.querier(0, 10_000_000);
    const series = await q.select(true, undefined, [new Matcher("=~", "__name__", ".+")]);
    q.close();
    return series.map((s) => `${labelsToString(s.labels)} ${Array.from(s.samples().ts).join(",")}/${Array.from(s.samples().vs).join(",")}`);
  }

  const good = () =>
    request([
      { labels: [["__name__", "m"], ["job", "a"]], samples: [[1000, 1], [2000, 2]] },
      { labels: [["__name__", "m"], ["job", "b"], ["zone", ""]], samples: [[1000, 5]] },
    ]);

  it("stores a valid request and answers 204", async () => {
    const r = await post(compressSync(Buffer.from(good())));
    expect(r).toEqual({ status: 204, text: "" });
    // The empty-valued label means "absent", as everywhere in Prometheus.
    expect(await stored()).toEqual(['m{job="a"} 1000,2000/1,2', 'm{job="b"} 1000/5']);
  });

  it("rejects bodies that are not snappy", async () => {
    const r = await post(Buffer.from(good()));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/snappy/);
  });

  it("rejects other content encodings as unsupported media (415), as the 2.0 spec says", async () => {
    const r = await post(compressSync(Buffer.from(good())), { "Content-Encoding": "gzip" });
    expect(r.status).toBe(415);
    expect(r.text).toMatch(/Content-Encoding "gzip"/);
  });

  it("rejects truncated protobuf", async () => {
    const raw = good();
    const r = await post(compressSync(Buffer.from(raw.subarray(0, raw.length - 3))));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/protobuf WriteRequest: unexpected EOF/);
  });

  it("rejects unsorted, duplicate, empty and invalid label names before storing anything", async () => {
    const cases: [Pair[], RegExp][] = [
      [[["job", "x"], ["__name__", "m"]], /labels are not sorted by name \("job" before "__name__"\)/],
      [[["__name__", "m"], ["job", "x"], ["job", "y"]], /duplicate label name "job"/],
      [[["", "v"], ["__name__", "m"]], /empty label name/],
      [[["__name__", "m"], ["bad-name", "v"]], /invalid label name "bad-name"/],
      [[], /empty label set/],
    ];
    for (const [labels, re] of cases) {
      // A valid series first: it must not be stored when a later one is bad.
      const body = request([
        { labels: [["__name__", "m"], ["job", "c"]], samples: [[3000, 1]] },
        { labels, samples: [[3000, 1]] },
      ]);
      const r = await post(compressSync(Buffer.from(body)));
      expect(r.status, JSON.stringify(labels)).toBe(400);
      expect(r.text).toMatch(re);
    }
    expect(await stored()).toEqual(['m{job="a"} 1000,2000/1,2', 'm{job="b"} 1000/5']);
  });

  it("answers 400 for out-of-order samples and rolls the whole request back", async () => {
    const body = request([
      { labels: [["__name__", "m"], ["job", "new"]], samples: [[5000, 9]] },
      { labels: [["__name__", "m"], ["job", "a"]], samples: [[1500, 7]] },
    ]);
    const r = await post(compressSync(Buffer.from(body)));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^out of order sample for series m\{job="a"\} at timestamp 1500/);
    const dup = await post(compressSync(Buffer.from(request([{ labels: [["__name__", "m"], ["job", "a"]], samples: [[2000, 3]] }]))));
    expect(dup.status).toBe(400);
    expect(dup.text).toMatch(/duplicate sample for timestamp/);
    expect(await stored()).toEqual(['m{job="a"} 1000,2000/1,2', 'm{job="b"} 1000/5']);
  });

  it("refuses snappy bodies that claim a huge decoded size", async () => {
    // A uvarint length of 2^31 followed by junk.
    const r = await post(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x00]));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/exceeds the limit/);
  });
});
