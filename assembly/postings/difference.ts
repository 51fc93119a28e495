// a \ b for sorted u32 postings lists.

/** Writes the values of a that are not in b to out; returns the count. */
export function postingsDifference(a: usize, aLen: i32, b: usize, bLen: i32, out: usize): i32 {
  let n = 0;
  let j = 0;
  for (let i = 0; i < aLen; i++) {
    const x = load<u32>(a + (<usize>i << 2));
    while (j < bLen && load<u32>(b + (<usize>j << 2)) < x) j++;
    if (j < bLen && load<u32>(b + (<usize>j << 2)) == x) continue;
    store<u32>(out + (<usize>n << 2), x);
    n++;
  }
  return n;
}
