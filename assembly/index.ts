// The only export list of the WASM module: numbers in, numbers out.
export { arenaAlloc, arenaReset } from "./mem/arena";
