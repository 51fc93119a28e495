// Synthetic node_exporter-like targets for bench:ingest. It runs as its own process so that
// serving scrapes is not counted as the scraper's CPU. One port per target, so every system
// sees T distinct instances (the instance label keeps their series apart). Counters grow and
// gauges move on every scrape. Prints {"ports":[...]} as its first stdout line.
//
//   node build/dist/bench/ingest/exporter.js --targets=20 --series-per-target=2500
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { rng } from "../helpers/random.js";

/** How a series' value moves: counters add a positive step, gauges jump around a level. */
const enum Kind {
  Counter,
  Gauge,
}

interface Family {
  readonly name: string;
  readonly kind: Kind;
  readonly help: string;
  /** The exported labels of the k-th series of this family (job and instance come from the scraper). */
  readonly labels: (k: number) => string;
  /** Values are stored as integers and printed divided by this, like node_exporter's 0.01 s CPU times. */
  readonly divisor: number;
  /** Largest step per scrape (counters) or spread around the level (gauges), in stored units. */
  readonly step: number;
  readonly start: number;
}

const MODES = ["user", "system", "idle", "iowait", "irq", "softirq", "steal", "nice"];
const CODES = ["200", "201", "304", "404", "500"];
const METHODS = ["GET", "POST", "PUT"];

const FAMILIES: readonly Family[] = [
  { name: "node_cpu_seconds_total", kind: Kind.Counter, help: "Seconds the CPUs spent in each mode.", labels: (k) => `cpu="${k >> 3}",mode="${MODES[k & 7]}"`, divisor: 100, step: 100, start: 1e8 },
  { name: "node_network_receive_bytes_total", kind: Kind.Counter, help: "Network device statistic receive_bytes.", labels: (k) => `device="eth${k}"`, divisor: 1, step: 2e6, start: 1e12 },
  { name: "node_network_transmit_packets_total", kind: Kind.Counter, help: "Network device statistic transmit_packets.", labels: (k) => `device="eth${k}"`, divisor: 1, step: 2000, start: 1e9 },
  { name: "node_disk_io_time_seconds_total", kind: Kind.Counter, help: "Total seconds spent doing I/Os.", labels: (k) => `device="sd${k}"`, divisor: 1000, step: 1000, start: 1e9 },
  {
    name: "http_requests_total",
    kind: Kind.Counter,
    help: "Requests served, by code, handler and method.",
    labels: (k) => `code="${CODES[k % 5]}",handler="/api/v1/h${(k / 15) | 0}",method="${METHODS[((k / 5) | 0) % 3]}"`,
    divisor: 1,
    step: 50,
    start: 1e5,
  },
  {
    name: "node_filesystem_avail_bytes",
    kind: Kind.Gauge,
    help: "Filesystem space available to non-root users in bytes.",
    labels: (k) => `device="/dev/sd${k}",fstype="ext4",mountpoint="/srv/${k}"`,
    divisor: 1 / 4096,
    step: 1e4,
    start: 2.5e7,
  },
  { name: "node_hwmon_temp_celsius", kind: Kind.Gauge, help: "Hardware monitor for temperature.", labels: (k) => `chip="platform_coretemp_${k >> 3}",sensor="temp${k & 7}"`, divisor: 10, step: 100, start: 450 },
];

interface Target {
  /** Stored (integer) values, in the order the exposition lists the series. */
  readonly values: Float64Array;
  readonly random: () => number;
}

/** Builds the static text once: per series the "name{labels} " prefix, per family its HELP and TYPE lines. */
function layout(perTarget: number): { headers: string[]; prefixes: string[]; family: Uint8Array } {
  const counts = FAMILIES.map((_, f) => Math.floor(perTarget / FAMILIES.length) + (f < perTarget % FAMILIES.length ? 1 : 0));
  const headers: string[] = [];
  const prefixes: string[] = [];
  const family = new Uint8Array(perTarget);
  FAMILIES.forEach((fam, f) => {
    headers.push(`# HELP ${fam.name} ${fam.help}\n# TYPE ${fam.name} ${fam.kind === Kind.Counter ? "counter" : "gauge"}\n`);
    for (let k = 0; k < counts[f]; k++) {
      family[prefixes.length] = f;
      prefixes.push(`${fam.name}{${fam.labels(k)}} `);
    }
  });
  return { headers, prefixes, family };
}

function main(): void {
  const { values: opts } = parseArgs({ options: { targets: { type: "string" }, "series-per-target": { type: "string" } }, strict: true });
  const nTargets = Number(opts.targets ?? 20);
  const perTarget = Number(opts["series-per-target"] ?? 2500);
  const { headers, prefixes, family } = layout(perTarget);
  const parts: string[] = new Array<string>(headers.length + prefixes.length * 2);

  const body = (t: Target): string => {
    let p = 0;
    let f = -1;
    for (let i = 0; i < prefixes.length; i++) {
      const fam = FAMILIES[family[i]];
      if (family[i] !== f) {
        f = family[i];
        parts[p++] = headers[f];
      }
      const step = Math.floor(t.random() * fam.step);
      t.values[i] = fam.kind === Kind.Counter ? t.values[i] + 1 + step : fam.start + step;
      parts[p++] = prefixes[i];
      parts[p++] = `${t.values[i] / fam.divisor}\n`;
    }
    return parts.join("");
  };

  const servers: Server[] = [];
  let listening = 0;
  for (let n = 0; n < nTargets; n++) {
    const random = rng(n + 1);
    const values = new Float64Array(perTarget);
    for (let i = 0; i < perTarget; i++) values[i] = Math.floor(FAMILIES[family[i]].start * (1 + random()));
    const target: Target = { values, random };
    const server = createServer((_req, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      res.end(body(target));
    });
    servers.push(server);
    server.listen(0, "127.0.0.1", () => {
      if (++listening === nTargets) console.log(JSON.stringify({ ports: servers.map((s) => (s.address() as AddressInfo).port) }));
    });
  }
}

main();
