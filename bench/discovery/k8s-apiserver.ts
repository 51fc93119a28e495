// The API server side of the kubernetes_sd bench, run as a child process so that its CPU is
// not counted as discovery's: N pods to list, then a watch stream that modifies RATE pods
// per second (a label changes, as on a rollout) until the parent stops it.
import { createServer } from "node:http";

const N = Number(process.env.PODS ?? 10_000);
const RATE = Number(process.env.RATE ?? 100);
let version = 1000;

function pod(i: number, revision: number): object {
  return {
    metadata: {
      name: `app-${i}`,
      namespace: `ns-${i % 20}`,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      resourceVersion: String(++version),
      labels: { app: `app-${i % 200}`, "app.kubernetes.io/name": `app-${i % 200}`, "pod-template-hash": "7d9c6b5f4", revision: String(revision), tier: i % 2 ? "web" : "batch" },
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "8080", "kubectl.kubernetes.io/restartedAt": "2024-05-02T09:14:03Z" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `app-${i % 200}-7d9c6b5f4`, uid: "r", controller: true }],
    },
    spec: {
      nodeName: `worker-${i % 100}`,
      containers: [
        { name: "app", image: "registry.example/app:1.0", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }, { name: "grpc", containerPort: 9090, protocol: "TCP" }] },
        { name: "sidecar", image: "registry.example/sidecar:2.3" },
      ],
    },
    status: {
      phase: "Running",
      podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      hostIP: `192.168.${(i % 100) >> 8}.${i % 100}`,
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [{ name: "app", containerID: `containerd://${i}` }, { name: "sidecar", containerID: `containerd://s${i}` }],
    },
  };
}

const pods = Array.from({ length: N }, (_, i) => pod(i, 0));
let revision = 0;

const server = createServer((req, res) => {
  const u = new URL(req.url ?? "/", "http://x");
  if (u.searchParams.get("watch") !== "true") {
    const limit = Number(u.searchParams.get("limit") || N);
    const offset = Number(u.searchParams.get("continue") || 0);
    const next = offset + limit < N ? String(offset + limit) : undefined;
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: String(version), ...(next ? { continue: next } : {}) }, items: pods.slice(offset, offset + limit) }));
    return;
  }
  res.writeHead(200, { "Content-Type": "application/json" });
  // Ten batches a second.
  let next = 0;
  const timer = setInterval(() => {
    let chunk = "";
    for (let k = 0; k < RATE / 10; k++) {
      const i = next++ % N;
      if (i === 0) revision++;
      chunk += JSON.stringify({ type: "MODIFIED", object: pod(i, revision) }) + "\n";
    }
    res.write(chunk);
  }, 100);
  res.on("close", () => clearInterval(timer));
});

server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  process.send!({ port: typeof addr === "object" && addr ? addr.port : 0 });
});
process.on("disconnect", () => process.exit(0));
