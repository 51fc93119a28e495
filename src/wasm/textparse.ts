// Exposition-format lexing through assembly/textparse/lexer.ts: the body is copied into the
// arena once and scanned in bulk; entry records come back as copied Int32Array/Float64Array
// chunks (one per time the output buffers fill), so no view of WASM memory escapes.
import { WasmError } from "./errors.js";
import type { WasmExports } from "./exports.js";
import { wasmExports } from "./instance.js";
import { copyBytesIn } from "./memory.js";

/** The textparse export, typed here beside its only caller (see exports.ts for the rest). */
interface TextparseExports {
  textparseScan(bodyPtr: number, bodyLen: number, from: number, format: number, wordsPtr: number, wordsCap: number, numsPtr: number, numsCap: number): number;
}

/** Words before the first record of each chunk (status, resume, counts, error). */
export const RECORD_HEADER_WORDS = 8;

/** Fixed words of a sample record before its labels (layout in assembly/textparse/lexer.ts). */
export const SAMPLE_HEADER_WORDS = 13;

export const RecordKind = { sample: 1, help: 2, type: 3, unit: 4, eof: 5 } as const;

export const RecordFlag = {
  hasTs: 1,
  valueSlow: 2,
  tsSlow: 4,
  escapes: 8,
  nameQuoted: 16,
  exemplar: 32,
  exemplarTs: 64,
  exemplarValueSlow: 128,
  exemplarTsSlow: 256,
} as const;

/** One batch of records: words[RECORD_HEADER_WORDS, wordCount) and nums[0, numCount). */
export interface RecordChunk {
  readonly words: Int32Array;
  readonly wordCount: number;
  readonly nums: Float64Array;
}

/** A body the lexer rejects: byte offset of the problem and what was expected there. */
export class LexError extends WasmError {
  override name = "LexError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MESSAGES: Record<number, string> = {
  1: "expected a valid start token",
  2: "expected metric name after metadata keyword",
  3: "expected text after metric name in metadata",
  4: "expected label name",
  5: "expected equal",
  6: "expected label value",
  7: "invalid UTF-8 label value",
  8: "expected comma or brace close",
  9: "expected value after metric",
  10: "expected timestamp or new record",
  11: "expected next entry after timestamp",
  12: "data does not end with # EOF",
  13: "unexpected data after # EOF",
  14: "metric name already set",
  15: "metric name not set",
  16: "expected value after exemplar labels",
  17: "expected next entry after exemplar timestamp",
  18: "invalid timestamp",
  19: "help text is not a valid utf8 string",
};

const WORDS_CAP = 1 << 18;
const NUMS_CAP = 1 << 16;

/**
 * Scans a whole body (format: "text" 0.0.4 or "openmetrics") and returns its records.
 * Throws LexError for a malformed body; nothing is returned for it then.
 */
export function scanExposition(body: Uint8Array, format: "text" | "openmetrics"): RecordChunk[] {
  const w = wasmExports() as WasmExports & TextparseExports;
  const chunks: RecordChunk[] = [];
  let wordsCap = WORDS_CAP;
  let numsCap = NUMS_CAP;
  let from = 0;
  w.arenaReset();
  const bodyPtr = copyBytesIn(w, body);
  let wordsPtr = w.arenaAlloc(wordsCap * 4);
  let numsPtr = w.arenaAlloc(numsCap * 8);
  for (;;) {
    const status = w.textparseScan(bodyPtr, body.length, from, format === "openmetrics" ? 1 : 0, wordsPtr, wordsCap, numsPtr, numsCap);
    const header = new Int32Array(w.memory.buffer, wordsPtr, RECORD_HEADER_WORDS);
    const resume = header[1]!;
    const wordCount = header[2]!;
    const numCount = header[3]!;
    if (status === 2) {
      const code = header[4]!;
      throw new LexError(MESSAGES[code] ?? `lexer error ${code}`, header[5]!);
    }
    if (wordCount > RECORD_HEADER_WORDS) {
      chunks.push({
        words: new Int32Array(w.memory.buffer, wordsPtr, wordCount).slice(),
        wordCount,
        nums: new Float64Array(w.memory.buffer, numsPtr, numCount).slice(),
      });
    }
    if (status === 0) return chunks;
    if (resume === from) {
      // A single line needs more room than the buffers have: grow them and rescan it.
      wordsCap *= 2;
      numsCap *= 2;
      wordsPtr = w.arenaAlloc(wordsCap * 4);
      numsPtr = w.arenaAlloc(numsCap * 8);
    }
    from = resume;
  }
}
