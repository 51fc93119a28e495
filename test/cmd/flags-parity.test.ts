// Prometheus' command line: every flag of Prometheus 3.14 (names from its
// docs/command-line/prometheus.md and the hidden ones cmd/prometheus/main.go defines) is
// accepted, the 2.x flags 3.0 removed still start the server with a warning, flags promwasm
// does not carry out are named in the log, /api/v1/status/flags lists them all with the
// reference's defaults, and --version prints the build's revision and date.
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FlagError, parseFlags } from "../../src/cmd/flags.js";
import { BIN, spawnPromwasm, startPrometheus, startPromwasm, stopChild, waitForChild, waitReady, type Child, type PrometheusProcess, type Server } from "../helpers/process.js";
import { referenceBinary, tempDir } from "../helpers/reference.js";

/** Prometheus 3.14's server flags with a value of the right kind for each. */
const PROMETHEUS_314: Readonly<Record<string, string>> = {
  "config.file": "p.yml", "config.auto-reload": "true", "config.auto-reload-interval": "10s", "web.listen-address": "0.0.0.0:9090",
  "auto-gomaxprocs": "false", "auto-gomemlimit": "false", "auto-gomemlimit.ratio": "0.8", "auto-gomemlimit.refresh-interval": "1m",
  "web.config.file": "web.yml", "web.read-timeout": "1m", "web.max-connections": "100", "web.max-notifications-subscribers": "4",
  "web.external-url": "http://example.com/", "web.route-prefix": "/", "web.user-assets": "assets", "web.enable-lifecycle": "true",
  "web.enable-admin-api": "true", "web.enable-remote-write-receiver": "true", "web.remote-write-receiver.accepted-protobuf-messages": "prometheus.WriteRequest",
  "web.enable-otlp-receiver": "true", "web.console.templates": "consoles", "web.console.libraries": "console_libraries", "web.page-title": "t",
  "web.cors.origin": ".*", "storage.tsdb.path": "data/", "storage.tsdb.min-block-duration": "2h", "storage.tsdb.max-block-duration": "1d",
  "storage.tsdb.max-block-chunk-segment-size": "512MB", "storage.tsdb.wal-segment-size": "100MB", "storage.tsdb.retention.time": "15d",
  "storage.tsdb.retention.size": "1GB", "storage.tsdb.no-lockfile": "true", "storage.tsdb.allow-overlapping-compaction": "false",
  "storage.tsdb.wal-compression": "false", "storage.tsdb.wal-compression-type": "zstd", "storage.tsdb.head-chunks-write-queue-size": "1000",
  "storage.tsdb.samples-per-chunk": "240", "storage.tsdb.delayed-compaction.max-percent": "20", "storage.tsdb.delay-compact-file.path": "meta.json",
  "storage.tsdb.block-reload-interval": "2m", "storage.agent.path": "data-agent/", "storage.agent.wal-segment-size": "10MB",
  "storage.agent.wal-compression": "false", "storage.agent.wal-compression-type": "snappy", "storage.agent.wal-truncate-frequency": "1h",
  "storage.agent.retention.min-time": "5m", "storage.agent.retention.max-time": "4h", "storage.agent.checkpoint-from-in-memory-series": "true",
  "storage.agent.checkpoint-batch-size": "500", "storage.agent.no-lockfile": "true", "storage.remote.flush-deadline": "1m",
  "storage.remote.read-sample-limit": "5e7", "storage.remote.read-concurrent-limit": "10", "storage.remote.read-max-bytes-in-frame": "1048576",
  "web.search.max-limit": "100", "rules.alert.for-outage-tolerance": "1h", "rules.alert.for-grace-period": "10m", "rules.alert.resend-delay": "1m",
  "rules.max-concurrent-evals": "2", "scrape.adjust-timestamps": "false", "scrape.timestamp-tolerance": "5ms",
  "alertmanager.notification-queue-capacity": "100", "alertmanager.notification-batch-size": "64", "alertmanager.drain-notification-queue-on-shutdown": "false",
  "query.lookback-delta": "5m", "query.timeout": "2m", "query.max-concurrency": "20", "query.max-samples": "1000", "scrape.discovery-reload-interval": "5s",
  "enable-feature": "promql-experimental-functions", "agent": "true", "log.level": "debug", "log.format": "json",
};

/** Flags of 2.42 that 3.0 removed; a 2.x command line with them must still start. */
const REMOVED_IN_3 = { "storage.tsdb.retention": "1d", "storage.tsdb.allow-overlapping-blocks": "true", "alertmanager.timeout": "10s" };

const prometheus = referenceBinary("prometheus");

describe("flags as Prometheus 3.14 has them", () => {
  it("accepts every 3.14 flag and every 2.x flag 3.0 removed", () => {
    for (const [name, value] of Object.entries({ ...PROMETHEUS_314, ...REMOVED_IN_3 })) {
      expect(() => parseFlags([`--${name}=${value}`]), name).not.toThrow();
      // A bool takes no separate argument, as in kingpin.
      const spaced = value === "true" ? [`--${name}`] : value === "false" ? [`--no-${name}`] : [`--${name}`, value];
      expect(parseFlags(spaced).values[name], name).toBe(value);
    }
  });

  it.runIf(prometheus)("rejects a value of the wrong kind where Prometheus 2.42 does", () => {
    const bad = ["--storage.tsdb.head-chunks-write-queue-size=abc", "--storage.tsdb.wal-segment-size=12Q", "--query.timeout=1.5m", "--web.enable-lifecycle=yes", "--rules.alert.resend-delay=5"];
    for (const arg of bad) {
      const ref = spawnSync(prometheus!, [arg], { encoding: "utf8" });
      expect(ref.status, `prometheus ${arg}`).not.toBe(0);
      expect(() => parseFlags([arg]), arg).toThrow(FlagError);
    }
    // 3.x only: an enum and a float.
    expect(() => parseFlags(["--storage.tsdb.wal-compression-type=lz4"])).toThrow("enum value must be one of snappy,zstd, got 'lz4'");
    expect(() => parseFlags(["--auto-gomemlimit.ratio=most"])).toThrow(FlagError);
  });

  it("--version prints the version, the git revision and the date of the build", () => {
    const out = execFileSync(process.execPath, [BIN, "--version"], { encoding: "utf8" });
    const m = /^promwasm, version (\d+\.\d+\.\d+\S*) \(branch: (\S+), revision: ([0-9a-f]{40})\)\n {2}build user: +\S+@\S+\n {2}build date: +(\d{8}-\d\d:\d\d:\d\d)\n {2}node version: +v\d+/.exec(out);
    expect(m, out).not.toBeNull();
    // The revision names a commit of this repository.
    expect(execFileSync("git", ["cat-file", "-t", m![3]], { cwd: join(import.meta.dirname, "..", ".."), encoding: "utf8" }).trim()).toBe("commit");
  });
});

describe("a server started with 2.x and not-implemented flags", () => {
  const tmp = tempDir("flags-parity");
  const children: Child[] = [];
  let ours: Server;
  let prom: PrometheusProcess | undefined;
  afterAll(async () => {
    for (const c of children) await stopChild(c);
    await stopChild(prom);
    tmp.cleanup();
  });

  it("starts, warns once per such flag, and lists every flag in /api/v1/status/flags", { timeout: 90_000 }, async () => {
    writeFileSync(join(tmp.dir, "prometheus.yml"), "global: {}\n");
    const given = { ...REMOVED_IN_3, "web.console.templates": "consoles", "scrape.adjust-timestamps": "false", "storage.tsdb.wal-segment-size": "10MB", agent: "true" };
    ours = await startPromwasm([`--config.file=${join(tmp.dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`, ...Object.entries(given).map(([k, v]) => `--${k}=${v}`)], tmp.dir);
    children.push(ours);
    await waitReady(ours);
    for (const name of Object.keys(given)) {
      const lines = ours.logs().split("\n").filter((l) => l.includes(`flag=${name}`));
      expect(lines, name).toHaveLength(1);
      expect(lines[0]).toMatch(name in REMOVED_IN_3 ? /level=warn msg="Flag --\S+ was removed in Prometheus 3: / : /level=warn msg="Flag --\S+ is accepted but not implemented by promwasm: /);
    }
    // Flags promwasm carries out are not mentioned.
    expect(ours.logs()).not.toMatch(/flag=(config\.file|storage\.tsdb\.path)\b/);

    const flags = ((await (await fetch(`${ours.base}/api/v1/status/flags`)).json()) as { data: Record<string, string> }).data;
    for (const name of Object.keys(PROMETHEUS_314)) expect(flags, name).toHaveProperty([name]);
    for (const [name, value] of Object.entries(given)) expect(flags[name], name).toBe(value);

    const buildinfo = ((await (await fetch(`${ours.base}/api/v1/status/buildinfo`)).json()) as { data: { revision: string; buildDate: string } }).data;
    const version = execFileSync(process.execPath, [BIN, "--version"], { encoding: "utf8" });
    expect(version).toContain(`revision: ${buildinfo.revision})`);
    expect(version).toContain(`build date:       ${buildinfo.buildDate}\n`);
  });

  it.runIf(prometheus)("shows the defaults Prometheus 2.42 shows for the flags both have", { timeout: 60_000 }, async () => {
    prom = await startPrometheus(prometheus!, tmp.dir, () => "global: {}\n");
    const fresh = spawnPromwasm(["--web.listen-address=127.0.0.1:0", `--storage.tsdb.path=${join(tmp.dir, "data2")}`, `--config.file=${join(tmp.dir, "prometheus.yml")}`], tmp.dir);
    children.push(fresh);
    const port = await waitForChild(fresh, () => /msg="Listening on" .*\bport=(\d+)/.exec(fresh.logs())?.[1], 30_000, "listening");
    const get = async (base: string) => ((await (await fetch(`${base}/api/v1/status/flags`)).json()) as { data: Record<string, string> }).data;
    const ourFlags = await get(`http://127.0.0.1:${port}`);
    const theirs = await get(prom.base);
    // Set per run, computed from other flags, packaged by Debian differently, or changed in 3.x.
    const differ = new Set([
      "config.file", "storage.tsdb.path", "web.listen-address", "web.route-prefix", "storage.tsdb.max-block-duration",
      "web.console.templates", "web.console.libraries", "storage.agent.path", "storage.agent.retention.min-time", "storage.agent.retention.max-time",
    ]);
    const shared = Object.keys(theirs).filter((k) => k in PROMETHEUS_314 && !differ.has(k));
    expect(shared.length).toBeGreaterThan(30);
    expect(Object.fromEntries(shared.map((k) => [k, ourFlags[k]]))).toEqual(Object.fromEntries(shared.map((k) => [k, theirs[k]])));
  });
});
