// process_* from /proc (real and a prepared fake procfs) and nodejs_* runtime metrics.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { NodeCollector, ProcessCollector, Registry, collectDefaultMetrics, type MetricFamily } from "../../src/client/index.js";
import { tempDir, waitFor } from "../helpers/reference.js";

function value(fams: Iterable<MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of fams) {
    if (f.name !== name) continue;
    for (const m of f.metrics) {
      if (Object.entries(labels).every(([k, v]) => m.labels.some((l) => l.name === k && l.value === v))) return m.value;
    }
  }
  return undefined;
}

const tmp = tempDir("client-proc");
afterAll(() => tmp.cleanup());

describe("ProcessCollector", () => {
  test("parses stat, btime and limits from a procfs root", () => {
    const root = join(tmp.dir, "proc");
    mkdirSync(join(root, "self", "fd"), { recursive: true });
    for (const fd of ["0", "1", "2", "7"]) writeFileSync(join(root, "self", "fd", fd), "");
    // Fields after "(cmd) ": state ppid pgrp ... utime(14) stime(15) ... starttime(22) vsize(23) rss(24)
    const fields = ["S", ...Array.from({ length: 18 }, () => "0"), "250", "123456789", "55"];
    writeFileSync(join(root, "self", "stat"), `4242 (my (weird) app) ${fields.join(" ")} 0 0\n`);
    writeFileSync(join(root, "stat"), "cpu  1 2 3\nbtime 1700000000\nprocesses 9\n");
    writeFileSync(join(root, "self", "limits"), "Limit                     Soft Limit           Hard Limit           Units\nMax open files            4096                 8192                 files\n");
    const fams = [...new ProcessCollector({ procRoot: root }).collect()];
    expect(value(fams, "process_start_time_seconds")).toBe(1700000002.5);
    expect(value(fams, "process_virtual_memory_bytes")).toBe(123456789);
    expect(value(fams, "process_max_fds")).toBe(4096);
    expect(value(fams, "process_open_fds")).toBe(4);
  });

  test("real process: fds follow opens, CPU time grows, start time is before now", () => {
    const c = new ProcessCollector({ prefix: "app_" });
    const before = value(c.collect(), "app_process_open_fds")!;
    const fds = [0, 1, 2].map(() => openSync("/proc/self/stat", "r"));
    try {
      expect(value(c.collect(), "app_process_open_fds")).toBe(before + 3);
    } finally {
      fds.forEach(closeSync);
    }
    const cpu0 = value(c.collect(), "app_process_cpu_seconds_total")!;
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(value(c.collect(), "app_process_cpu_seconds_total")!).toBeGreaterThan(cpu0);
    const start = value(c.collect(), "app_process_start_time_seconds")!;
    expect(start).toBeLessThanOrEqual(Date.now() / 1000);
    expect(start).toBeGreaterThan(Date.now() / 1000 - process.uptime() - 5);
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))![1];
    expect(value(c.collect(), "app_process_max_fds")).toBe(Number(soft));
    expect(value(c.collect(), "app_process_resident_memory_bytes")).toBeGreaterThan(1e6);
  });
});

describe("NodeCollector", () => {
  test("GC pauses land in the histogram; heap spaces and version are reported", async () => {
    const c = new NodeCollector();
    try {
      let keep: number[][] = [];
      await waitFor(async () => {
        for (let i = 0; i < 2000; i++) keep.push(new Array(100).fill(i));
        keep = keep.slice(-100);
        await new Promise((r) => setTimeout(r, 10));
        const gc = [...c.collect()].find((f) => f.name === "nodejs_gc_duration_seconds");
        return gc && gc.metrics.some((m) => (m.histogram?.count ?? 0) > 0);
      }, 20_000, "a GC entry");
      const fams = [...c.collect()];
      expect(value(fams, "nodejs_version_info", { version: process.version })).toBe(1);
      expect(value(fams, "nodejs_heap_space_size_used_bytes", { space: "old" })).toBeGreaterThan(0);
      expect(value(fams, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
      const elu = value(fams, "nodejs_eventloop_utilization_ratio")!;
      expect(elu).toBeGreaterThanOrEqual(0);
      expect(elu).toBeLessThanOrEqual(1);
    } finally {
      c.close();
      c.close();
    }
  });

  test("collectDefaultMetrics registers both and close unregisters them", () => {
    const r = new Registry();
    const dm = collectDefaultMetrics({ registry: r });
    const names = r.gather().map((f) => f.name);
    expect(names).toContain("process_cpu_seconds_total");
    expect(names).toContain("nodejs_heap_size_total_bytes");
    dm.close();
    expect(r.gather()).toEqual([]);
  });
});
