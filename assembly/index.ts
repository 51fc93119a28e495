// The only export list of the WASM module: numbers in, numbers out.
export { arenaAlloc, arenaReset } from "./mem/arena";
export { xorEncode, xorEncodeMany } from "./xor/encode";
export { xorDecode, xorDecodeMany } from "./xor/decode";
export { postingsIntersect } from "./postings/intersect";
export { postingsUnion } from "./postings/union";
export { postingsDifference } from "./postings/difference";
export { textparseScan } from "./textparse/lexer";
export { ocInit, ocEnsure, ocStates, ocAlloc, ocFree, ocDrop, ocAppendMany, ocReleaseCuts } from "./head/open-chunks";
