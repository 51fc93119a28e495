// Bad input at every ingress of one running promwasm child: fuzzed scrape bodies (text and
// OpenMetrics), broken remote-write and OTLP payloads (garbage, snappy and gzip bombs, huge
// label counts, invalid UTF-8), hostile PromQL (deep nesting, regex bombs, huge ranges, cross
// joins under --query.max-samples) and hostile configs (YAML alias bomb, 100k jobs) on reload.
// Each gets a clear 4xx or error; afterwards the server is healthy, its memory bounded (peak
// RSS reported) and a control series written beforehand unchanged. FAULTS_LONG=1 fuzzes 100x more.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import snappy from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prompbType } from "../../bench/baseline/prompb.js";
import { startPromwasm, stopChild, waitForChild, waitReady, type Server } from "../helpers/process.js";
import { listen, tempDir } from "../helpers/reference.js";

const LONG = process.env.FAULTS_LONG === "1";
const FUZZ_BODIES = LONG ? 30_000 : 300;
// promwasm loads 100k jobs in about 30 s (promtool: 2 s), too slow for the default run.
const JOBS = LONG ? 100_000 : 5_000;
const SEED = Number(process.env.FAULTS_SEED ?? 18);
// Generous: a healthy child sits well below it; unbounded growth (a bomb inflated) does not.
const RSS_LIMIT_BYTES = 1024 << 20;
const WriteRequest = prompbType("WriteRequest");
const tmp = tempDir("faults-bad-input");
const config = join(tmp.dir, "prometheus.yml");
let promwasm: Server | undefined;
let target: HttpServer | undefined;
afterAll(async () => {
  await stopChild(promwasm);
  target?.closeAllConnections();
  target?.close();
  tmp.cleanup();
});

/** xorshift32: the same corpus for the same FAULTS_SEED. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const VALID_TEXT = [
  "# HELP fuzz_requests_total Requests.",
  "# TYPE fuzz_requests_total counter",
  'fuzz_requests_total{code="200",path="/a\\"b"} 1027 1700000000000',
  'fuzz_requests_total{code="500",path="/"} 3',
  "# TYPE fuzz_latency histogram",
  'fuzz_latency_bucket{le="0.1"} 1',
  'fuzz_latency_bucket{le="+Inf"} 2',
  "fuzz_latency_sum 0.25",
  "fuzz_latency_count 2",
  "# TYPE fuzz_temp gauge",
  "fuzz_temp NaN",
  "fuzz_temp2 -Inf",
  'fuzz_summary{quantile="0.99"} 1.5e+300',
  "",
].join("\n");
const VALID_OM = VALID_TEXT.replace(/ 1700000000000/, " 1700000000.000").replace("fuzz_requests_total{", "fuzz_requests_total{").concat("# EOF\n");
const NASTY = ["\u0000", "\xff", "{", "}", '"', "\\", "\n", "=", ",", " ", "#", "\u00c0\u00af", "le=", "NaN", "1e999", "-0", "\t", "# EOF\n", "# TYPE x counter\n"];

/** A mutation of a valid body: flips, inserts, deletions, repeats, cuts, giant labels. */
function fuzzBody(rand: () => number, om: boolean): Buffer {
  let b = Buffer.from(om ? VALID_OM : VALID_TEXT, "latin1");
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const at = (): number => Math.floor(rand() * (b.length + 1));
  for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
    const op = Math.floor(rand() * 8);
    const i = at();
    if (op === 0 && b.length > 0) b[Math.min(i, b.length - 1)] ^= 1 << Math.floor(rand() * 8);
    else if (op === 1) b = Buffer.concat([b.subarray(0, i), Buffer.from(pick(NASTY), "latin1"), b.subarray(i)]);
    else if (op === 2) b = Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + Math.floor(rand() * 40)))]);
    else if (op === 3) b = Buffer.concat([b.subarray(0, i), b.subarray(i, i + 60), b.subarray(i)]);
    else if (op === 4) b = b.subarray(0, i);
    else if (op === 5) b = Buffer.concat([b, Buffer.from(`wide{${Array.from({ length: 2000 }, (_, j) => `l${j}="${j}"`).join(",")}} 1\n`)]);
    else if (op === 6) b = Buffer.concat([b, Buffer.from(`long{v="${"x".repeat(200_000)}"} 1\n`)]);
    else b = Buffer.concat([b.subarray(0, i), Buffer.from(Array.from({ length: 16 }, () => Math.floor(rand() * 256))), b.subarray(i)]);
  }
  return b;
}

/** The child's peak resident set (VmHWM), in bytes. */
function peakRss(child: Server): number {
  const status = readFileSync(`/proc/${child.proc.pid}/status`, "utf8");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

const CONTROL_T = Math.floor(Date.now() / 1000) * 1000 - 60_000;
async function remoteWrite(base: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/api/v1/write`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}
function writeRequest(timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[]): Buffer {
  return snappy.compressSync(Buffer.from(WriteRequest.encode(WriteRequest.create({ timeseries })).finish()));
}

/** A request whose one label value is the invalid UTF-8 sequence C3 28 (protobufjs only writes valid strings). */
function invalidUtf8(): Buffer {
  const raw = Buffer.from(WriteRequest.encode(WriteRequest.create({ timeseries: [{ labels: [{ name: "__name__", value: "x" }, { name: "v", value: "\u0001\u0001" }], samples: [{ value: 1, timestamp: CONTROL_T }] }] })).finish());
  const at = raw.indexOf(Buffer.from([0x01, 0x01]));
  raw[at] = 0xc3;
  raw[at + 1] = 0x28;
  return snappy.compressSync(raw);
}

/** The control series, as the API renders it: checked after every kind of bad input. */
async function control(base: string): Promise<string> {
  const q = encodeURIComponent("bad_input_control[10m]");
  const res = await fetch(`${base}/api/v1/query?query=${q}&time=${CONTROL_T / 1000 + 60}`);
  return res.text();
}

/** GETs path, or POSTs its query string as a form when it is too long for a request line. */
async function get(base: string, path: string): Promise<{ status: number; body: { status: string; errorType?: string; error?: string } }> {
  const [p, qs] = path.split("?");
  const res =
    path.length < 8000
      ? await fetch(base + path)
      : await fetch(base + p, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: qs });
  return { status: res.status, body: (await res.json()) as { status: string; errorType?: string; error?: string } };
}

let controlBefore = "";
const rssReport: string[] = [];
async function expectUnharmed(what: string): Promise<void> {
  expect(promwasm!.proc.exitCode, what).toBeNull();
  expect((await fetch(`${promwasm!.base}/-/healthy`)).status, what).toBe(200);
  expect(await control(promwasm!.base), what).toBe(controlBefore);
  const rss = peakRss(promwasm!);
  rssReport.push(`${what}: peak RSS ${(rss / 2 ** 20).toFixed(0)} MiB`);
  expect(rss, what).toBeLessThan(RSS_LIMIT_BYTES);
}
afterAll(() => console.log(`bad input (seed ${SEED}, ${FUZZ_BODIES} scrape bodies, ${JOBS} jobs):\n  ${rssReport.join("\n  ")}`));

describe("bad input", () => {
  let served = 0;
  const rand = rng(SEED);

  beforeAll(async () => {
    target = createServer((req, res) => {
      const om = served % 2 === 1;
      // Every fifth body is served as written, so good scrapes are certain to happen too.
      const body = served % 5 === 0 ? Buffer.from(om ? VALID_OM : VALID_TEXT, "latin1") : fuzzBody(rand, om);
      served++;
      res.writeHead(200, { "Content-Type": om ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4" }).end(body);
    });
    const port = await listen(target);
    // Ten targets (one address, different labels) scraped every 100 ms spread the corpus out.
    const groups = Array.from({ length: 10 }, (_, i) => `      - targets: ["127.0.0.1:${port}"]\n        labels: { t: "${i}" }`).join("\n");
    writeFileSync(config, `global:\n  scrape_interval: 100ms\n  scrape_timeout: 100ms\nscrape_configs:\n  - job_name: fuzz\n    static_configs:\n${groups}\n`);
    promwasm = await startPromwasm(
      [`--config.file=${config}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`, "--web.enable-remote-write-receiver", "--web.enable-otlp-receiver", "--web.enable-lifecycle", "--query.max-samples=1000"],
      tmp.dir,
    );
    await waitReady(promwasm);
    const w = await remoteWrite(promwasm.base, writeRequest([{ labels: [{ name: "__name__", value: "bad_input_control" }], samples: [0, 1, 2, 3].map((i) => ({ value: i * 1.5, timestamp: CONTROL_T + i * 1000 })) }]));
    expect(w.status).toBe(204);
    controlBefore = await control(promwasm.base);
    expect(controlBefore).toContain('"values":[[');
  });

  it("scrapes fuzzed text and OpenMetrics bodies, marking bad ones down with an error", async () => {
    await waitForChild(promwasm!, () => served >= FUZZ_BODIES, 60_000 + FUZZ_BODIES * 20, `${FUZZ_BODIES} fuzzed scrapes`);
    const res = await fetch(`${promwasm!.base}/api/v1/targets?state=active`);
    const targets = ((await res.json()) as { data: { activeTargets: { health: string; lastError: string }[] } }).data.activeTargets;
    expect(targets).toHaveLength(10);
    for (const t of targets) {
      expect(["up", "down"]).toContain(t.health);
      if (t.health === "down") expect(t.lastError).not.toBe("");
    }
    // Good and bad bodies both reached the targets: up was 1 and 0 (over all targets, since
    // which target got which body is up to timing).
    const extreme = async (agg: string, fn: string) => {
      const res = await fetch(`${promwasm!.base}/api/v1/query?query=${encodeURIComponent(`${agg}(${fn}(up{job="fuzz"}[10m]))`)}`);
      return ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1];
    };
    expect([await extreme("min", "min_over_time"), await extreme("max", "max_over_time")]).toEqual(["0", "1"]);
    await expectUnharmed("fuzzed scrapes");
  });

  it("refuses broken remote-write payloads with a 4xx", async () => {
    const rand2 = rng(SEED + 1);
    const random = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand2() * 256)));
    const declaredHuge = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), random(64)]);
    const realBomb = snappy.compressSync(Buffer.alloc(128 << 20));
    const series = (labels: { name: string; value: string }[]) => writeRequest([{ labels, samples: [{ value: 1, timestamp: CONTROL_T }] }]);
    const cases: [string, Buffer, Record<string, string>?][] = [
      ["random bytes", random(4096)],
      ["snappy of random bytes", snappy.compressSync(random(4096))],
      ["snappy declaring 4 GiB", declaredHuge],
      ["snappy bomb (128 MiB of zeros)", realBomb],
      ["truncated request", writeRequest([{ labels: [{ name: "__name__", value: "x" }], samples: [{ value: 1, timestamp: CONTROL_T }] }]).subarray(0, 12)],
      ["invalid UTF-8 label value", invalidUtf8()],
      ["empty label name", series([{ name: "__name__", value: "x" }, { name: "", value: "v" }])],
      ["duplicate label names", series([{ name: "__name__", value: "x" }, { name: "a", value: "1" }, { name: "a", value: "2" }])],
      ["wrong content type", writeRequest([]), { "content-type": "application/json" }],
      ["wrong encoding", Buffer.from("{}"), { "content-encoding": "zstd" }],
    ];
    for (const [name, body, headers] of cases) {
      const r = await remoteWrite(promwasm!.base, body, headers);
      expect(r.status, `${name}: ${r.text}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${name}: ${r.text}`).toBeLessThan(500);
      expect(r.text.trim(), name).not.toBe("");
    }
    // A series with 100k labels is valid input: stored and queryable, within bounded memory.
    const labels = [{ name: "__name__", value: "wide_series" }, ...Array.from({ length: 100_000 }, (_, i) => ({ name: `l${String(i).padStart(6, "0")}`, value: "v" }))];
    const wide = await remoteWrite(promwasm!.base, series(labels));
    expect([204, 400]).toContain(wide.status);
    await expectUnharmed("remote-write payloads");
  });

  it("refuses broken OTLP payloads with a 4xx", async () => {
    const gzipBomb = await new Promise<Buffer>((resolve, reject) => {
      const gz = createGzip({ level: 9 });
      const parts: Buffer[] = [];
      gz.on("data", (d: Buffer) => parts.push(d));
      gz.on("end", () => resolve(Buffer.concat(parts)));
      gz.on("error", reject);
      const zeros = Buffer.alloc(1 << 20);
      for (let i = 0; i < 256; i++) gz.write(zeros);
      gz.end();
    });
    const cases: [string, Buffer, Record<string, string>][] = [
      ["random protobuf", Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) & 0xff)), { "content-type": "application/x-protobuf" }],
      ["gzip bomb (256 MiB of zeros)", gzipBomb, { "content-type": "application/x-protobuf", "content-encoding": "gzip" }],
      ["not gzip", Buffer.from("plain"), { "content-type": "application/x-protobuf", "content-encoding": "gzip" }],
      ["broken JSON", Buffer.from('{"resourceMetrics":[{"scopeMetrics":'), { "content-type": "application/json" }],
    ];
    for (const [name, body, headers] of cases) {
      const res = await fetch(`${promwasm!.base}/api/v1/otlp/v1/metrics`, { method: "POST", headers, body });
      const text = await res.text();
      expect(res.status, `${name}: ${text}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${name}: ${text}`).toBeLessThan(500);
    }
    await expectUnharmed("OTLP payloads");
  });

  it("answers hostile PromQL with 4xx errors and keeps serving", async () => {
    // 200 series of 30 samples: 6,000 samples in a 10m window, over the 1,000 allowed.
    const many = Array.from({ length: 200 }, (_, s) => ({ labels: [{ name: "__name__", value: "cj" }, { name: "s", value: String(s) }], samples: Array.from({ length: 30 }, (_, i) => ({ value: i, timestamp: CONTROL_T - (30 - i) * 10_000 })) }));
    expect((await remoteWrite(promwasm!.base, writeRequest(many))).status).toBe(204);
    const t = CONTROL_T / 1000;
    const q = (expr: string) => `/api/v1/query?time=${t}&query=${encodeURIComponent(expr)}`;
    const cases: [string, string, number][] = [
      ["100k nested parentheses", q("(".repeat(100_000) + "1" + ")".repeat(100_000)), 400],
      ["100k unary minus", q("-".repeat(100_000) + "1"), 400],
      ["10k nested calls", q("abs(".repeat(10_000) + "cj" + ")".repeat(10_000)), 400],
      ["unclosed 1M parentheses", q("(".repeat(1_000_000)), 400],
      ["huge range query resolution", `/api/v1/query_range?query=cj&start=0&end=1e10&step=1`, 400],
      ["range past the year 292277026596", q("cj[1e20y]"), 400],
      ["range selector beyond --query.max-samples", q("count_over_time(cj[10m])"), 422],
      ["subquery beyond --query.max-samples", q("max_over_time(cj[10m:1s])"), 422],
      ["many-to-many cross join", q("cj * on() cj"), 422],
      ["cross join beyond --query.max-samples", q("cj * on(s) group_left count_over_time(cj[10m])"), 422],
    ];
    for (const [name, path, status] of cases) {
      const r = await get(promwasm!.base, path);
      expect({ name, status: r.status, errorType: r.body.errorType }, r.body.error).toEqual({ name, status, errorType: status === 400 ? "bad_data" : "execution" });
      expect(r.body.error, name).toBeTruthy();
    }
    // Regexes that backtrack exponentially elsewhere, against a long value: linear with RE2 semantics.
    const long = "a".repeat(20_000) + "!";
    expect((await remoteWrite(promwasm!.base, writeRequest([{ labels: [{ name: "__name__", value: "regex_target" }, { name: "v", value: long }], samples: [{ value: 1, timestamp: CONTROL_T }] }]))).status).toBe(204);
    for (const re of ["(a+)+$", "(a|a)*b", "(.*a){20}", "((a*)*)*c", "(a|aa)+$"]) {
      const r = await get(promwasm!.base, q(`count(regex_target{v=~"${re}"}) or label_replace(regex_target, "w", "$1", "v", "${re}")`));
      expect(r.status, re).toBe(200);
    }
    await expectUnharmed("PromQL");
  });

  it("rejects hostile configs on reload and keeps the running one", { timeout: LONG ? 600_000 : 60_000 }, async () => {
    const reload = async () => {
      const res = await fetch(`${promwasm!.base}/-/reload`, { method: "POST" });
      return { status: res.status, text: await res.text() };
    };
    const good = readFileSync(config, "utf8");
    writeFileSync(config, readFileSync(join(import.meta.dirname, "..", "config", "testdata", "invalid", "anchors-bomb.yml")));
    const bomb = await reload();
    expect(bomb.status).toBe(500);
    expect(bomb.text).toMatch(/alias/i);
    // Many jobs are valid: loaded, then replaced by the original again.
    const jobs = Array.from({ length: JOBS }, (_, i) => `  - job_name: j${i}\n    static_configs: [{ targets: ["127.0.0.1:1"] }]`).join("\n");
    writeFileSync(config, `global:\n  scrape_interval: 1h\nscrape_configs:\n${jobs}\n`);
    const big = await reload();
    expect(big.status, big.text).toBe(200);
    writeFileSync(config, good);
    expect((await reload()).status).toBe(200);
    const metrics = await (await fetch(`${promwasm!.base}/metrics`)).text();
    expect(metrics).toMatch(/^prometheus_config_last_reload_successful 1$/m);
    await expectUnharmed("configs");
  });
});
