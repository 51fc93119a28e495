// Shared setup for web tests: a TSDB directory with known samples and an in-process server.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, type RunningServer } from "../../src/cmd/server.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { openDB } from "../../src/tsdb/db.js";
import { waitFor } from "../helpers/reference.js";

/** Fixed sample times so that results are exact: one sample every 15s for 10 minutes up to NOW_MS. */
export const NOW_MS = Math.floor(Date.now() / 15_000) * 15_000;

export interface SeedSeries {
  readonly labels: Record<string, string>;
  readonly value: (i: number) => number;
}

export const SEED: readonly SeedSeries[] = [
  { labels: { __name__: "up", job: "prometheus", instance: "localhost:9090" }, value: () => 1 },
  { labels: { __name__: "up", job: "node", instance: "localhost:9100" }, value: () => 0 },
  { labels: { __name__: "http_requests_total", job: "api", code: "200" }, value: (i) => i * 10 },
  { labels: { __name__: "http_requests_total", job: "api", code: "500" }, value: (i) => i },
  { labels: { __name__: "big_value", job: "api" }, value: () => 1e6 },
];
export const SAMPLES = 41;

/** Writes SEED into a fresh TSDB at dir (the server later replays it from the WAL). */
export async function seedTSDB(dir: string): Promise<void> {
  const db = await openDB(dir, {});
  const app = db.appender();
  for (const s of SEED) {
    const labels = labelsFromRecord(s.labels);
    let ref = 0;
    for (let i = 0; i < SAMPLES; i++) ref = app.append(ref, labels, NOW_MS - (SAMPLES - 1 - i) * 15_000, s.value(i));
  }
  await app.commit();
  await db.close();
}

export function writeConfig(dir: string, text: string): string {
  const path = join(dir, "prometheus.yml");
  writeFileSync(path, text);
  return path;
}

export async function startTestServer(args: string[]): Promise<{ server: RunningServer; base: string; logs: string[] }> {
  const logs: string[] = [];
  const server = await startServer({ args: ["--web.listen-address=127.0.0.1:0", ...args], logWrite: (l) => logs.push(l) });
  const base = `http://127.0.0.1:${server.port}${server.settings.routePrefix}`;
  await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, 20_000, "server ready");
  return { server, base, logs };
}

export async function getJSON(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
