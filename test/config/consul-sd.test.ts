// consul_sd_configs on load. Debian's promtool 2.42 is built without consul discovery (it
// refuses the field as unknown), so these verdicts follow Prometheus' own checks
// (discovery/consul SDConfig.UnmarshalYAML) and are asserted here.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.js";
import { renderConfig } from "../../src/config/render.js";
import { DEFAULT_TLS } from "../../src/config/types.js";
import { checkConfig } from "./helpers.js";

const dir = join(import.meta.dirname, "testdata", "consul-sd");

describe("consul_sd_configs", () => {
  it("reads every field of the valid fixture, with Prometheus' defaults", async () => {
    const file = join(dir, "valid", "full.yml");
    const c = await loadConfigFile(file);
    const [full, defaults] = c.scrapeConfigs[0]!.consulSdConfigs;
    expect(full).toEqual({
      server: "consul.service.example:8500",
      pathPrefix: "/consul",
      token: "3f1e-secret",
      datacenter: "eu-1",
      namespace: "",
      partition: "",
      tagSeparator: "|",
      scheme: "https",
      allowStale: false,
      refreshIntervalMs: 60_000,
      services: ["web", "api"],
      tags: ["prod"],
      nodeMeta: { rack: "r-12" },
      filter: 'ServiceTags contains "prod"',
      healthFilter: 'Service.Meta.version != ""',
      httpClientConfig: expect.objectContaining({ tlsConfig: { ...DEFAULT_TLS, insecureSkipVerify: true } }),
    });
    // username and password become the client's basic auth.
    expect(defaults).toMatchObject({ server: "localhost:8500", scheme: "http", tagSeparator: ",", allowStale: true, refreshIntervalMs: 30_000, services: [] });
    expect(defaults!.httpClientConfig.basicAuth).toEqual({ username: "prometheus", password: "s3cret", passwordFile: "" });
    expect(c.alerting.alertmanagers[0]!.consulSdConfigs[0]!.services).toEqual(["alertmanager"]);
    const r = await checkConfig(file);
    expect(r.code, r.err).toBe(0);
  });

  it("renders for /api/v1/status/config with secrets hidden, as Prometheus marshals consul.SDConfig", async () => {
    const text = renderConfig(await loadConfigFile(join(dir, "valid", "full.yml")));
    expect(text).toContain(
      [
        "  consul_sd_configs:",
        "  - server: consul.service.example:8500",
        "    path_prefix: /consul",
        "    token: <secret>",
        "    datacenter: eu-1",
        '    tag_separator: "|"',
        "    scheme: https",
        "    allow_stale: false",
        "    refresh_interval: 1m",
        "    services:",
        "    - web",
        "    - api",
        "    tags:",
        "    - prod",
        "    node_meta:",
        "      rack: r-12",
      ].join("\n"),
    );
    expect(text).not.toContain("3f1e-secret");
    expect(text).not.toContain("s3cret");
  });

  const invalid: Record<string, string> = {
    "empty-server.yml": "consul SD configuration requires a server address",
    "token-and-authorization.yml": "at most one of consul SD token, authorization, or oauth2 can be configured",
    "unknown-field.yml": "field service not found in type consul.SDConfig",
    "username-and-basic-auth.yml": "at most one of consul SD configuration username and password and basic auth can be configured",
  };

  it("has a message for every invalid fixture", () => {
    expect(readdirSync(join(dir, "invalid")).sort()).toEqual(Object.keys(invalid).sort());
  });

  for (const [name, message] of Object.entries(invalid)) {
    it(`refuses ${name}: ${message}`, async () => {
      const r = await checkConfig(join(dir, "invalid", name));
      expect(r.code).toBe(1);
      expect(r.err).toContain(message);
    });
  }
});
