// The environment-neutral codec API (what build/browser/codec.js re-exports).
export type { DecodedChunk } from "./xor.js";
export { XOR_MAX_SAMPLES, XorIterator, decodeXor, decodeXorInto, decodeXorMany, decodeXorRange, encodeXor, encodeXorMany, xorSampleCount } from "./xor.js";
export { differencePostings, intersectPostings, unionPostings } from "./postings.js";
export { CorruptChunkError, InvalidInputError, WasmAbortError, WasmError, WasmNotLoadedError } from "./errors.js";
export { isWasmLoaded } from "./instance.js";
