// Arena helpers over the current instance. Views of memory.buffer are derived fresh on
// every call because any allocation may grow memory and detach older views.
import type { WasmExports } from "./exports.js";

/** Allocates and copies `src` into the arena, followed by `padBytes` zero bytes. Returns the pointer. */
export function copyBytesIn(w: WasmExports, src: Uint8Array, padBytes = 0): number {
  const ptr = w.arenaAlloc(src.length + padBytes);
  const view = new Uint8Array(w.memory.buffer, ptr, src.length + padBytes);
  view.set(src);
  if (padBytes > 0) view.fill(0, src.length);
  return ptr;
}

/** Same-type TypedArray.set copies bytes, so NaN payloads survive. */
export function copyF64In(w: WasmExports, src: Float64Array, start: number, end: number): number {
  const n = end - start;
  const ptr = w.arenaAlloc(n * 8);
  new Float64Array(w.memory.buffer, ptr, n).set(src.subarray(start, end));
  return ptr;
}

export function copyU32In(w: WasmExports, src: Uint32Array): number {
  const ptr = w.arenaAlloc(src.length * 4);
  new Uint32Array(w.memory.buffer, ptr, src.length).set(src);
  return ptr;
}

export function copyF64Out(w: WasmExports, ptr: number, n: number): Float64Array {
  return new Float64Array(w.memory.buffer, ptr, n).slice();
}

export function copyU32Out(w: WasmExports, ptr: number, n: number): Uint32Array {
  return new Uint32Array(w.memory.buffer, ptr, n).slice();
}

export function copyBytesOut(w: WasmExports, ptr: number, n: number): Uint8Array {
  return new Uint8Array(w.memory.buffer, ptr, n).slice();
}

/** Writes (ptr u32, len u32) pairs for a table argument; returns the table pointer. */
export function writeTable(w: WasmExports, entries: Uint32Array): number {
  return copyU32In(w, entries);
}
