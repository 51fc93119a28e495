// a \ b for sorted u32 postings lists.
import { GALLOP_RATIO, gallop } from "./intersect";

/** Writes the values of a that are not in b to out; returns the count. */
export function postingsDifference(a: usize, aLen: i32, b: usize, bLen: i32, out: usize): i32 {
  let n = 0;
  let j = 0;
  // A long b is skipped through by galloping; otherwise step both lists together.
  const skip = bLen > aLen * GALLOP_RATIO;
  for (let i = 0; i < aLen; i++) {
    const x = load<u32>(a + (<usize>i << 2));
    if (skip) j = gallop(b, j, bLen, x);
    else while (j < bLen && load<u32>(b + (<usize>j << 2)) < x) j++;
    if (j < bLen && load<u32>(b + (<usize>j << 2)) == x) continue;
    store<u32>(out + (<usize>n << 2), x);
    n++;
  }
  return n;
}
