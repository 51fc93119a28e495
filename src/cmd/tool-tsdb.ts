// `promwasm-tool tsdb ...`: list, analyze, dump and create-blocks-from openmetrics,
// with promtool's arguments and output.
import type { Block } from "../tsdb/block.js";
import { analyzeBlock } from "../tsdb/block-analyze.js";
import { openBlocks } from "../tsdb/block-dir.js";
import { dumpQueriers } from "../tsdb/block-dump.js";
import { openReadOnlyDB } from "../tsdb/db-read-only.js";
import type { BlockMeta } from "../tsdb/block-meta.js";
import { backfillOpenMetrics } from "../tsdb/backfill/backfill.js";
import { formatBase2Bytes, formatGoDurationMs, formatGoUtcSeconds, tabwrite } from "../tsdb/encoding/go-format.js";

export interface TsdbCommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIO: TsdbCommandIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

const USAGE = `usage: promwasm-tool tsdb <command> [flags] [args]
  list [-r|--human-readable] [DB_PATH]
  analyze [--limit=20] [DB_PATH] [BLOCK_ID]
  dump [--min-time=ms] [--max-time=ms] [DB_PATH]
  create-blocks-from openmetrics [-r] [-q] INPUT_FILE [OUTPUT_DIR]
`;

class UsageError extends Error {}

interface Parsed {
  flags: Map<string, string>;
  args: string[];
}

/** Splits flags (--name=value, --name value for valued flags, bools, -x short bools) from positional args. */
function parseArgs(argv: string[], valued: ReadonlySet<string>, bools: Readonly<Record<string, string>>): Parsed {
  const flags = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (valued.has(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`flag --${name} needs a value`);
        flags.set(name, v);
      } else if (Object.values(bools).includes(name) && eq < 0) flags.set(name, "true");
      else throw new UsageError(`unknown flag --${name}`);
    } else if (a.startsWith("-") && a.length > 1) {
      for (const c of a.slice(1)) {
        const name = bools[c];
        if (!name) throw new UsageError(`unknown short flag -${c}`);
        flags.set(name, "true");
      }
    } else args.push(a);
  }
  return { flags, args };
}

function intFlag(flags: Map<string, string>, name: string, dflt: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return dflt;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`flag --${name}: ${JSON.stringify(raw)} is not an integer`);
  return Number(raw);
}

function blockRow(meta: BlockMeta, size: number, human: boolean): string[] {
  const t = (ms: number): string => (human ? formatGoUtcSeconds(ms) : String(ms));
  return [
    meta.ulid,
    t(meta.minTime),
    t(meta.maxTime),
    formatGoDurationMs(meta.maxTime - meta.minTime),
    String(meta.stats.numSamples),
    String(meta.stats.numChunks),
    String(meta.stats.numSeries),
    human ? formatBase2Bytes(size) : String(size),
  ];
}

const HEADER = ["BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE"];
const TAB = { minWidth: 13, padding: 2 };

async function withBlocks<T>(dir: string, fn: (blocks: Block[]) => Promise<T>): Promise<T> {
  const blocks = await openBlocks(dir);
  try {
    return await fn(blocks);
  } finally {
    await Promise.all(blocks.map((b) => b.close()));
  }
}

async function list(argv: string[], io: TsdbCommandIO): Promise<number> {
  const { flags, args } = parseArgs(argv, new Set(), { r: "human-readable" });
  const dir = args[0] ?? "data/";
  const human = flags.has("human-readable");
  const rows = await withBlocks(dir, async (blocks) => blocks.map((b) => blockRow(b.meta, b.size(), human)));
  io.stdout(tabwrite([HEADER, ...rows], TAB));
  return 0;
}

async function analyze(argv: string[], io: TsdbCommandIO): Promise<number> {
  const { flags, args } = parseArgs(argv, new Set(["limit"]), {});
  const dir = args[0] ?? "data/";
  const limit = intFlag(flags, "limit", 20);
  return withBlocks(dir, async (blocks) => {
    if (blocks.length === 0) throw new Error(`no blocks found in ${dir}`);
    const id = args[1];
    const block = id === undefined ? blocks[blocks.length - 1] : blocks.find((b) => b.ulid === id);
    if (!block) throw new Error(`block ${id} not found in ${dir}`);
    io.stdout(analyzeBlock(block, limit));
    return 0;
  });
}

async function dump(argv: string[], io: TsdbCommandIO): Promise<number> {
  const { flags, args } = parseArgs(argv, new Set(["min-time", "max-time"]), {});
  const dir = args[0] ?? "data/";
  const mint = intFlag(flags, "min-time", Number.MIN_SAFE_INTEGER);
  const maxt = intFlag(flags, "max-time", Number.MAX_SAFE_INTEGER);
  // Like promtool: blocks plus the head replayed from the WAL, without writing to the dir.
  const db = await openReadOnlyDB(dir);
  const queriers = db.queriers(mint, maxt);
  try {
    await dumpQueriers(queriers, io.stdout);
  } finally {
    for (const q of queriers) q.close();
    await db.close();
  }
  return 0;
}

async function createBlocksFrom(argv: string[], io: TsdbCommandIO): Promise<number> {
  const [format, ...rest] = argv;
  if (format !== "openmetrics") throw new UsageError(`create-blocks-from: unsupported format ${JSON.stringify(format ?? "")} (only openmetrics)`);
  const { flags, args } = parseArgs(rest, new Set(), { r: "human-readable", q: "quiet" });
  const input = args[0];
  if (!input) throw new UsageError("create-blocks-from openmetrics: missing input file");
  const outDir = args[1] ?? "data/";
  const human = flags.has("human-readable");
  const quiet = flags.has("quiet");
  let first = true;
  const started = Date.now();
  const res = await backfillOpenMetrics({
    inputPath: input,
    outputDir: outDir,
    onProgress: (n) => io.stderr(`read ${n} samples (${Math.round((Date.now() - started) / 1000)}s)\n`),
    onBlock: (meta, size) => {
      if (quiet) return;
      // Like promtool, each block is aligned on its own (one tabwriter per block).
      io.stdout(tabwrite(first ? [HEADER, blockRow(meta, size, human)] : [blockRow(meta, size, human)], TAB));
      first = false;
    },
  });
  if (res.samplesDropped > 0) io.stderr(`dropped ${res.samplesDropped} out-of-order or duplicate samples\n`);
  return 0;
}

export async function runTsdbCommand(argv: string[], io: TsdbCommandIO = defaultIO): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "list":
        return await list(rest, io);
      case "analyze":
        return await analyze(rest, io);
      case "dump":
        return await dump(rest, io);
      case "create-blocks-from":
        return await createBlocksFrom(rest, io);
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return 0;
      default:
        throw new UsageError(cmd === undefined ? "missing command" : `unknown command ${JSON.stringify(cmd)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`promwasm-tool tsdb: ${err.message}\n${USAGE}`);
      return 2;
    }
    io.stderr(`promwasm-tool tsdb ${cmd}: ${errorChain(err)}\n`);
    return 1;
  }
}

/** "a: b: c" from an error and its causes. */
function errorChain(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  while (e !== undefined) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}
