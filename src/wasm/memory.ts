// Copy helpers over the current instance. Views of memory.buffer are derived fresh on
// every call because any allocation may grow memory and detach older views. Results are
// copies (slice), so NaN payloads survive and nothing keeps a view of WASM memory.
import type { WasmExports } from "./exports.js";

/** Allocates and copies `src` into the arena, followed by `padBytes` zero bytes. Returns the pointer. */
export function copyBytesIn(w: WasmExports, src: Uint8Array, padBytes = 0): number {
  const ptr = w.arenaAlloc(src.length + padBytes);
  const view = new Uint8Array(w.memory.buffer, ptr, src.length + padBytes);
  view.set(src);
  if (padBytes > 0) view.fill(0, src.length);
  return ptr;
}

export function copyU32Out(w: WasmExports, ptr: number, n: number): Uint32Array {
  return new Uint32Array(w.memory.buffer, ptr, n).slice();
}

export function copyBytesOut(w: WasmExports, ptr: number, n: number): Uint8Array {
  return new Uint8Array(w.memory.buffer, ptr, n).slice();
}
