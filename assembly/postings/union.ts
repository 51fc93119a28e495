// Union of k sorted u32 postings lists without duplicates: a binary min-heap of list
// cursors (k-way merge), so the cost is O(total * log k).

// Heap records in scratch: 12 bytes each, { head value, next ptr, end ptr }.
@inline function headAt(h: usize, i: i32): u32 {
  return load<u32>(h + <usize>i * 12);
}

function siftDown(h: usize, size: i32, i: i32): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) return;
    let m = l;
    if (l + 1 < size && headAt(h, l + 1) < headAt(h, l)) m = l + 1;
    if (headAt(h, i) <= headAt(h, m)) return;
    const a = h + <usize>i * 12;
    const b = h + <usize>m * 12;
    const v0 = load<u64>(a);
    const v1 = load<u32>(a + 8);
    store<u64>(a, load<u64>(b));
    store<u32>(a + 8, load<u32>(b + 8));
    store<u64>(b, v0);
    store<u32>(b + 8, v1);
    i = m;
  }
}

/** Merges the k lists described at table into out; scratch needs 12 * k bytes. */
export function postingsUnion(table: usize, k: i32, out: usize, scratch: usize): i32 {
  let size = 0;
  for (let i = 0; i < k; i++) {
    const e = table + (<usize>i << 3);
    const ptr = <usize>load<u32>(e);
    const len = <usize>load<u32>(e + 4);
    if (len == 0) continue;
    const r = scratch + <usize>size * 12;
    store<u32>(r, load<u32>(ptr));
    store<u32>(r + 4, <u32>(ptr + 4));
    store<u32>(r + 8, <u32>(ptr + (len << 2)));
    size++;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(scratch, size, i);
  let n = 0;
  let last: u32 = 0;
  while (size > 0) {
    const v = load<u32>(scratch);
    if (n == 0 || v != last) {
      store<u32>(out + (<usize>n << 2), v);
      n++;
      last = v;
    }
    const next = <usize>load<u32>(scratch + 4);
    if (next < <usize>load<u32>(scratch + 8)) {
      store<u32>(scratch, load<u32>(next));
      store<u32>(scratch + 4, <u32>(next + 4));
    } else {
      size--;
      if (size == 0) break;
      const r = scratch + <usize>size * 12;
      store<u64>(scratch, load<u64>(r));
      store<u32>(scratch + 8, load<u32>(r + 8));
    }
    siftDown(scratch, size, 0);
  }
  return n;
}
