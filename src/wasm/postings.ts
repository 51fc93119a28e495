// Set operations on sorted u32 postings lists (series refs), one WASM call per operation.
import { wasmExports } from "./instance.js";
import type { WasmExports } from "./exports.js";
import { copyU32Out } from "./memory.js";

// Copies every list into the arena and writes their (ptr, len) table; returns the table pointer.
function copyLists(w: WasmExports, lists: readonly Uint32Array[]): number {
  let total = 0;
  for (const l of lists) total += l.length;
  const table = w.arenaAlloc(lists.length * 8);
  const data = w.arenaAlloc(total * 4);
  const mem = w.memory.buffer;
  const tableView = new Uint32Array(mem, table, lists.length * 2);
  const dataView = new Uint32Array(mem, data, total);
  let off = 0;
  for (let i = 0; i < lists.length; i++) {
    const l = lists[i]!;
    dataView.set(l, off);
    tableView[2 * i] = data + off * 4;
    tableView[2 * i + 1] = l.length;
    off += l.length;
  }
  return table;
}

/** Refs present in every list. Lists must be sorted ascending. */
export function intersectPostings(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  if (lists.length === 1) return lists[0]!.slice();
  let min = Infinity;
  for (const l of lists) min = Math.min(min, l.length);
  const w = wasmExports();
  w.arenaReset();
  const table = copyLists(w, lists);
  const out = w.arenaAlloc(min * 4);
  const n = w.postingsIntersect(table, lists.length, out);
  return copyU32Out(w, out, n);
}

/** Refs present in any list, sorted, without duplicates. Lists must be sorted ascending. */
export function unionPostings(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  let total = 0;
  for (const l of lists) total += l.length;
  const w = wasmExports();
  w.arenaReset();
  const table = copyLists(w, lists);
  const out = w.arenaAlloc(total * 4);
  const scratch = w.arenaAlloc(lists.length * 12);
  const n = w.postingsUnion(table, lists.length, out, scratch);
  return copyU32Out(w, out, n);
}

/** Refs in a that are not in b. Both must be sorted ascending. */
export function differencePostings(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length === 0 || b.length === 0) return a.slice();
  const w = wasmExports();
  w.arenaReset();
  const table = copyLists(w, [a, b]);
  const t = new Uint32Array(w.memory.buffer, table, 4);
  const aPtr = t[0]!;
  const bPtr = t[2]!;
  const out = w.arenaAlloc(a.length * 4);
  const n = w.postingsDifference(aPtr, a.length, bPtr, b.length, out);
  return copyU32Out(w, out, n);
}
