// Remote write 2.0 between real processes: a promwasm sender with protobuf_message
// io.prometheus.write.v2.Request feeding a promwasm receiver (samples and metadata arrive:
// the metadata shows on the receiver's /api/v1/metadata), and the same sender against
// Prometheus 2.42, a 1.0 receiver that reads any body as a 1.0 request: the sender notices
// the missing Written headers, falls back to 1.0, and Prometheus gets the data; and a
// promwasm receiver that takes 1.0 only answers 415, on which the sender falls back too.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { query, startPrometheus, startPromwasm, stopChild, waitForChild, waitReady, type Child, type PrometheusProcess } from "../helpers/process.js";
import { referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

const tmp = tempDir("rw2-process");
const children: Child[] = [];
let prom: PrometheusProcess | undefined;
const prometheus = referenceBinary("prometheus");

afterAll(async () => {
  for (const c of children) await stopChild(c);
  prom?.stop();
  tmp.cleanup();
});

function senderConfig(scrapeTarget: string, writeUrl: string): string {
  return [
    "global:",
    "  scrape_interval: 1s",
    "scrape_configs:",
    "  - job_name: scraped",
    "    static_configs:",
    `      - targets: ["${scrapeTarget}"]`,
    "remote_write:",
    `  - url: ${writeUrl}`,
    "    protobuf_message: io.prometheus.write.v2.Request",
    "    queue_config:",
    "      batch_send_deadline: 200ms",
    "",
  ].join("\n");
}

async function startSender(name: string, scrapeTarget: string, writeUrl: string): Promise<Child & { base: string }> {
  const cfg = join(tmp.dir, `${name}.yml`);
  writeFileSync(cfg, senderConfig(scrapeTarget, writeUrl));
  const s = await startPromwasm([`--config.file=${cfg}`, `--storage.tsdb.path=${join(tmp.dir, name)}`], tmp.dir);
  children.push(s);
  return s;
}

describe("remote write 2.0 between processes", () => {
  let receiver: Child & { base: string };

  it("promwasm -> promwasm: samples and metadata arrive over 2.0", async () => {
    const cfg = join(tmp.dir, "receiver.yml");
    writeFileSync(cfg, "global: {}\n");
    receiver = await startPromwasm([`--config.file=${cfg}`, `--storage.tsdb.path=${join(tmp.dir, "receiver")}`, "--web.enable-remote-write-receiver"], tmp.dir);
    children.push(receiver);
    await waitReady(receiver);
    const target = receiver.base.replace("http://", "");
    const sender = await startSender("sender", target, `${receiver.base}/api/v1/write`);

    const up = await waitForChild(sender, async () => {
      const r = await query(receiver.base, 'up{job="scraped"} == 1');
      return r.length === 1 ? r[0] : undefined;
    }, 60_000, "up{job=\"scraped\"} on the receiver");
    // A 1s interval means a 1s scrape timeout, which a loaded machine may miss: wait for a good scrape.
    expect(up.metric).toEqual({ __name__: "up", job: "scraped", instance: target });
    expect(up.value[1]).toBe("1");

    // Metadata only travels in 2.0 requests: seeing it proves the sender used 2.0.
    const md = await waitForChild(sender, async () => {
      const res = await fetch(`${receiver.base}/api/v1/metadata?metric=prometheus_http_requests_total`);
      const body = (await res.json()) as { data: Record<string, { type: string; help: string; unit: string }[]> };
      return body.data.prometheus_http_requests_total;
    }, 30_000, "metadata on the receiver");
    expect(md[0].type).toBe("counter");
    expect(md[0].help).not.toBe("");
    expect(sender.logs()).not.toContain("falling back to 1.0");
  }, 120_000);

  it("promwasm -> promwasm taking 1.0 only: a 415, then the data over 1.0", async () => {
    const cfg = join(tmp.dir, "receiver-v1.yml");
    writeFileSync(cfg, "global: {}\n");
    const v1only = await startPromwasm(
      [`--config.file=${cfg}`, `--storage.tsdb.path=${join(tmp.dir, "receiver-v1")}`, "--web.enable-remote-write-receiver", "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest"],
      tmp.dir,
    );
    children.push(v1only);
    await waitReady(v1only);
    const sender = await startSender("sender-v1", receiver.base.replace("http://", ""), `${v1only.base}/api/v1/write`);
    await waitForChild(sender, async () => ((await query(v1only.base, 'up{job="scraped"} == 1')).length === 1 ? true : undefined), 60_000, "up on the 1.0-only receiver");
    expect(sender.logs()).toMatch(/falling back to 1.0.*415/);
  }, 120_000);

  it.skipIf(!prometheus)("promwasm -> Prometheus 2.42: falls back to 1.0 and the data arrives", async () => {
    prom = await startPrometheus(prometheus!, tmp.dir, () => "global: {}\n", ["--web.enable-remote-write-receiver"]);
    const target = receiver.base.replace("http://", "");
    const sender = await startSender("sender-to-prometheus", target, `${prom.base}/api/v1/write`);
    const up = await waitForChild(sender, async () => {
      const r = await query(prom!.base, 'up{job="scraped"} == 1');
      return r.length === 1 ? r[0] : undefined;
    }, 60_000, "up{job=\"scraped\"} on Prometheus");
    expect(up.value[1]).toBe("1");
    await waitFor(() => sender.logs().includes("falling back to 1.0"), 10_000, "the fallback logged");
    expect(sender.logs()).toMatch(/without any X-Prometheus-Remote-Write-\*-Written header/);
  }, 120_000);
});
