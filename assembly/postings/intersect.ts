// Intersection of k sorted u32 postings lists, smallest first so the running result
// only shrinks. Lists are (ptr u32, len u32) pairs in a table; they should be strictly
// increasing (a duplicate present in every list may appear twice in the result).

// When the other list is this many times longer, skip through it by galloping instead
// of stepping one element at a time.
export const GALLOP_RATIO: i32 = 16;

// First index in [lo, len) of b whose value is >= x, by exponential then binary search.
@inline export function gallop(b: usize, lo: i32, len: i32, x: u32): i32 {
  let step = 1;
  let hi = lo;
  while (hi < len && load<u32>(b + (<usize>hi << 2)) < x) {
    lo = hi + 1;
    hi += step;
    step <<= 1;
  }
  if (hi > len) hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<u32>(b + (<usize>mid << 2)) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Writes a ∩ b to out (out may alias a); returns the count. a should be the shorter.
function intersect2(a: usize, aLen: i32, b: usize, bLen: i32, out: usize): i32 {
  let i = 0;
  let j = 0;
  let n = 0;
  if (bLen > aLen * GALLOP_RATIO) {
    for (; i < aLen; i++) {
      const x = load<u32>(a + (<usize>i << 2));
      j = gallop(b, j, bLen, x);
      if (j >= bLen) break;
      if (load<u32>(b + (<usize>j << 2)) == x) {
        store<u32>(out + (<usize>n << 2), x);
        n++;
      }
    }
    return n;
  }
  // Branch-free step: always store, keep the store only when the heads match.
  while (i < aLen && j < bLen) {
    const x = load<u32>(a + (<usize>i << 2));
    const y = load<u32>(b + (<usize>j << 2));
    store<u32>(out + (<usize>n << 2), x);
    n += <i32>(x == y);
    i += <i32>(x <= y);
    j += <i32>(y <= x);
  }
  return n;
}

/** Intersects the k lists described at table into out (room for the shortest list). */
export function postingsIntersect(table: usize, k: i32, out: usize): i32 {
  if (k <= 0) return 0;
  // Insertion sort of the table by length; k is small.
  for (let i = 1; i < k; i++) {
    const e = table + (<usize>i << 3);
    const ptr = load<u32>(e);
    const len = load<u32>(e + 4);
    let j = i - 1;
    while (j >= 0 && load<u32>(table + (<usize>j << 3) + 4) > len) {
      store<u64>(table + (<usize>(j + 1) << 3), load<u64>(table + (<usize>j << 3)));
      j--;
    }
    store<u32>(table + (<usize>(j + 1) << 3), ptr);
    store<u32>(table + (<usize>(j + 1) << 3) + 4, len);
  }
  let n = <i32>load<u32>(table + 4);
  memory.copy(out, <usize>load<u32>(table), <usize>n << 2);
  for (let i = 1; i < k && n > 0; i++) {
    const e = table + (<usize>i << 3);
    n = intersect2(out, n, <usize>load<u32>(e), <i32>load<u32>(e + 4), out);
  }
  return n;
}
