// Raw chunk access for tools that decode chunks themselves (the web UI's chunk view):
// the XOR bytes of every chunk that overlaps a range, from blocks and from the head.
// The head's open chunk and out-of-order samples have no bytes yet, so they are
// encoded here, exactly as a cut would encode them. Tombstones are not applied: the
// bytes are what is stored, and each chunk lists the ranges tombstones delete from it.
import { labelsKey, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import type { ChunkSeries, RawChunk } from "../storage/interface.js";
import { encodeXor } from "../wasm/index.js";
import type { Block } from "./block.js";
import { postingsForMatchers } from "./block-querier.js";
import { Encoding } from "./chunkenc/chunk.js";
import { SAMPLES_PER_CHUNK } from "./chunkenc/xor.js";
import { compareLabelSets } from "./encoding/strings.js";
import type { Head } from "./head.js";
import { headPostingsForMatchers } from "./head-read.js";
import type { Interval } from "./tombstones/tombstones.js";

interface Collected {
  readonly labels: Labels;
  readonly chunks: RawChunk[];
}

/** XOR chunks of one block overlapping [mint, maxt], per matching series. */
export async function blockSeriesChunks(block: Block, matchers: readonly Matcher[], mint: number, maxt: number): Promise<ChunkSeries[]> {
  const source = `block ${block.ulid}`;
  const picked: { labels: Labels; metas: { mint: number; maxt: number }[]; deleted: readonly Interval[] }[] = [];
  const refs: number[] = [];
  for (const id of postingsForMatchers(block.index, matchers)) {
    const s = block.index.series(id);
    const metas = s.chunks.filter((c) => c.maxt >= mint && c.mint <= maxt);
    if (metas.length === 0) continue;
    picked.push({ labels: s.labels, metas, deleted: block.tombstones.get(id) });
    for (const m of metas) refs.push(m.ref);
  }
  const chunks = await block.chunks.chunks(refs);
  const out: ChunkSeries[] = [];
  let k = 0;
  for (const p of picked) {
    const list: RawChunk[] = [];
    for (const m of p.metas) {
      const c = chunks[k++];
      // Histogram chunks have no place in a float view.
      if (c.encoding === Encoding.XOR) list.push(withDeleted({ mint: m.mint, maxt: m.maxt, source, data: c.bytes }, p.deleted));
    }
    if (list.length > 0) out.push({ labels: p.labels, chunks: list });
  }
  return out;
}

/** The head's cut chunks (from chunks_head), its open chunk and out-of-order samples, encoded on the fly. */
export function headSeriesChunks(head: Head, matchers: readonly Matcher[], mint: number, maxt: number): ChunkSeries[] {
  const s = head.series;
  const ch = head.chunks;
  const ids = headPostingsForMatchers(head, matchers).filter((id) => head.registry.isAlive(id));
  // The cut chunks of all series first, so that chunks_head/ is read in a few large reads.
  const cut: number[] = [];
  for (const id of ids) for (let c = s.firstChunk[id]; c >= 0; c = ch.next[c]) if (ch.maxt[c] >= mint && ch.mint[c] <= maxt) cut.push(c);
  const bytes = head.chunkFiles.readMany(cut.map((c) => ch.fileRef[c]));
  let k = 0;
  const out: ChunkSeries[] = [];
  for (const id of ids) {
    const deleted = head.tombstones.get(id) ?? [];
    const list: RawChunk[] = [];
    for (let c = s.firstChunk[id]; c >= 0; c = ch.next[c]) {
      if (ch.maxt[c] < mint || ch.mint[c] > maxt) continue;
      list.push({ mint: ch.mint[c], maxt: ch.maxt[c], source: "head", data: bytes[k++] });
    }
    const open = head.open.bytes(id);
    if (open && s.maxt[id] >= mint && head.open.mint(id) <= maxt) list.push({ mint: head.open.mint(id), maxt: s.maxt[id], source: "head", data: open });
    const o = head.ooo.get(id);
    if (o) {
      const ts = Float64Array.from(o.ts);
      const vs = Float64Array.from(o.vs);
      for (let a = 0; a < ts.length; a += SAMPLES_PER_CHUNK) {
        const b = Math.min(ts.length, a + SAMPLES_PER_CHUNK);
        if (ts[b - 1] < mint || ts[a] > maxt) continue;
        list.push({ mint: ts[a], maxt: ts[b - 1], source: "head-ooo", data: encodeXor(ts, vs, a, b) });
      }
    }
    if (list.length > 0) out.push({ labels: head.labelsOf(id), chunks: deleted.length > 0 ? list.map((c) => withDeleted(c, deleted)) : list });
  }
  return out;
}

/** The chunk with the deleted intervals that overlap it, if any. */
function withDeleted(c: RawChunk, deleted: readonly Interval[]): RawChunk {
  const hit = deleted.filter((iv) => iv.mint <= c.maxt && iv.maxt >= c.mint);
  return hit.length > 0 ? { ...c, deleted: hit } : c;
}

/** Joins per-source results by label set; chunks ordered by mint, series by labels. */
export function mergeChunkSeries(parts: readonly (readonly ChunkSeries[])[]): ChunkSeries[] {
  const byKey = new Map<string, Collected>();
  for (const list of parts) {
    for (const s of list) {
      const key = labelsKey(s.labels);
      const got = byKey.get(key);
      if (got) got.chunks.push(...s.chunks);
      else byKey.set(key, { labels: s.labels, chunks: [...s.chunks] });
    }
  }
  const out = [...byKey.values()];
  for (const s of out) s.chunks.sort((a, b) => a.mint - b.mint);
  return out.sort((a, b) => compareLabelSets(a.labels, b.labels));
}
