// process_* metrics, as every Prometheus client exports them: CPU time, memory, file
// descriptors and start time. Linux values come from /proc; elsewhere only what Node reports.
import { readdirSync, readFileSync } from "node:fs";
import { Desc } from "./desc.js";
import { newConstMetric } from "./const-metric.js";
import type { Collector, MetricFamily } from "./interface.js";

export interface ProcessCollectorOptions {
  /** Prepended to every name, e.g. "myapp_" (default none). */
  readonly prefix?: string;
  /** Root of procfs (default /proc); tests may point elsewhere. */
  readonly procRoot?: string;
}

/** Clock ticks per second used by /proc/<pid>/stat; Linux fixes USER_HZ at 100 for userspace. */
const USER_HZ = 100;

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Fields of /proc/self/stat after the parenthesised command name (state is index 0). */
function statFields(proc: string): string[] | undefined {
  const stat = readOrUndefined(`${proc}/self/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

export class ProcessCollector implements Collector {
  private readonly proc: string;
  private readonly d: Record<"cpuUser" | "cpuSystem" | "cpu" | "start" | "rss" | "vsize" | "openFds" | "maxFds", Desc>;
  private readonly startTimeSeconds: number;

  constructor(opts: ProcessCollectorOptions = {}) {
    const p = opts.prefix ?? "";
    this.proc = opts.procRoot ?? "/proc";
    const desc = (name: string, help: string) => new Desc({ fqName: p + name, help });
    this.d = {
      cpuUser: desc("process_cpu_user_seconds_total", "Total user CPU time spent in seconds."),
      cpuSystem: desc("process_cpu_system_seconds_total", "Total system CPU time spent in seconds."),
      cpu: desc("process_cpu_seconds_total", "Total user and system CPU time spent in seconds."),
      start: desc("process_start_time_seconds", "Start time of the process since unix epoch in seconds."),
      rss: desc("process_resident_memory_bytes", "Resident memory size in bytes."),
      vsize: desc("process_virtual_memory_bytes", "Virtual memory size in bytes."),
      openFds: desc("process_open_fds", "Number of open file descriptors."),
      maxFds: desc("process_max_fds", "Maximum number of open file descriptors."),
    };
    this.startTimeSeconds = this.readStartTime() ?? Math.round(Date.now() - process.uptime() * 1000) / 1000;
  }

  describe(): Iterable<Desc> {
    return Object.values(this.d);
  }

  *collect(): Iterable<MetricFamily> {
    const { d } = this;
    const cpu = process.cpuUsage();
    yield newConstMetric(d.cpuUser, "counter", cpu.user / 1e6);
    yield newConstMetric(d.cpuSystem, "counter", cpu.system / 1e6);
    yield newConstMetric(d.cpu, "counter", (cpu.user + cpu.system) / 1e6);
    yield newConstMetric(d.start, "gauge", this.startTimeSeconds);
    yield newConstMetric(d.rss, "gauge", process.memoryUsage.rss());
    const fields = statFields(this.proc);
    if (fields !== undefined) yield newConstMetric(d.vsize, "gauge", Number(fields[20]));
    const fds = this.openFds();
    if (fds !== undefined) yield newConstMetric(d.openFds, "gauge", fds);
    const max = this.maxFds();
    if (max !== undefined) yield newConstMetric(d.maxFds, "gauge", max);
  }

  private readStartTime(): number | undefined {
    const fields = statFields(this.proc);
    const btime = readOrUndefined(`${this.proc}/stat`)?.match(/^btime (\d+)$/m)?.[1];
    if (fields === undefined || btime === undefined) return undefined;
    return Number(btime) + Number(fields[19]) / USER_HZ;
  }

  private openFds(): number | undefined {
    try {
      return readdirSync(`${this.proc}/self/fd`).length;
    } catch {
      return undefined;
    }
  }

  private maxFds(): number | undefined {
    const line = readOrUndefined(`${this.proc}/self/limits`)?.match(/^Max open files\s+(\S+)/m)?.[1];
    if (line === undefined) return undefined;
    return line === "unlimited" ? Infinity : Number(line);
  }
}
