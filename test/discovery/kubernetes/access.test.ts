// How kubernetes_sd reaches the API server: in-cluster (service account token and CA over
// TLS, own_namespace), kubeconfig_file (current context, inline CA, token), and the errors
// when neither works. The API server listens on loopback with an openssl-made certificate.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesDiscoverer } from "../../../src/discovery/kubernetes/discoverer.js";
import { makeCerts } from "../../httpclient/helpers.js";
import { referenceBinary, tempDir, waitFor } from "../../helpers/reference.js";
import { FakeApiServer } from "./fake-apiserver.js";
import { recorded, run, sdConfig } from "./run.js";

const openssl = referenceBinary("openssl");

describe.runIf(openssl)("kubernetes_sd API server access", () => {
  const tmp = tempDir("k8s-access");
  let api: FakeApiServer;
  let port = "";
  beforeAll(async () => {
    makeCerts(openssl!, tmp.dir);
    api = new FakeApiServer({ key: readFileSync(join(tmp.dir, "server.key")), cert: readFileSync(join(tmp.dir, "server.crt")) });
    port = new URL(await api.start()).port;
    const pods = recorded<{ metadata: { namespace: string } }>("pods.json");
    api.setList("/api/v1/namespaces/batch/pods", "48213", pods.items.filter((p) => p.metadata.namespace === "batch"));
    api.setList("/api/v1/namespaces/default/pods", "48213", pods.items.filter((p) => p.metadata.namespace === "default"));
  });
  afterAll(async () => {
    await api.close();
    tmp.cleanup();
  });

  it("in-cluster: KUBERNETES_SERVICE_HOST/PORT over TLS with the service account's CA and token, own_namespace from its namespace file", async () => {
    const sa = join(tmp.dir, "serviceaccount");
    mkdirSync(sa, { recursive: true });
    copyFileSync(join(tmp.dir, "ca.crt"), join(sa, "ca.crt"));
    writeFileSync(join(sa, "token"), "eyJhbGciOiJSUzI1NiJ9.sa-token\n");
    writeFileSync(join(sa, "namespace"), "batch");
    const sd = run({
      config: sdConfig({ role: "pod", namespaces: { ownNamespace: true, names: [] } }),
      env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port },
      serviceAccountDir: sa,
    });
    try {
      await sd.group("pod/batch/worker-0");
      const seen = api.requests.filter((r) => r.path === "/api/v1/namespaces/batch/pods");
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]!.authorization).toBe("Bearer eyJhbGciOiJSUzI1NiJ9.sa-token");
      // Only the own namespace is watched.
      expect(api.requests.some((r) => r.path.includes("/namespaces/default/"))).toBe(false);
      // A rotated token is used from the next request on.
      writeFileSync(join(sa, "token"), "rotated");
      api.endWatches("/api/v1/namespaces/batch/pods");
      await api.watching("/api/v1/namespaces/batch/pods", "48213");
      await waitFor(() => api.requests.some((r) => r.authorization === "Bearer rotated"), 20_000, "a request with the rotated token");
    } finally {
      await sd.stop();
    }
  });

  it("kubeconfig_file: the current context's server, inline CA and token", async () => {
    const ca = readFileSync(join(tmp.dir, "ca.crt")).toString("base64");
    const file = join(tmp.dir, "kubeconfig.yml");
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "current-context: test",
        "clusters:",
        "  - name: other",
        "    cluster: { server: 'https://192.0.2.1:6443' }",
        "  - name: local",
        "    cluster:",
        `      server: https://127.0.0.1:${port}`,
        `      certificate-authority-data: ${ca}`,
        "contexts:",
        "  - name: test",
        "    context: { cluster: local, user: prom, namespace: batch }",
        "users:",
        "  - name: prom",
        "    user: { token: kubeconfig-token }",
      ].join("\n"),
    );
    const sd = run({ config: sdConfig({ role: "pod", kubeconfigFile: file, namespaces: { ownNamespace: false, names: ["default"] } }) });
    try {
      await sd.group("pod/default/api-7d9c6b5f4-x2x9k");
      expect(api.requests.find((r) => r.path === "/api/v1/namespaces/default/pods")!.authorization).toBe("Bearer kubeconfig-token");
    } finally {
      await sd.stop();
    }
  });

  it("fails with a clear error outside a cluster, and for kubeconfig users that run programs", async () => {
    const d = new KubernetesDiscoverer({ config: sdConfig({ role: "pod" }), env: {} });
    await expect(d.run(new AbortController().signal, () => {})).rejects.toThrow("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
    const file = join(tmp.dir, "exec-kubeconfig.yml");
    writeFileSync(file, "current-context: c\nclusters: [{name: k, cluster: {server: 'https://127.0.0.1:1'}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n");
    const e = new KubernetesDiscoverer({ config: sdConfig({ role: "pod", kubeconfigFile: file }) });
    await expect(e.run(new AbortController().signal, () => {})).rejects.toThrow(`user "u" uses exec, which promwasm does not run`);
  });
});
