// The head's open chunks: one XOR chunk per series, appended to in place, with the
// appender state beside it, all in this instance's linear memory. The host runs a
// separate instance of the module for this store (its memory is never reset, unlike the
// scratch arena of the codec instance) and appends a whole commit with one call; a
// chunk that is full comes back as a cut record whose bytes are already the chunk
// Prometheus would write.
//
// The bytes follow Prometheus' xorAppender exactly (tsdb/docs/format/chunks.md): u16be
// sample count, varint t0 and the raw first value, then uvarint t1-t0 and the value XOR,
// then per sample a delta-of-delta bucket and the value XOR. Prometheus' bit stream ends
// with a spare zero byte when its last write was whole bytes at a byte boundary; the
// `wholeBytes` flag tracks that, so the reported length matches its chunks byte for byte.

import { canonical, putUvarint } from "../xor/encode";

// Per-series state, STATE_SIZE bytes, in pages of PAGE_STATES series that never move: a
// u32 table at `pages` holds each page's address (the host reads both too:
// src/wasm/open-chunks.ts mirrors these offsets).
const S_PTR = 0; // u32 chunk buffer, 0 when the series has no open chunk
const S_CAP = 4; // u32 buffer bytes
const S_BITS = 8; // u32 bits written, header included
const S_COUNT = 12; // u32 samples in the chunk
const S_MINT = 16; // f64 first sample's time
const S_T = 24; // i64 last time
const S_DELTA = 32; // i64 last time delta
const S_V = 40; // u64 last value bits
const S_END = 48; // f64 the chunk is cut before a sample at or after this time
const S_LEADING = 56; // u8 value window (0xff: none yet)
const S_TRAILING = 57; // u8
const S_WHOLE = 58; // u8 the last write was whole bytes
const S_CLASS = 59; // u8 size class the last chunk of this series ended in
const STATE_SIZE: u32 = 64;
const PAGE_SHIFT: u32 = 10;
const PAGE_STATES: u32 = 1 << PAGE_SHIFT;
const MAX_SERIES: u32 = 1 << 25;

// A cut record, CUT_SIZE bytes: the chunk's buffer now belongs to the record until the
// host hands it back with ocReleaseCuts.
const C_ID = 0; // u32
const C_PTR = 4; // u32
const C_LEN = 8; // u32 chunk bytes
const C_CLASS = 12; // u32 size class of the buffer
const C_MINT = 16; // f64
const C_MAXT = 24; // f64
const CUT_SIZE: u32 = 32;

const MIN_CLASS: i32 = 12; // 64-byte buffers
const MAX_CLASS: i32 = 60;
// Bytes a sample may need: 4+64 bits of delta-of-delta, 2+5+6+64 of value, plus the
// 8 bytes an unaligned 64-bit store may touch past the last bit.
const SAMPLE_ROOM: u32 = 28;
const FIRST_BYTES: u64 = 2 + 8 + 8;

let pages: usize = 0;
let capacity: u32 = 0;
let samplesPerChunk: u32 = 120;
let chunkRange: f64 = 7200000;
// Heads of the free lists per size class (u32 each, allocated by ocInit); a free block's
// first 4 bytes link the next. Classes step by 2^(1/2): 64, 96, 128, 192, 256, ... so a
// chunk wastes a fifth of its buffer on average rather than a third.
let freeHeads: usize = 0;
// This instance's own bump allocator: the runtime's doubles memory when it grows, which
// would leave up to half of a large head's open-chunk memory unused.
let bump: usize = 0;

@inline function classSize(c: i32): usize {
  const base = <usize>1 << (c >> 1);
  return (c & 1) == 0 ? base : base + (base >> 1);
}

function classFor(bytes: u32): i32 {
  // The smallest power of two >= bytes, then one step down when 3/4 of it is enough.
  const p = 32 - clz<u32>(bytes - 1);
  let c = p << 1;
  if (p > 0 && <usize>bytes <= ((<usize>3) << (p - 2))) c--;
  return c < MIN_CLASS ? MIN_CLASS : c;
}

function bumpAlloc(size: usize): usize {
  const ptr = (bump + 15) & ~(<usize>15);
  const end = ptr + size;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    // Grow by what is needed plus an eighth, at least 1 MiB: steady, not doubling.
    const needPages = <i32>((end - have + 0xffff) >> 16);
    const extra = <i32>(have >> 19);
    if (memory.grow(max(needPages + extra, max(needPages, 16))) < 0) unreachable();
  }
  bump = end;
  return ptr;
}

function allocClass(c: i32): usize {
  const slot = freeHeads + (<usize>c << 2);
  const head = <usize>load<u32>(slot);
  if (head != 0) {
    store<u32>(slot, load<u32>(head));
    return head;
  }
  return bumpAlloc(classSize(c));
}

function freeClass(ptr: usize, c: i32): void {
  const slot = freeHeads + (<usize>c << 2);
  store<u32>(ptr, load<u32>(slot));
  store<u32>(slot, <u32>ptr);
}


/** Sets the cut rules; call once, before anything else. */
export function ocInit(perChunk: i32, rangeMs: f64): void {
  samplesPerChunk = <u32>perChunk;
  chunkRange = rangeMs;
  bump = __heap_base;
  freeHeads = bumpAlloc((MAX_CLASS + 1) << 2);
  memory.fill(freeHeads, 0, (MAX_CLASS + 1) << 2);
  pages = bumpAlloc(<usize>(MAX_SERIES >> PAGE_SHIFT) << 2);
}

/** Makes room for series ids below n; returns 0, or -1 when n is beyond 2^25. */
export function ocEnsure(n: u32): i32 {
  if (n > MAX_SERIES) return -1;
  while (capacity < n) {
    const page = bumpAlloc(<usize>PAGE_STATES * STATE_SIZE);
    memory.fill(page, 0, <usize>PAGE_STATES * STATE_SIZE);
    store<u32>(pages + (<usize>(capacity >> PAGE_SHIFT) << 2), <u32>page);
    capacity += PAGE_STATES;
  }
  return 0;
}

/** The page table's address: u32 addresses of the state pages, PAGE_STATES series each. */
export function ocStates(): usize {
  return pages;
}

@inline function stateOf(id: u32): usize {
  return <usize>load<u32>(pages + (<usize>(id >> PAGE_SHIFT) << 2)) + <usize>(id & (PAGE_STATES - 1)) * STATE_SIZE;
}

/** A buffer for the host's inputs or outputs, of at least `bytes`; keep it until ocFree. */
export function ocAlloc(bytes: u32): usize {
  return allocClass(classFor(bytes));
}

export function ocFree(ptr: usize, bytes: u32): void {
  freeClass(ptr, classFor(bytes));
}

/** Drops a series' open chunk (truncation, removal). */
export function ocDrop(id: u32): void {
  const s = stateOf(id);
  const ptr = load<u32>(s, S_PTR);
  if (ptr != 0) freeClass(ptr, classFor(load<u32>(s, S_CAP)));
  store<u32>(s, 0, S_PTR);
  store<u32>(s, 0, S_CAP);
  store<u32>(s, 0, S_COUNT);
  store<u32>(s, 0, S_BITS);
}

/** Chunk bytes as Prometheus' bit stream reports them. */
@inline function chunkLen(s: usize): u32 {
  const bits = load<u32>(s, S_BITS);
  if ((bits & 7) != 0) return (bits >> 3) + 1;
  return (bits >> 3) + <u32>load<u8>(s, S_WHOLE);
}

/** Writes the low n (<= 57) bits of x at bit position pos of buf; returns the new position. */
@inline function put(buf: usize, pos: u32, x: u64, n: u32): u32 {
  const at = buf + <usize>(pos >> 3);
  const off = <u64>(pos & 7);
  // The bits already written in the current byte stay; everything after them is rewritten.
  let w: u64 = off == 0 ? 0 : (<u64>load<u8>(at) >> (8 - off)) << (64 - off);
  w |= (x & ((<u64>1 << n) - 1)) << (64 - off - <u64>n);
  store<u64>(at, bswap<u64>(w));
  return pos + n;
}

@inline function put64(buf: usize, pos: u32, x: u64): u32 {
  return put(buf, put(buf, pos, x >> 32, 32), x, 32);
}

/** Writes n (1..64) bits; returns the new position. */
@inline function putBits(buf: usize, pos: u32, x: u64, n: u32): u32 {
  return n <= 32 ? put(buf, pos, x, n) : put(buf, put(buf, pos, x >> 32, n - 32), x, 32);
}

@inline function wholeBytes(n: u32): u8 {
  return n >= 8 && (n & 7) == 0 ? 1 : 0;
}

/** Appends the value XOR (Prometheus' xorWrite); returns the new position. */
function putValue(s: usize, buf: usize, pos: u32, v: u64): u32 {
  const delta = v ^ load<u64>(s, S_V);
  store<u64>(s, v, S_V);
  if (delta == 0) {
    store<u8>(s, 0, S_WHOLE);
    return put(buf, pos, 0, 1);
  }
  let leading = <u32>clz<u64>(delta);
  const trailing = <u32>ctz<u64>(delta);
  if (leading >= 32) leading = 31;
  const curLeading = <u32>load<u8>(s, S_LEADING);
  const curTrailing = <u32>load<u8>(s, S_TRAILING);
  if (curLeading != 0xff && leading >= curLeading && trailing >= curTrailing) {
    const n = 64 - curLeading - curTrailing;
    store<u8>(s, wholeBytes(n), S_WHOLE);
    return putBits(buf, put(buf, pos, 0b10, 2), delta >> curTrailing, n);
  }
  store<u8>(s, <u8>leading, S_LEADING);
  store<u8>(s, <u8>trailing, S_TRAILING);
  const sig = 64 - leading - trailing;
  // '11', 5 bits of leading zeros, 6 bits of significant bits (64 written as 0).
  pos = put(buf, pos, (<u64>0b11 << 11) | (<u64>leading << 6) | (<u64>sig & 63), 13);
  store<u8>(s, wholeBytes(sig), S_WHOLE);
  return putBits(buf, pos, delta >> trailing, sig);
}

/**
 * Moves the open chunk to a bigger buffer: room for `need` bytes, and for as many bytes as
 * the chunk will take at its rate so far when it fills up, so a series' first chunk does
 * not pass through every size class (each left behind on a free list).
 */
function grow(s: usize, need: u32): usize {
  const old = <usize>load<u32>(s, S_PTR);
  const oldCap = load<u32>(s, S_CAP);
  const count = load<u32>(s, S_COUNT);
  if (count > 1 && count < samplesPerChunk) {
    // The rate of the samples after the first (the first one is a fixed ~18 bytes).
    const used = <u64>(load<u32>(s, S_BITS) >> 3);
    const rest = used > FIRST_BYTES ? used - FIRST_BYTES : 0;
    const predicted = <u32>min<u64>(used + (rest * <u64>(samplesPerChunk - count)) / <u64>(count - 1) + SAMPLE_ROOM, 1 << 30);
    if (predicted > need) need = predicted;
  }
  const c = classFor(need);
  const buf = allocClass(c);
  memory.copy(buf, old, <usize>chunkLen(s));
  freeClass(old, classFor(oldCap));
  store<u32>(s, <u32>buf, S_PTR);
  store<u32>(s, <u32>classSize(c), S_CAP);
  return buf;
}

/** Starts a chunk with its first sample. */
function startChunk(s: usize, t: f64, bits: u64): void {
  let c = <i32>load<u8>(s, S_CLASS);
  if (c < MIN_CLASS) c = MIN_CLASS;
  const buf = allocClass(c);
  store<u32>(s, <u32>buf, S_PTR);
  store<u32>(s, <u32>classSize(c), S_CAP);
  const ti = <i64>t;
  let p = putUvarint(buf + 2, <u64>((ti << 1) ^ (ti >> 63)));
  store<u64>(p, bswap<u64>(bits));
  p += 8;
  // Prometheus' stream carries a zero byte after whole-byte writes (see chunkLen).
  store<u8>(p, 0);
  store<u32>(s, <u32>(p - buf) << 3, S_BITS);
  store<u8>(s, 1, S_WHOLE);
  store<u8>(s, 0xff, S_LEADING);
  store<u8>(s, 0, S_TRAILING);
  store<u32>(s, 1, S_COUNT);
  store<f64>(s, t, S_MINT);
  store<i64>(s, ti, S_T);
  store<u64>(s, bits, S_V);
  store<f64>(s, (Math.floor(t / chunkRange) + 1) * chunkRange, S_END);
}

/** Hands the open chunk to a cut record at rec. */
function cut(s: usize, id: u32, rec: usize): void {
  const cap = load<u32>(s, S_CAP);
  store<u32>(rec, id, C_ID);
  store<u32>(rec, load<u32>(s, S_PTR), C_PTR);
  store<u32>(rec, chunkLen(s), C_LEN);
  store<u32>(rec, <u32>classFor(cap), C_CLASS);
  store<f64>(rec, load<f64>(s, S_MINT), C_MINT);
  store<f64>(rec, <f64>load<i64>(s, S_T), C_MAXT);
  // The next chunk starts in the class this one needed: most series fill alike.
  store<u8>(s, <u8>classFor(chunkLen(s) + SAMPLE_ROOM), S_CLASS);
  store<u32>(s, 0, S_PTR);
  store<u32>(s, 0, S_CAP);
  store<u32>(s, 0, S_COUNT);
}

/**
 * Appends n samples: u32 series ids at idsPtr, f64 times (integral ms, each newer than the
 * series' last) at tsPtr and f64 values at vsPtr. Full chunks are cut first and described
 * in cut records at cutsPtr (room for n). Returns the number of cut records.
 */
export function ocAppendMany(idsPtr: usize, tsPtr: usize, vsPtr: usize, n: i32, cutsPtr: usize): i32 {
  let cuts = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 3;
    const id = load<u32>(idsPtr + (<usize>i << 2));
    const t = load<f64>(tsPtr + off);
    const bits = canonical(load<u64>(vsPtr + off));
    const s = stateOf(id);
    let count = load<u32>(s, S_COUNT);
    if (count > 0 && (count >= samplesPerChunk || t >= load<f64>(s, S_END) || t - load<f64>(s, S_MINT) > 2147483647.0)) {
      cut(s, id, cutsPtr + <usize>cuts * CUT_SIZE);
      cuts++;
      count = 0;
    }
    if (count == 0) {
      startChunk(s, t, bits);
      store<u16>(<usize>load<u32>(s, S_PTR), bswap<u16>(1));
      continue;
    }
    let buf = <usize>load<u32>(s, S_PTR);
    let pos = load<u32>(s, S_BITS);
    if ((pos >> 3) + SAMPLE_ROOM > load<u32>(s, S_CAP)) buf = grow(s, (pos >> 3) + SAMPLE_ROOM);
    const ti = <i64>t;
    const delta = ti - load<i64>(s, S_T);
    if (count == 1) {
      // The second sample: uvarint time delta (the stream is byte-aligned here).
      const p = putUvarint(buf + <usize>(pos >> 3), <u64>delta);
      pos = <u32>(p - buf) << 3;
    } else {
      const dod = delta - load<i64>(s, S_DELTA);
      if (dod == 0) pos = put(buf, pos, 0, 1);
      else if (dod >= -8191 && dod <= 8192) pos = put(buf, pos, (<u64>0b10 << 14) | (<u64>dod & 0x3fff), 16);
      else if (dod >= -65535 && dod <= 65536) pos = put(buf, pos, (<u64>0b110 << 17) | (<u64>dod & 0x1ffff), 20);
      else if (dod >= -524287 && dod <= 524288) pos = put(buf, pos, (<u64>0b1110 << 20) | (<u64>dod & 0xfffff), 24);
      else pos = put64(buf, put(buf, pos, 0b1111, 4), <u64>dod);
    }
    store<i64>(s, ti, S_T);
    store<i64>(s, delta, S_DELTA);
    pos = putValue(s, buf, pos, bits);
    store<u32>(s, pos, S_BITS);
    count++;
    store<u32>(s, count, S_COUNT);
    store<u16>(buf, bswap<u16>(<u16>count));
  }
  return cuts;
}

/** Frees the buffers of k cut records at cutsPtr once the host has stored them. */
export function ocReleaseCuts(cutsPtr: usize, k: i32): void {
  for (let i = 0; i < k; i++) {
    const rec = cutsPtr + <usize>i * CUT_SIZE;
    freeClass(<usize>load<u32>(rec, C_PTR), <i32>load<u32>(rec, C_CLASS));
  }
}
