import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Discoverer, TargetGroup } from "../../src/discovery/interface.js";
import { DiscoveryManager, type TargetSetUpdate } from "../../src/discovery/manager.js";
import { StaticDiscoverer } from "../../src/discovery/static.js";
import { tempDir, waitFor } from "../helpers/reference.js";

/** A discoverer the test drives by hand. */
class ManualDiscoverer implements Discoverer {
  emit: ((g: TargetGroup[]) => void) | undefined;
  stopped = false;
  async run(signal: AbortSignal, emit: (g: TargetGroup[]) => void): Promise<void> {
    this.emit = emit;
    await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
    this.stopped = true;
  }
}

const group = (source: string, ...addrs: string[]): TargetGroup => ({ source, targets: addrs.map((a) => ({ __address__: a })), labels: {} });
const addresses = (u: TargetSetUpdate, job: string) => (u.get(job) ?? []).flatMap((g) => g.targets.map((t) => t.__address__));

// Fake timers: the throttle is timer arithmetic, so the test steps the clock and can assert
// exact update counts at exact times, whatever the machine's load.
describe("DiscoveryManager", () => {
  let m: DiscoveryManager | undefined;
  beforeEach(() => void vi.useFakeTimers());
  afterEach(async () => {
    await m?.stop();
    vi.useRealTimers();
  });

  it("merges providers per job, replaces groups by source and throttles updates", async () => {
    m = new DiscoveryManager({ updateIntervalMs: 200 });
    const updates: Array<{ at: number; u: TargetSetUpdate }> = [];
    m.subscribe((u) => updates.push({ at: Date.now(), u }));
    const manual = new ManualDiscoverer();
    await m.applyConfig(new Map<string, Discoverer[]>([["node", [new StaticDiscoverer({ configs: [{ targets: ["s:1"] }] }), manual]], ["empty", []]]));
    await vi.advanceTimersByTimeAsync(0);
    expect(updates.length).toBe(1);
    expect(addresses(updates[0]!.u, "node")).toEqual(["s:1"]);
    expect(updates[0]!.u.get("empty")).toEqual([]);
    // A burst of changes within the interval becomes one update with the last state, sent
    // when the interval since the previous update has passed and not before.
    manual.emit!([group("a", "m:1")]);
    manual.emit!([group("a", "m:2"), group("b", "m:3")]);
    manual.emit!([group("b")]);
    await vi.advanceTimersByTimeAsync(199);
    expect(updates.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(updates.length).toBe(2);
    expect(updates[1]!.at - updates[0]!.at).toBe(200);
    expect(addresses(updates[1]!.u, "node")).toEqual(["s:1", "m:2"]);
    // Nothing changed since: no more updates however long it runs.
    await vi.advanceTimersByTimeAsync(1000);
    expect(updates.length).toBe(2);
  });

  it("stops old providers on applyConfig and drops their groups", async () => {
    m = new DiscoveryManager({ updateIntervalMs: 10 });
    const manual = new ManualDiscoverer();
    await m.applyConfig(new Map([["a", [manual]]]));
    await vi.advanceTimersByTimeAsync(20);
    manual.emit!([group("x", "h:1")]);
    await m.applyConfig(new Map([["b", [new StaticDiscoverer({ configs: [{ targets: ["h:2"] }] })]]]));
    expect(manual.stopped).toBe(true);
    const got: TargetSetUpdate[] = [];
    m.subscribe((u) => got.push(u));
    await vi.advanceTimersByTimeAsync(10);
    expect(got).toHaveLength(1);
    expect([...got[0]!.keys()]).toEqual(["b"]);
    expect(addresses(got[0]!, "b")).toEqual(["h:2"]);
  });

  it("reports received, delayed and sent updates and failed providers to its hooks", async () => {
    const seen = { received: 0, delayed: 0, sent: 0, failed: [] as number[] };
    m = new DiscoveryManager({
      updateIntervalMs: 100,
      hooks: { received: () => seen.received++, delayed: () => seen.delayed++, sent: () => seen.sent++, failedConfigs: (n) => seen.failed.push(n) },
    });
    const manual = new ManualDiscoverer();
    const broken: Discoverer = { run: () => Promise.reject(new Error("no in-cluster config")) };
    await m.applyConfig(new Map([["job", [manual, broken, broken]]]));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual({ received: 0, delayed: 0, sent: 1, failed: [0, 1, 2] });
    // Three updates within one interval: all received, the second and third wait behind the first.
    manual.emit!([group("a", "m:1")]);
    manual.emit!([group("a", "m:2")]);
    manual.emit!([group("a", "m:3")]);
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual({ received: 3, delayed: 2, sent: 2, failed: [0, 1, 2] });
    // A new config starts the count of failed providers over.
    await m.applyConfig(new Map([["job", [new StaticDiscoverer({ configs: [{ targets: ["s:1"] }] })]]]));
    expect(seen.failed.at(-1)).toBe(0);
  });
});

describe("discovery feeding scrape targets end to end", () => {
  it("delivers static and file groups of a job built from its config sections", async () => {
    const { discoverersFor } = await import("../../src/discovery/from-config.js");
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const tmp = tempDir("from-config");
    const m = new DiscoveryManager({ updateIntervalMs: 10 });
    try {
      const file = join(tmp.dir, "t.yaml");
      writeFileSync(file, "- targets: [f:1]\n");
      const got: TargetSetUpdate[] = [];
      m.subscribe((u) => got.push(u));
      await m.applyConfig(new Map([["job", discoverersFor({ staticConfigs: [{ targets: ["s:1"] }], fileSdConfigs: [{ files: [file] }] })]]));
      await waitFor(() => addresses(got.at(-1) ?? new Map(), "job").length >= 2, 10_000, "the static and file groups");
      expect(addresses(got.at(-1)!, "job").sort()).toEqual(["f:1", "s:1"]);
    } finally {
      await m.stop();
      tmp.cleanup();
    }
  });
});
