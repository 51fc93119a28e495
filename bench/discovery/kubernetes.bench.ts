// kubernetes_sd with 10,000 pods (role pod) and a churn of 100 pod updates/s: time from
// start to the first full set of groups, memory per pod (JS heap after GC), and the CPU
// discovery uses while it follows the churn (fraction of one core, this process only; the
// API server runs in a child process).
import { fork } from "node:child_process";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DEFAULT_HTTP_CLIENT } from "../../src/config/types.js";
import { KubernetesDiscoverer } from "../../src/discovery/kubernetes/discoverer.js";

const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CHURN_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const child = fork(join(import.meta.dirname, "k8s-apiserver.js"), [], { env: { ...process.env, PODS: String(PODS), RATE: String(RATE) } });
  const port = await new Promise<number>((resolve) => child.once("message", (m: { port: number }) => resolve(m.port)));
  const before = heap();
  let groups = 0;
  let updates = 0;
  let firstFull = 0;
  const started = performance.now();
  const ac = new AbortController();
  const sd = new KubernetesDiscoverer({
    config: {
      apiServer: `http://127.0.0.1:${port}`,
      role: "pod",
      kubeconfigFile: "",
      namespaces: { ownNamespace: false, names: [] },
      selectors: [],
      attachMetadata: { node: false, namespace: false, deployment: false, job: false, cronjob: false },
      httpClientConfig: DEFAULT_HTTP_CLIENT,
    },
    metrics: { event: (_role, type) => void (type === "update" && updates++), failure: () => {} },
  });
  // Groups are kept as the discovery manager keeps them: the latest per source.
  const latest = new Map<string, unknown>();
  const done = sd.run(ac.signal, (g) => {
    for (const x of g) latest.set(x.source, x);
    groups += g.length;
    if (!firstFull && latest.size >= PODS) firstFull = performance.now() - started;
  });
  while (!firstFull) await new Promise((r) => setTimeout(r, 20));
  const afterList = heap();
  // Let the watch start and the churn settle, then measure a window.
  await new Promise((r) => setTimeout(r, 2000));
  const u0 = updates;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, CHURN_SECONDS * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const applied = updates - u0;
  const afterChurn = heap();
  ac.abort();
  await done;
  child.kill();
  const rows: Array<[string, string]> = [
    ["pods", String(PODS)],
    ["first full set of groups after start", `${firstFull.toFixed(0)} ms`],
    ["JS heap per pod after the list (groups kept as the manager keeps them)", `${((afterList - before) / PODS / 1024).toFixed(2)} KiB`],
    ["updates applied during churn", `${(applied / (wallMs / 1000)).toFixed(0)}/s (asked: ${RATE}/s)`],
    ["CPU while following the churn", `${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)}% of one core`],
    ["JS heap per pod after the churn", `${((afterChurn - before) / PODS / 1024).toFixed(2)} KiB`],
    ["groups emitted in all", String(groups)],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(72)} ${v}`);
}

await main();
