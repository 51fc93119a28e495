import { createServer, type Server } from "node:http";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsDiscoverer } from "../../src/discovery/dns.js";
import { FileDiscoverer } from "../../src/discovery/file.js";
import { HttpDiscoverer } from "../../src/discovery/http.js";
import type { Discoverer, TargetGroup } from "../../src/discovery/interface.js";
import { StaticDiscoverer } from "../../src/discovery/static.js";
import { startReference, stopChild, type Server as ChildServer } from "../helpers/process.js";
import { listen, referenceBinary, tempDir, waitFor } from "../helpers/reference.js";

/** Runs a discoverer, recording the latest group per source. */
function record(d: Discoverer): { groups: Map<string, TargetGroup>; stop: () => Promise<void> } {
  const groups = new Map<string, TargetGroup>();
  const abort = new AbortController();
  const done = d.run(abort.signal, (gs) => {
    for (const g of gs) groups.set(g.source, g);
  });
  return {
    groups,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

describe("static_configs", () => {
  it("sends one group per config, indexed by position", async () => {
    const r = record(new StaticDiscoverer({ configs: [{ targets: ["a:1", "b:2"], labels: { env: "x" } }, { targets: ["c:3"] }] }));
    await r.stop();
    expect([...r.groups.values()]).toEqual([
      { source: "0", targets: [{ __address__: "a:1" }, { __address__: "b:2" }], labels: { env: "x" } },
      { source: "1", targets: [{ __address__: "c:3" }], labels: {} },
    ]);
  });
});

describe("file_sd_configs", () => {
  const tmp = tempDir("filesd");
  afterAll(() => tmp.cleanup());

  it("reads JSON and YAML through a glob, follows changes and removals", async () => {
    const jsonFile = join(tmp.dir, "a.json");
    const yamlFile = join(tmp.dir, "b.yml");
    await writeFile(jsonFile, JSON.stringify([{ targets: ["h1:9100"], labels: { team: "db" } }, { targets: ["h2:9100", "h3:9100"] }]));
    await writeFile(yamlFile, "- targets: ['y1:80']\n  labels:\n    zone: eu\n");
    await writeFile(join(tmp.dir, "ignored.txt"), "not a target file");
    const r = record(new FileDiscoverer({ files: [join(tmp.dir, "*")], refreshIntervalMs: 60_000 }));
    try {
      await waitFor(() => r.groups.size === 3, 5000, "initial groups");
      expect(r.groups.get(`${jsonFile}:0`)).toEqual({ source: `${jsonFile}:0`, targets: [{ __address__: "h1:9100" }], labels: { __meta_filepath: jsonFile, team: "db" } });
      expect(r.groups.get(`${yamlFile}:0`)?.labels).toEqual({ __meta_filepath: yamlFile, zone: "eu" });
      // Rewrite atomically with one group: the second source must be emptied (watch, not the 60s refresh).
      await writeFile(jsonFile + ".tmp", JSON.stringify([{ targets: ["h9:9100"] }]));
      await rename(jsonFile + ".tmp", jsonFile);
      await waitFor(() => r.groups.get(`${jsonFile}:1`)?.targets.length === 0, 5000, "removed group");
      expect(r.groups.get(`${jsonFile}:0`)?.targets).toEqual([{ __address__: "h9:9100" }]);
      await rm(yamlFile);
      await waitFor(() => r.groups.get(`${yamlFile}:0`)?.targets.length === 0, 5000, "deleted file");
    } finally {
      await r.stop();
    }
  });

  it("keeps the last good groups when a file becomes invalid", async () => {
    const f = join(tmp.dir, "c.json");
    await writeFile(f, JSON.stringify([{ targets: ["ok:1"] }]));
    const d = new FileDiscoverer({ files: [f] });
    const seen: TargetGroup[][] = [];
    await d.refresh((g) => seen.push(g));
    await writeFile(f, "[{ broken");
    await d.refresh((g) => seen.push(g));
    expect(seen).toEqual([[{ source: `${f}:0`, targets: [{ __address__: "ok:1" }], labels: { __meta_filepath: f } }]]);
  });
});

describe("http_sd_configs", () => {
  let server: Server;
  let url = "";
  let body: unknown = [];
  let contentType = "application/json";
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers["x-prometheus-refresh-interval-seconds"] !== "60") res.writeHead(400).end();
      else res.writeHead(200, { "Content-Type": contentType }).end(JSON.stringify(body));
    });
    url = `http://127.0.0.1:${await listen(server)}/sd`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("reads groups, labels them with __meta_url and empties groups that disappear", async () => {
    const d = new HttpDiscoverer({ url });
    const seen: TargetGroup[][] = [];
    body = [{ targets: ["a:1"], labels: { x: "1" } }, { targets: ["b:2"] }];
    await d.refresh(new AbortController().signal, (g) => seen.push(g));
    body = [{ targets: ["a:1"] }];
    await d.refresh(new AbortController().signal, (g) => seen.push(g));
    expect(seen).toEqual([
      [
        { source: `${url}:0`, targets: [{ __address__: "a:1" }], labels: { __meta_url: url, x: "1" } },
        { source: `${url}:1`, targets: [{ __address__: "b:2" }], labels: { __meta_url: url } },
      ],
      [
        { source: `${url}:0`, targets: [{ __address__: "a:1" }], labels: { __meta_url: url } },
        { source: `${url}:1`, targets: [], labels: {} },
      ],
    ]);
  });

  it("rejects a wrong content type and malformed groups", async () => {
    const d = new HttpDiscoverer({ url });
    contentType = "text/plain";
    await expect(d.refresh(new AbortController().signal, () => {})).rejects.toThrow(/unsupported content type/);
    contentType = "application/json";
    body = [{ targets: "a:1" }];
    await expect(d.refresh(new AbortController().signal, () => {})).rejects.toThrow(/"targets" must be a list/);
  });
});

describe("dns_sd_configs against dnsmasq on loopback", () => {
  const dnsmasq = referenceBinary("dnsmasq");
  let proc: ChildServer | undefined;
  let server = "";
  beforeAll(async () => {
    if (!dnsmasq) return;
    proc = await startReference(
      dnsmasq,
      (port) => [
        "--no-daemon",
        `--port=${port}`,
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--user=root",
        "--local=/test.local/",
        "--address=/node.test.local/10.1.2.3",
        "--address=/node6.test.local/fd00::5",
        "--srv-host=_prom._tcp.test.local,node.test.local,9100",
        "--srv-host=_prom._tcp.test.local,other.test.local,9200",
      ],
      {
        ready: async (base) => {
          let ok = false;
          await new DnsDiscoverer({ names: ["node.test.local"], type: "A", port: 1, server: new URL(base).host }).refresh((g) => (ok = g[0]!.targets.length > 0));
          return ok;
        },
        timeoutMs: 10_000,
      },
    );
    server = new URL(proc.base).host;
  });
  afterAll(() => stopChild(proc));

  it.runIf(dnsmasq)("resolves SRV records with target and port labels", async () => {
    const seen: TargetGroup[][] = [];
    await new DnsDiscoverer({ names: ["_prom._tcp.test.local"], server }).refresh((g) => seen.push(g));
    const targets = [...seen[0]![0]!.targets].sort((a, b) => a.__address__!.localeCompare(b.__address__!));
    expect(seen[0]![0]!.source).toBe("_prom._tcp.test.local");
    expect(targets).toEqual([
      { __address__: "node.test.local:9100", __meta_dns_name: "_prom._tcp.test.local", __meta_dns_srv_record_target: "node.test.local.", __meta_dns_srv_record_port: "9100" },
      { __address__: "other.test.local:9200", __meta_dns_name: "_prom._tcp.test.local", __meta_dns_srv_record_target: "other.test.local.", __meta_dns_srv_record_port: "9200" },
    ]);
  });

  it.runIf(dnsmasq)("resolves A and AAAA records with the configured port", async () => {
    const seen: TargetGroup[][] = [];
    await new DnsDiscoverer({ names: ["node.test.local"], type: "A", port: 9100, server }).refresh((g) => seen.push(g));
    await new DnsDiscoverer({ names: ["node6.test.local"], type: "AAAA", port: 9100, server }).refresh((g) => seen.push(g));
    expect(seen[0]![0]!.targets).toEqual([{ __address__: "10.1.2.3:9100", __meta_dns_name: "node.test.local" }]);
    expect(seen[1]![0]!.targets).toEqual([{ __address__: "[fd00::5]:9100", __meta_dns_name: "node6.test.local" }]);
  });

  it.runIf(dnsmasq)("returns an empty group for a name without records", async () => {
    const seen: TargetGroup[][] = [];
    await new DnsDiscoverer({ names: ["_none._tcp.test.local"], server }).refresh((g) => seen.push(g));
    expect(seen).toEqual([[{ source: "_none._tcp.test.local", targets: [], labels: {} }]]);
  });
});
