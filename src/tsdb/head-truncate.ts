// Head truncation: after a compaction has written everything before mint into a block,
// the head drops cut chunks ending before it, open chunks ending before it, out-of-order
// samples and tombstones before it, then the series left empty.
import type { Head } from "./head.js";

/** Drops everything before mint from the head; returns the number of series removed. */
export function truncateHead(head: Head, mint: number): number {
  const s = head.series;
  const ch = head.chunks;
  let removed = 0;
  const ids = head.registry.allIds().slice();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let c = s.firstChunk[id]!;
    while (c >= 0 && ch.maxt[c]! < mint) {
      const next = ch.next[c]!;
      ch.release(c);
      head.counters.chunksRemoved++;
      c = next;
    }
    s.firstChunk[id] = c;
    if (c < 0) s.lastChunk[id] = -1;
    if (head.open.count(id) > 0 && s.maxt[id]! < mint) head.open.drop(id);
    const o = head.ooo.get(id);
    if (o) {
      let k = 0;
      while (k < o.ts.length && o.ts[k]! < mint) k++;
      if (k > 0) {
        o.ts.splice(0, k);
        o.vs.splice(0, k);
      }
      if (o.ts.length === 0) head.ooo.delete(id);
    }
    const stones = head.tombstones.get(id);
    if (stones) {
      const kept = stones.filter((iv) => iv.maxt >= mint);
      if (kept.length) head.tombstones.set(id, kept);
      else head.tombstones.delete(id);
    }
    const empty = s.firstChunk[id]! < 0 && head.open.count(id) === 0 && !head.ooo.has(id);
    if (empty && s.pendingOwner[id] === 0) {
      head.removeSeries(id);
      removed++;
    } else {
      s.mint[id] = seriesMinTime(head, id);
    }
  }
  if (removed > 0) head.registry.compact();
  head.minTime = Infinity;
  for (const id of head.registry.allIds()) if (s.mint[id]! < head.minTime) head.minTime = s.mint[id]!;
  // Data before mint now lives in blocks; a chunk reaching back past it must not pull
  // the head's range (and so the next compaction) back over that block.
  if (head.minTime < mint) head.minTime = mint;
  if (head.numSeries === 0) head.maxTime = Math.max(head.maxTime, mint - 1);
  head.chunkFiles.truncate(mint);
  head.counters.truncations++;
  return removed;
}

/** The oldest sample a series still holds: its first cut chunk, open chunk or out-of-order sample. */
function seriesMinTime(head: Head, id: number): number {
  let m = Infinity;
  const c = head.series.firstChunk[id]!;
  if (c >= 0) m = head.chunks.mint[c]!;
  else if (head.open.count(id) > 0) m = head.open.mint(id);
  const o = head.ooo.get(id);
  if (o && o.ts.length && o.ts[0]! < m) m = o.ts[0]!;
  return m;
}
