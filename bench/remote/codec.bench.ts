// Remote write codec: decoding and encoding a ~1 MB WriteRequest with promwasm's hand-written
// codec vs protobufjs (generic reflection-based protobuf) as the baseline, same process,
// same seeded data. Prints ns/sample and the ratio (baseline time / promwasm time; >= 1.0
// means promwasm is at least as fast).
// Run: npx tsc -p tsconfig.json && npm run bench:remote
import Benchmark from "benchmark";
import { decodeWriteRequest, encodeLabelsField, writeTimeSeries } from "../../src/remote/codec.js";
import { ProtoWriter } from "../../src/remote/proto-wire.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { rng } from "../helpers/random.js";
import { prompbType } from "../baseline/prompb.js";

const WriteRequest = prompbType("WriteRequest");

const r = rng(7);
const SERIES = 1000;
const PER = 30;
const t0 = 1_700_000_000_000;
const labels = Array.from({ length: SERIES }, (_, i) =>
  labelsFromRecord({ __name__: `http_requests_total_${i % 50}`, instance: `10.0.${i % 255}.${i % 7}:9100`, job: "node", method: ["GET", "POST"][i % 2], code: String(200 + (i % 5)) }),
);
const ts = Float64Array.from({ length: SERIES * PER }, (_, k) => t0 + (k % PER) * 15_000 + Math.floor(r() * 10));
const vs = Float64Array.from({ length: SERIES * PER }, () => Math.floor(r() * 1e6) / 8);
const obj = {
  timeseries: labels.map((l, i) => ({
    labels: l.map((x) => ({ name: x.name, value: x.value })),
    samples: Array.from({ length: PER }, (_, j) => ({ value: vs[i * PER + j], timestamp: ts[i * PER + j] })),
  })),
};
const msg = WriteRequest.fromObject(obj);
const bytes = WriteRequest.encode(msg).finish();
const SAMPLES = SERIES * PER;
const labelBytes = labels.map((l) => encodeLabelsField(l));
const writer = new ProtoWriter(bytes.length);

function measure(name: string, fn: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    new Benchmark.Suite()
      .add(name, fn, { minSamples: 20, maxTime: 2 })
      .on("cycle", (e: Benchmark.Event) => {
        const b = e.target as unknown as Benchmark & { error?: Error };
        if (b.error) reject(b.error);
        resolve(b.stats.mean);
      })
      .run();
  });
}

async function row(name: string, ours: () => void, theirs: () => void): Promise<void> {
  const a = await measure(`${name} promwasm`, ours);
  const b = await measure(`${name} protobufjs`, theirs);
  const ns = (s: number) => ((s * 1e9) / SAMPLES).toFixed(1).padStart(7);
  console.log(`${name.padEnd(28)} promwasm ${ns(a)} ns/sample   protobufjs ${ns(b)} ns/sample   ratio ${(b / a).toFixed(2)}`);
}

console.log(`WriteRequest: ${SERIES} series x ${PER} samples, ${(bytes.length / 1e6).toFixed(2)} MB`);
await row("decode WriteRequest", () => void decodeWriteRequest(bytes), () => void WriteRequest.decode(bytes));
await row("encode WriteRequest", () => {
  writer.reset();
  for (let i = 0; i < SERIES; i++) writeTimeSeries(writer, 1, labelBytes[i], ts, vs, i * PER, (i + 1) * PER);
}, () => void WriteRequest.encode(msg).finish());
