// kubernetes_sd_configs on load, and service discovery kinds promwasm does not run.
// Debian's promtool 2.42 (the reference installed here) is built without kubernetes, consul,
// kuma, linode and nomad discovery and refuses those blocks as unknown fields, so it cannot
// judge the kubernetes fixtures: their verdicts and messages follow Prometheus' own checks
// (discovery/kubernetes SDConfig.UnmarshalYAML) and are asserted here, not in check-config.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.js";
import { DEFAULT_HTTP_CLIENT } from "../../src/config/types.js";
import { referenceBinary } from "../helpers/reference.js";
import { checkConfig as check } from "./helpers.js";

const dir = join(import.meta.dirname, "testdata");
const promtool = referenceBinary("promtool");

describe("kubernetes_sd_configs", () => {
  it("reads every field of the valid fixture", async () => {
    const file = join(dir, "kubernetes-sd", "valid", "full.yml");
    const c = await loadConfigFile(file);
    const [pods, endpoints, mixed] = c.scrapeConfigs;
    expect(pods!.kubernetesSdConfigs).toEqual([
      {
        apiServer: "https://kubernetes.example:6443",
        role: "pod",
        kubeconfigFile: "",
        namespaces: { ownNamespace: false, names: ["default", "monitoring"] },
        selectors: [
          { role: "pod", label: "app.kubernetes.io/name in (api,web),!canary", field: "status.phase=Running" },
          { role: "node", label: "node-role.kubernetes.io/worker", field: "" },
        ],
        attachMetadata: { node: true, namespace: false, deployment: false, job: false, cronjob: false },
        httpClientConfig: expect.objectContaining({ basicAuth: { username: "prometheus", password: "secret", passwordFile: "" } }),
      },
    ]);
    expect(endpoints!.kubernetesSdConfigs[0]!.selectors).toEqual([
      { role: "service", label: "team=platform", field: "" },
      { role: "endpoints", label: "", field: "metadata.name!=kubernetes" },
    ]);
    expect(mixed!.kubernetesSdConfigs.map((k) => k.role)).toEqual(["node", "ingress", "endpointslice", "service"]);
    expect(mixed!.kubernetesSdConfigs[0]!.httpClientConfig).toBe(DEFAULT_HTTP_CLIENT);
    expect(mixed!.kubernetesSdConfigs[1]!.namespaces.ownNamespace).toBe(true);
    expect(c.alerting.alertmanagers[0]!.kubernetesSdConfigs[0]!.namespaces.names).toEqual(["monitoring"]);
    const r = await check(file);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("SUCCESS");
  });

  const invalid: Record<string, string> = {
    "api-server-and-kubeconfig.yml": "cannot use 'kubeconfig_file' and 'api_server' simultaneously",
    "bad-label-selector.yml": `invalid label selector "app in web"`,
    "client-without-api-server.yml": "to use custom HTTP client configuration please provide the 'api_server' URL explicitly",
    "duplicate-selector.yml": "duplicated selector role: pod",
    "no-role.yml": "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)",
    "own-namespace-with-api-server.yml": "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously",
    "role.yml": `unknown Kubernetes SD role "deployment"`,
    "selector-role.yml": "service role supports only service selectors",
  };

  it("has a message for every invalid fixture", () => {
    expect(readdirSync(join(dir, "kubernetes-sd", "invalid")).sort()).toEqual(Object.keys(invalid).sort());
  });

  for (const [name, message] of Object.entries(invalid)) {
    it(`refuses ${name}: ${message}`, async () => {
      const file = join(dir, "kubernetes-sd", "invalid", name);
      await expect(loadConfigFile(file)).rejects.toThrow(message);
      const r = await check(file);
      expect(r.code).toBe(1);
      expect(r.err).toContain(message);
    });
  }
});

describe("service discovery kinds promwasm does not run", () => {
  const cases: Array<[string, string, number]> = [
    ["ec2-sd.yml", "ec2_sd_configs", 4],
    ["eureka-sd.yml", "eureka_sd_configs", 7],
    ["digitalocean-sd-alertmanagers.yml", "digitalocean_sd_configs", 4],
  ];

  it("has a case for every fixture", () => {
    expect(readdirSync(join(dir, "unsupported")).sort()).toEqual(cases.map((c) => c[0]).sort());
  });

  for (const [name, block, line] of cases) {
    it(`refuses ${name}, naming ${block} and the line of its first entry`, async () => {
      const file = join(dir, "unsupported", name);
      const r = await check(file);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`${block} is not supported by promwasm`);
      expect(r.err).toContain(`${name}:${line})`);
      await expect(loadConfigFile(file)).rejects.toThrow(`${block} is not supported by promwasm`);
    });
  }

  // The disagreement is deliberate: Prometheus would run these, promwasm would silently scrape nothing.
  it.runIf(promtool !== undefined)("are blocks the reference promtool accepts", () => {
    for (const name of ["ec2-sd.yml", "eureka-sd.yml", "digitalocean-sd-alertmanagers.yml"]) {
      expect(execFileSync(promtool!, ["check", "config", join(dir, "unsupported", name)], { encoding: "utf8" })).toContain("SUCCESS");
    }
  });
});
