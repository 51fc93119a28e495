import { describe, expect, it } from "vitest";
import { FlagError, parseFlags } from "../../src/cmd/flags.js";
import { settingsFromFlags } from "../../src/cmd/settings.js";

describe("flags", () => {
  it("has Prometheus' defaults", () => {
    const f = parseFlags([]);
    expect(f.values["storage.tsdb.path"]).toBe("data/");
    expect(f.values["web.listen-address"]).toBe("0.0.0.0:9090");
    expect(f.values["config.file"]).toBe("prometheus.yml");
    const s = settingsFromFlags(f);
    expect(s.retentionTimeMs).toBe(15 * 24 * 3600_000);
    expect(s.storageRetention).toBe("15d");
    expect(s.routePrefix).toBe("");
    expect(s.configFileExplicit).toBe(false);
  });

  it("accepts --name=value, --name value and --[no-]bool", () => {
    const f = parseFlags(["--storage.tsdb.retention.time", "30d", "--query.timeout=30s", "--web.enable-lifecycle", "--no-storage.tsdb.wal-compression", "--storage.tsdb.retention.size=1GB"]);
    const s = settingsFromFlags(f);
    expect(s.retentionTimeMs).toBe(30 * 24 * 3600_000);
    expect(s.queryTimeoutMs).toBe(30_000);
    expect(s.enableLifecycle).toBe(true);
    expect(s.walCompression).toBe(false);
    expect(s.retentionSizeBytes).toBe(2 ** 30);
    expect(s.storageRetention).toBe(`30d or ${2 ** 30}B`);
    expect([...f.explicit].sort()).toEqual(["query.timeout", "storage.tsdb.retention.size", "storage.tsdb.retention.time", "storage.tsdb.wal-compression", "web.enable-lifecycle"]);
  });

  it("honours the deprecated --storage.tsdb.retention when the new flag is absent", () => {
    expect(settingsFromFlags(parseFlags(["--storage.tsdb.retention=7d"])).retentionTimeMs).toBe(7 * 24 * 3600_000);
    expect(settingsFromFlags(parseFlags(["--storage.tsdb.retention=7d", "--storage.tsdb.retention.time=1d"])).retentionTimeMs).toBe(24 * 3600_000);
  });

  it("rejects unknown flags, missing values and bad values", () => {
    expect(() => parseFlags(["--storage.tsdb.paht=x"])).toThrow(new FlagError("unknown long flag '--storage.tsdb.paht', try --help"));
    expect(() => parseFlags(["--config.file"])).toThrow("expected argument for flag '--config.file'");
    expect(() => settingsFromFlags(parseFlags(["--query.timeout=1.5m"]))).toThrow('invalid value "1.5m" for flag --query.timeout');
    expect(() => settingsFromFlags(parseFlags(["--log.level=loud"]))).toThrow("unrecognized log level loud");
  });

  it("derives the route prefix from the external URL unless given", () => {
    expect(settingsFromFlags(parseFlags(["--web.external-url=http://example.com/prom/"])).routePrefix).toBe("/prom");
    expect(settingsFromFlags(parseFlags(["--web.external-url=http://example.com/prom/", "--web.route-prefix=/"])).routePrefix).toBe("");
    expect(settingsFromFlags(parseFlags(["--web.route-prefix=inner/"])).routePrefix).toBe("/inner");
  });
});
