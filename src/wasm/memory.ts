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

/** Typed views of the whole memory. */
export interface MemoryViews {
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
}

let views: MemoryViews | undefined;
let viewsOwner: WasmExports | undefined;

/**
 * Views of the instance's current memory. Reading memory.buffer is a call into the engine
 * that costs as much as decoding a few dozen samples, so the views are kept and re-derived
 * only for another instance or once growth has detached them (a detached view has length 0;
 * memory never shrinks to zero). Take them after any call that may grow memory.
 */
export function memoryViews(w: WasmExports): MemoryViews {
  if (views !== undefined && viewsOwner === w && views.u8.length !== 0) return views;
  const buffer = w.memory.buffer;
  views = { buffer, u8: new Uint8Array(buffer), u32: new Uint32Array(buffer, 0, buffer.byteLength >>> 2), f64: new Float64Array(buffer, 0, buffer.byteLength >>> 3) };
  viewsOwner = w;
  return views;
}

let scratchOwner: WasmExports | undefined;
let scratchPtr = 0;
let scratchBytes = 0;

/**
 * A region of at least `bytes` bytes at the start of the arena, for one bulk call: its
 * contents are undefined on entry and it is valid until the next arena or scratch use.
 * The region is kept between calls (memory never shrinks, so the range stays mapped), which
 * saves the arenaReset/arenaAlloc round trips on small calls; other kernels that reset the
 * arena may overwrite it, which is harmless because every user fills it before reading.
 */
export function scratch(w: WasmExports, bytes: number): number {
  if (w !== scratchOwner || bytes > scratchBytes) {
    w.arenaReset();
    const size = Math.max(bytes, 64 * 1024);
    scratchPtr = w.arenaAlloc(size);
    scratchBytes = size;
    scratchOwner = w;
  }
  return scratchPtr;
}
