// --web.enable-remote-write-receiver: a WriteRequest (encoded here with protobufjs and snappy,
// independently of promwasm's codec) lands in the TSDB and is queryable.
import protobuf from "protobufjs";
import snappy from "snappy";
import { afterAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/cmd/server.js";
import { tempDir } from "../helpers/reference.js";
import { getJSON, startTestServer, writeConfig } from "./helpers.js";

const tmp = tempDir("web-rw");
const servers: RunningServer[] = [];

const root = protobuf.Root.fromJSON({
  nested: {
    WriteRequest: { fields: { timeseries: { rule: "repeated", type: "TimeSeries", id: 1 } } },
    TimeSeries: { fields: { labels: { rule: "repeated", type: "Label", id: 1 }, samples: { rule: "repeated", type: "Sample", id: 2 } } },
    Label: { fields: { name: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
    Sample: { fields: { value: { type: "double", id: 1 }, timestamp: { type: "int64", id: 2 } } },
  },
});

function body(t: number, jobs: readonly string[] = ["rw"]): Buffer {
  const WriteRequest = root.lookupType("WriteRequest");
  const msg = WriteRequest.create({
    timeseries: jobs.map((job) => ({ labels: [{ name: "__name__", value: "pushed_metric" }, { name: "job", value: job }], samples: [{ value: 42, timestamp: t }] })),
  });
  return snappy.compressSync(Buffer.from(WriteRequest.encode(msg).finish()));
}

async function start(extra: string[]): Promise<string> {
  const cfg = writeConfig(tmp.dir, "scrape_configs: []\n");
  const { server, base } = await startTestServer([`--config.file=${cfg}`, `--storage.tsdb.path=${tmp.dir}/data-${servers.length}`, ...extra]);
  servers.push(server);
  return base;
}


afterAll(async () => {
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

describe("remote write receiver", () => {
  it("stores pushed samples when enabled", async () => {
    const base = await start(["--web.enable-remote-write-receiver"]);
    const t = Date.now();
    const res = await fetch(`${base}/api/v1/write`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", "x-prometheus-remote-write-version": "0.1.0" },
      body: body(t),
    });
    expect(res.status).toBe(204);
    const q = await getJSON(`${base}/api/v1/query?query=pushed_metric&time=${t / 1000}`);
    expect(q.body.data).toEqual({ resultType: "vector", result: [{ metric: { __name__: "pushed_metric", job: "rw" }, value: [t / 1000, "42"] }] });
    // /series sorts by label order: "rw" before "rw2" before "rx".
    await fetch(`${base}/api/v1/write`, { method: "POST", headers: { "content-encoding": "snappy" }, body: body(t, ["rx", "rw2"]) });
    const series = await getJSON(`${base}/api/v1/series?match[]=pushed_metric`);
    expect((series.body.data as { job: string }[]).map((s) => s.job)).toEqual(["rw", "rw2", "rx"]);
    const bad = await fetch(`${base}/api/v1/write`, { method: "POST", headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" }, body: "not snappy" });
    expect(bad.status).toBe(400);
    // A body that is not protobuf at all is an unsupported media type, as remote write 2.0 says.
    const text = await fetch(`${base}/api/v1/write`, { method: "POST", body: "not snappy" });
    expect(text.status).toBe(415);
  });

  it("is absent without the flag", async () => {
    const base = await start([]);
    const res = await fetch(`${base}/api/v1/write`, { method: "POST", body: body(Date.now()) });
    expect(res.status).toBe(404);
  });
});
