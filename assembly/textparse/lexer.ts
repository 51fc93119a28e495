// Exposition-format lexer: scans a whole scrape body (Prometheus text 0.0.4 or
// OpenMetrics 1.0) in one call and writes compact entry records that src/wasm/textparse.ts
// reads. Records are i32 words; sample values and timestamps go to a separate f64 array.
// When the output buffers fill up, the scan stops at a line boundary and reports where to
// resume, so any body size works with fixed buffers.
//
// Words 0..7 of the output are a header: status, resume offset, words used, nums used,
// error code, error offset. Record layouts (word offsets from the record start):
//   sample: 0 kind, 1 seriesStart, 2 seriesEnd, 3 nameStart, 4 nameEnd, 5 flags,
//           6 nLabels, 7 valueStart, 8 valueEnd, 9 tsStart, 10 tsEnd, 11 numsIndex,
//           12 series text hash, then nLabels x (nameStart, nameEnd, valueStart, valueEnd);
//           with F_EXEMPLAR: nExLabels, valueStart, valueEnd, tsStart, tsEnd, then labels.
//   help/type/unit: 0 kind, 1 lineStart, 2 nameStart, 3 nameEnd, 4 textStart, 5 textEnd, 6 flags
//   eof: 0 kind, 1 lineStart
// nums per sample: value, timestamp (ms), and with an exemplar its value and timestamp.

import { body, ch, isDigit, isLabelChar, isLabelStart, isMetricChar, isMetricStart, len, setInput } from "./scan";
import { fastOk, parseDecimal } from "./float";
import { validUtf8 } from "./utf8";

export const HEADER_WORDS: i32 = 8;
const SAMPLE_HEADER_WORDS: i32 = 13;

const K_SAMPLE: i32 = 1;
const K_HELP: i32 = 2;
const K_TYPE: i32 = 3;
const K_UNIT: i32 = 4;
const K_EOF: i32 = 5;

const F_HAS_TS: i32 = 1;
const F_VALUE_SLOW: i32 = 2; // value text needs the full float parser on the JS side
const F_TS_SLOW: i32 = 4;
const F_ESCAPES: i32 = 8; // a label value, quoted name or help text holds a backslash
const F_NAME_QUOTED: i32 = 16;
const F_EXEMPLAR: i32 = 32;
const F_EX_TS: i32 = 64;
const F_EX_VALUE_SLOW: i32 = 128;
const F_EX_TS_SLOW: i32 = 256;

const ST_DONE: i32 = 0;
const ST_FULL: i32 = 1;
const ST_ERROR: i32 = 2;

// Error codes; src/wasm/textparse.ts holds the matching messages.
const E_START: i32 = 1;
const E_META_NAME: i32 = 2;
const E_META_TEXT: i32 = 3;
const E_LABEL_NAME: i32 = 4;
const E_EQUAL: i32 = 5;
const E_LABEL_VALUE: i32 = 6;
const E_UTF8: i32 = 7;
const E_COMMA: i32 = 8;
const E_VALUE: i32 = 9;
const E_TS_OR_NEXT: i32 = 10;
const E_AFTER_TS: i32 = 11;
const E_NO_EOF: i32 = 12;
const E_AFTER_EOF: i32 = 13;
const E_NAME_TWICE: i32 = 14;
const E_NO_NAME: i32 = 15;
const E_EX_VALUE: i32 = 16;
const E_AFTER_EX_TS: i32 = 17;
const E_BAD_TS: i32 = 18;
const E_HELP_UTF8: i32 = 19;

const STOP: i32 = -2;
const FAIL: i32 = -1;

let words: usize = 0;
let wcap: i32 = 0;
let w: i32 = 0;
let nums: usize = 0;
let ncap: i32 = 0;
let n: i32 = 0;
let overflow: bool = false;
let errCode: i32 = 0;
let errPos: i32 = 0;
let sawEscape: bool = false;
// Set by scanQuoted when the string holds a byte >= 0x80 (then UTF-8 must be checked).
let sawHigh: bool = false;
// Metric name found inside braces (quoted form) while scanning labels.
let innerNameStart: i32 = -1;
let innerNameEnd: i32 = -1;

@inline function put(v: i32): void {
  if (w < wcap) store<i32>(words + (<usize>w << 2), v);
  else overflow = true;
  w++;
}

@inline function setWord(at: i32, v: i32): void {
  if (at < wcap) store<i32>(words + (<usize>at << 2), v);
}

@inline function putNum(v: f64): void {
  if (n < ncap) store<f64>(nums + (<usize>n << 3), v);
  else overflow = true;
  n++;
}

function fail(code: i32, pos: i32): i32 {
  errCode = code;
  errPos = pos;
  return FAIL;
}

function skipWs(i: i32): i32 {
  while (true) {
    const c = ch(i);
    if (c != 32 && c != 9) return i;
    i++;
  }
}

function lineEnd(i: i32): i32 {
  while (i < len && load<u8>(body + <usize>i) != 10) i++;
  return i;
}

/** Index of the closing quote of the string opening at i, or -1. Backslash escapes any byte but a newline. */
function scanQuoted(i: i32, allowNewline: bool): i32 {
  let j = i + 1;
  while (true) {
    const c = ch(j);
    if (c < 0) return -1;
    if (c == 92) {
      const d = ch(j + 1);
      if (d < 0 || d == 10) return -1;
      sawEscape = true;
      j += 2;
      continue;
    }
    if (c == 34) return j;
    if (c == 10 && !allowNewline) return -1;
    if (c >= 0x80) sawHigh = true;
    j++;
  }
}

function hasHighByte(s: i32, e: i32): bool {
  for (let i = s; i < e; i++) if (load<u8>(body + <usize>i) >= 0x80) return true;
  return false;
}

function matchWord(i: i32, a: i32, b: i32, c: i32, d: i32): bool {
  return ch(i) == a && ch(i + 1) == b && ch(i + 2) == c && ch(i + 3) == d;
}

/** Token of bytes other than space, newline (and tab and '{' in the text format). */
function tokenEnd(i: i32, om: bool): i32 {
  while (true) {
    const c = ch(i);
    if (c < 0 || c == 32 || c == 10) return i;
    if (!om && (c == 9 || c == 123)) return i;
    i++;
  }
}

/** Scans a label set after '{'; returns the index after '}' or FAIL. Writes label words. */
function scanLabels(i: i32, om: bool, exemplar: bool): i32 {
  let count = 0;
  while (true) {
    if (!om) i = skipWs(i);
    let c = ch(i);
    if (c == 125) return labelsDone(i + 1, count);
    let s: i32;
    let e: i32;
    let quoted = false;
    if (isLabelStart(c)) {
      s = i;
      i++;
      while (isLabelChar(ch(i))) i++;
      e = i;
    } else if (c == 34) {
      const q = scanQuoted(i, false);
      if (q < 0) return fail(E_LABEL_NAME, i);
      s = i + 1;
      e = q;
      i = q + 1;
      quoted = true;
    } else return fail(E_LABEL_NAME, i);
    if (!om) i = skipWs(i);
    c = ch(i);
    if (quoted && (c == 44 || c == 125)) {
      if (exemplar) return fail(E_LABEL_NAME, i);
      if (innerNameStart >= 0) return fail(E_NAME_TWICE, i);
      innerNameStart = s;
      innerNameEnd = e;
      if (c == 125) return labelsDone(i + 1, count);
      i++;
      continue;
    }
    if (c != 61) return fail(E_EQUAL, i);
    i++;
    if (!om) i = skipWs(i);
    if (ch(i) != 34) return fail(E_LABEL_VALUE, i);
    sawHigh = false;
    const q = scanQuoted(i, !om);
    if (q < 0) return fail(E_LABEL_VALUE, i);
    if (sawHigh && !validUtf8(i + 1, q)) return fail(E_UTF8, i + 1);
    put(s);
    put(e);
    put(i + 1);
    put(q);
    count++;
    i = q + 1;
    if (!om) i = skipWs(i);
    c = ch(i);
    if (c == 44) {
      i++;
      continue;
    }
    if (c == 125) return labelsDone(i + 1, count);
    if (om) return fail(E_COMMA, i);
  }
}

let labelCount: i32 = 0;

@inline function labelsDone(next: i32, count: i32): i32 {
  labelCount = count;
  return next;
}

/** A 32-bit hash of the series text, four bytes per step (the JS cache key). */
function hashSeries(s: i32, e: i32, at: i32): void {
  let a: u32 = 0x811c9dc5 ^ <u32>(e - s);
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const k = load<u32>(body + <usize>i);
    a = rotl<u32>(a ^ (k * 0xcc9e2d51), 13) * 5 + 0xe6546b64;
  }
  for (; i < e; i++) a = (a ^ <u32>load<u8>(body + <usize>i)) * 0x01000193;
  a ^= a >> 16;
  a *= 0x85ebca6b;
  a ^= a >> 13;
  setWord(at + 12, <i32>a);
}

/** Parses a value token into nums; returns the flags to add. */
function storeValue(s: i32, e: i32, slowFlag: i32): i32 {
  const v = parseDecimal(s, e);
  putNum(fastOk ? v : 0);
  return fastOk ? 0 : slowFlag;
}

function scanSample(i: i32, om: bool): i32 {
  const rec = w;
  const start = i;
  for (let k = 0; k < SAMPLE_HEADER_WORDS; k++) put(0);
  let nameStart: i32 = -1;
  let nameEnd: i32 = -1;
  let flags = 0;
  sawEscape = false;
  if (ch(i) != 123) {
    nameStart = i;
    i++;
    while (isMetricChar(ch(i))) i++;
    nameEnd = i;
    if (!om) i = skipWs(i);
  }
  let seriesEnd = nameEnd;
  let count = 0;
  if (ch(i) == 123) {
    innerNameStart = -1;
    i = scanLabels(i + 1, om, false);
    if (i < 0) return FAIL;
    count = labelCount;
    if (innerNameStart >= 0) {
      if (nameStart >= 0) return fail(E_NAME_TWICE, i - 1);
      nameStart = innerNameStart;
      nameEnd = innerNameEnd;
      flags |= F_NAME_QUOTED;
    }
    seriesEnd = i;
  }
  if (nameStart < 0) return fail(E_NO_NAME, i);
  if (sawEscape) flags |= F_ESCAPES;
  // Value.
  if (om) {
    if (ch(i) != 32) return fail(ch(i) < 0 ? E_NO_EOF : E_VALUE, i);
    i++;
  } else i = skipWs(i);
  const vs = i;
  const ve = tokenEnd(i, om);
  if (ve == vs) return fail(ve >= len && om ? E_NO_EOF : E_VALUE, i);
  const numIndex = n;
  flags |= storeValue(vs, ve, F_VALUE_SLOW);
  putNum(0);
  i = ve;
  let ts = -1;
  let te = -1;
  let exemplarAt = -1;
  if (om) {
    let c = ch(i);
    if (c == 32 && !(ch(i + 1) == 35 && ch(i + 2) == 32 && ch(i + 3) == 123)) {
      ts = i + 1;
      te = tokenEnd(ts, true);
      if (te == ts) return fail(E_TS_OR_NEXT, i);
      const t = parseDecimal(ts, te);
      if (fastOk) {
        if (isNaN(t) || !isFinite(t)) return fail(E_BAD_TS, ts);
        storeNumAt(numIndex + 1, trunc(t * 1000));
      } else flags |= F_TS_SLOW;
      flags |= F_HAS_TS;
      i = te;
      c = ch(i);
      if (c != 10 && !(c == 32 && ch(i + 1) == 35 && ch(i + 2) == 32 && ch(i + 3) == 123)) {
        return fail(c < 0 ? E_NO_EOF : E_AFTER_TS, i);
      }
    }
    c = ch(i);
    if (c == 32) {
      exemplarAt = w;
      i = scanExemplar(i + 4);
      if (i < 0) return FAIL;
      flags |= F_EXEMPLAR | exemplarFlags;
    } else if (c != 10) return fail(c < 0 ? E_NO_EOF : E_TS_OR_NEXT, i);
  } else {
    i = skipWs(i);
    let c = ch(i);
    if (isDigit(c)) {
      ts = i;
      while (isDigit(ch(i))) i++;
      te = i;
      if (te - ts > 19) return fail(E_BAD_TS, ts);
      let t: i64 = 0;
      for (let k = ts; k < te; k++) {
        const nt = t * 10 + <i64>(ch(k) - 48);
        if (nt < t) return fail(E_BAD_TS, ts);
        t = nt;
      }
      storeNumAt(numIndex + 1, <f64>t);
      flags |= F_HAS_TS;
      i = skipWs(i);
      c = ch(i);
      if (c != 10) return fail(E_AFTER_TS, i);
    } else if (c != 10) return fail(E_TS_OR_NEXT, i);
  }
  setWord(rec, K_SAMPLE);
  setWord(rec + 1, ch(start) == 123 ? start : nameStart);
  setWord(rec + 2, seriesEnd);
  setWord(rec + 3, nameStart);
  setWord(rec + 4, nameEnd);
  setWord(rec + 5, flags);
  setWord(rec + 6, count);
  setWord(rec + 7, vs);
  setWord(rec + 8, ve);
  setWord(rec + 9, ts);
  setWord(rec + 10, te);
  setWord(rec + 11, numIndex);
  hashSeries(ch(start) == 123 ? start : nameStart, seriesEnd, rec);
  if (exemplarAt < 0) return i + 1;
  return i + 1;
}

@inline function storeNumAt(at: i32, v: f64): void {
  if (at < ncap) store<f64>(nums + (<usize>at << 3), v);
}

let exemplarFlags: i32 = 0;

/** Scans "# {labels} value [ts]\n" from just after '{'; returns the index after the newline's start. */
function scanExemplar(i: i32): i32 {
  exemplarFlags = 0;
  const head = w;
  for (let k = 0; k < 5; k++) put(0);
  i = scanLabels(i, true, true);
  if (i < 0) return FAIL;
  setWord(head, labelCount);
  if (ch(i) != 32) return fail(ch(i) < 0 ? E_NO_EOF : E_EX_VALUE, i);
  const vs = i + 1;
  const ve = tokenEnd(vs, true);
  if (ve == vs) return fail(E_EX_VALUE, i);
  const numIndex = n;
  exemplarFlags |= storeValue(vs, ve, F_EX_VALUE_SLOW);
  putNum(0);
  setWord(head + 1, vs);
  setWord(head + 2, ve);
  setWord(head + 3, -1);
  setWord(head + 4, -1);
  i = ve;
  if (ch(i) == 32) {
    const ts = i + 1;
    const te = tokenEnd(ts, true);
    if (te == ts) return fail(E_AFTER_EX_TS, i);
    const t = parseDecimal(ts, te);
    if (fastOk) {
      if (isNaN(t) || !isFinite(t)) return fail(E_BAD_TS, ts);
      storeNumAt(numIndex + 1, trunc(t * 1000));
    } else exemplarFlags |= F_EX_TS_SLOW;
    exemplarFlags |= F_EX_TS;
    setWord(head + 3, ts);
    setWord(head + 4, te);
    i = te;
  }
  const c = ch(i);
  if (c != 10) return fail(c < 0 ? E_NO_EOF : E_AFTER_EX_TS, i);
  return i;
}

function scanMeta(lineStart: i32, kind: i32, i: i32, om: bool): i32 {
  let flags = 0;
  let ns: i32;
  let ne: i32;
  sawEscape = false;
  if (om && ch(i) == 34) {
    const q = scanQuoted(i, false);
    if (q < 0) return fail(E_META_NAME, i);
    ns = i + 1;
    ne = q;
    flags |= F_NAME_QUOTED;
    i = q + 1;
  } else {
    if (!isMetricStart(ch(i))) return fail(E_META_NAME, i);
    ns = i;
    while (isMetricChar(ch(i))) i++;
    ne = i;
  }
  const eol = lineEnd(i);
  let ts: i32;
  let te: i32;
  if (om) {
    if (ch(i) != 32 || eol >= len) return fail(eol >= len ? E_NO_EOF : E_META_TEXT, i);
    ts = i + 1;
    te = eol;
    if (kind == K_HELP && hasHighByte(ts, te) && !validUtf8(ts, te)) return fail(E_HELP_UTF8, ts);
  } else {
    // The text lexer's token holds everything after the name; its first byte is dropped.
    ts = eol - i > 1 ? i + 1 : eol;
    te = eol;
  }
  for (let k = ts; k < te; k++) {
    if (load<u8>(body + <usize>k) == 92) {
      sawEscape = true;
      break;
    }
  }
  if (sawEscape) flags |= F_ESCAPES;
  put(kind);
  put(lineStart);
  put(ns);
  put(ne);
  put(ts);
  put(te);
  put(flags);
  return eol + 1;
}

function lineText(i: i32): i32 {
  i = skipWs(i);
  const c = ch(i);
  if (c < 0) return len;
  if (c == 10) return i + 1;
  if (c == 0) return STOP;
  if (c == 35) {
    const d = ch(i + 1);
    if (d == 32 || d == 9) {
      const j = skipWs(i + 1);
      const e = ch(j + 4);
      if ((e == 32 || e == 9) && matchWord(j, 72, 69, 76, 80)) return scanMeta(i, K_HELP, skipWs(j + 4), false);
      if ((e == 32 || e == 9) && matchWord(j, 84, 89, 80, 69)) return scanMeta(i, K_TYPE, skipWs(j + 4), false);
    }
    const eol = lineEnd(i);
    return eol >= len ? len : eol + 1;
  }
  if (isMetricStart(c) || c == 123) return scanSample(i, false);
  return fail(E_START, i);
}

function lineOM(i: i32): i32 {
  const c = ch(i);
  if (c == 35) {
    if (ch(i + 1) != 32) return fail(E_START, i);
    const j = i + 2;
    if (ch(j + 4) == 32) {
      if (matchWord(j, 72, 69, 76, 80)) return scanMeta(i, K_HELP, j + 5, true);
      if (matchWord(j, 84, 89, 80, 69)) return scanMeta(i, K_TYPE, j + 5, true);
      if (matchWord(j, 85, 78, 73, 84)) return scanMeta(i, K_UNIT, j + 5, true);
    }
    if (ch(j) == 69 && ch(j + 1) == 79 && ch(j + 2) == 70) {
      let k = j + 3;
      if (ch(k) == 10) k++;
      if (k < len) return fail(E_AFTER_EOF, k);
      put(K_EOF);
      put(i);
      return STOP;
    }
    return fail(E_START, i);
  }
  if (isMetricStart(c) || c == 123) return scanSample(i, true);
  return fail(E_START, i);
}

function finish(status: i32, resume: i32): i32 {
  setWord(0, status);
  setWord(1, resume);
  setWord(2, w);
  setWord(3, n);
  setWord(4, errCode);
  setWord(5, errPos);
  return status;
}

/**
 * Scans body[from..len). format: 0 text 0.0.4, 1 OpenMetrics. Returns the status (also in
 * header word 0): 0 done, 1 buffers full (resume at header word 1), 2 error (code and offset
 * in words 4 and 5). wordsCap must be at least HEADER_WORDS.
 */
export function textparseScan(bodyPtr: usize, bodyLen: i32, from: i32, format: i32, wordsPtr: usize, wordsCap: i32, numsPtr: usize, numsCap: i32): i32 {
  setInput(bodyPtr, bodyLen);
  words = wordsPtr;
  wcap = wordsCap;
  nums = numsPtr;
  ncap = numsCap;
  w = HEADER_WORDS;
  n = 0;
  overflow = false;
  errCode = 0;
  errPos = 0;
  const om = format == 1;
  let i = from;
  while (true) {
    if (i >= len) {
      if (om) {
        fail(E_NO_EOF, len);
        return finish(ST_ERROR, i);
      }
      return finish(ST_DONE, len);
    }
    const recW = w;
    const recN = n;
    const next = om ? lineOM(i) : lineText(i);
    if (next == FAIL) return finish(ST_ERROR, i);
    if (overflow) {
      w = recW;
      n = recN;
      return finish(ST_FULL, i);
    }
    if (next == STOP) return finish(ST_DONE, len);
    i = next;
  }
}
