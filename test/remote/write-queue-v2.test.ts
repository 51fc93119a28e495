// The remote write sender with protobuf_message: io.prometheus.write.v2.Request, against
// loopback receivers running promwasm's receiver: a 2.0 one (series go out with their
// metadata, decoded here with protobufjs), a 1.0-only one that answers 415, and a 1.0 one
// that ignores Content-Type and answers 204 without Written headers, as Prometheus 2.x does;
// the sender falls back to 1.0 for the last two and loses nothing.
import { createServer, type IncomingHttpHeaders } from "node:http";
import { uncompressSync } from "snappy";
import { afterEach, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord, type Labels } from "../../src/model/labels.js";
import { V1_MESSAGE, type SeriesMetadata } from "../../src/remote/codec-v2.js";
import { RemoteStorage } from "../../src/remote/storage.js";
import { handleRemoteWrite } from "../../src/remote/write-handler.js";
import type { Appendable } from "../../src/storage/interface.js";
import { listen, waitFor } from "../helpers/reference.js";
import { readBody, writeConfig } from "./helpers.js";
import { decodeV2 } from "./prw2.js";

type Mode = "v2" | "v1-only" | "v1-ignores-type";

interface Stored {
  labels: Record<string, string>;
  t: number;
  v: number;
}

async function startReceiver(mode: Mode) {
  const stored: Stored[] = [];
  const requests: { headers: IncomingHttpHeaders; status: number; body: Buffer }[] = [];
  const appendable: Appendable = {
    appender: () => {
      const pending: Stored[] = [];
      return {
        append: (ref, l: Labels, t, v) => (pending.push({ labels: labelsToRecord(l), t, v }), ref),
        commit: async () => void stored.push(...pending),
        rollback: async () => undefined,
      };
    },
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers = mode === "v1-ignores-type" ? { ...req.headers, "content-type": "application/x-protobuf" } : req.headers;
      const out = await handleRemoteWrite(body, headers, appendable, { acceptedMessages: mode === "v2" ? undefined : [V1_MESSAGE] });
      requests.push({ headers: req.headers, status: out.status, body });
      res.writeHead(out.status, out.headers).end(out.message);
    })();
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/api/v1/write`, stored, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const METADATA: SeriesMetadata = { type: "counter", help: "Orders taken.", unit: "" };

describe("remote write 2.0 sender", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function send(mode: Mode) {
    const r = await startReceiver(mode);
    const remote = new RemoteStorage({ flushDeadlineMs: 2000, metadata: (l) => (labelsToRecord(l).__name__ === "orders_total" ? METADATA : undefined) });
    cleanups.push(async () => {
      await remote.close();
      await r.close();
    });
    await remote.applyConfig([writeConfig(r.url, { protobufMessage: "io.prometheus.write.v2.Request" }, { maxSamplesPerSend: 2, batchSendDeadlineMs: 20, minShards: 1, maxShards: 1 })], [], labelsFromRecord({ site: "s1" }));
    const series = [labelsFromRecord({ __name__: "orders_total", job: "shop" }), labelsFromRecord({ __name__: "temp", job: "shop" })];
    for (let i = 0; i < 3; i++) {
      const app = remote.appender();
      series.forEach((l, k) => app.append(k + 1, l, 1000 * (i + 1), i + k));
      await app.commit();
    }
    await waitFor(() => remote.writeMetrics()[0].metrics.samplesSent === 6, 10_000, "6 samples sent");
    return r;
  }

  it("sends 2.0 requests with symbols and metadata to a 2.0 receiver", async () => {
    const r = await send("v2");
    expect(r.requests.every((q) => q.headers["content-type"] === "application/x-protobuf;proto=io.prometheus.write.v2.Request" && q.headers["x-prometheus-remote-write-version"] === "2.0.0")).toBe(true);
    expect(r.requests.every((q) => q.status === 204)).toBe(true);
    const sent = r.requests.flatMap((q) => decodeV2(uncompressSync(q.body) as Buffer));
    expect(sent).toHaveLength(6);
    expect(sent.find((s) => s.labels.__name__ === "orders_total")).toEqual({ labels: { __name__: "orders_total", job: "shop", site: "s1" }, samples: [[1000, 0]], metadata: { type: 1, help: "Orders taken.", unit: "" } });
    expect(sent.find((s) => s.labels.__name__ === "temp")?.metadata).toBeUndefined();
    expect(r.stored).toHaveLength(6);
  });

  it.each<Mode>(["v1-only", "v1-ignores-type"])("falls back to 1.0 when the receiver is %s, storing every sample", async (mode) => {
    const r = await send(mode);
    const first = r.requests[0];
    expect(first.headers["content-type"]).toBe("application/x-protobuf;proto=io.prometheus.write.v2.Request");
    expect(first.status).toBe(mode === "v1-only" ? 415 : 204);
    // Every later request is 1.0, and each sample arrived exactly once.
    expect(r.requests.slice(1).every((q) => q.headers["content-type"] === "application/x-protobuf" && q.headers["x-prometheus-remote-write-version"] === "0.1.0")).toBe(true);
    expect(r.stored.map((s) => `${s.labels.__name__}@${s.t}`).sort()).toEqual(["orders_total@1000", "orders_total@2000", "orders_total@3000", "temp@1000", "temp@2000", "temp@3000"]);
  });
});
