// Plain TypeScript postings set operations: the baseline for the WASM kernels.

export function intersectBaseline(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let cur = sorted[0]!.slice();
  for (let k = 1; k < sorted.length; k++) {
    const b = sorted[k]!;
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < cur.length && j < b.length) {
      const x = cur[i]!;
      const y = b[j]!;
      if (x < y) i++;
      else if (x > y) j++;
      else {
        cur[n++] = x;
        i++;
        j++;
      }
    }
    cur = cur.subarray(0, n);
  }
  return cur.slice();
}

export function unionBaseline(lists: readonly Uint32Array[]): Uint32Array {
  let acc = new Uint32Array(0);
  for (const b of lists) {
    const out = new Uint32Array(acc.length + b.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < acc.length || j < b.length) {
      const x = i < acc.length ? acc[i]! : Infinity;
      const y = j < b.length ? b[j]! : Infinity;
      const v = x <= y ? x : y;
      if (x === v) i++;
      if (y === v) j++;
      if (n === 0 || out[n - 1] !== v) out[n++] = v;
    }
    acc = out.subarray(0, n);
  }
  return acc.slice();
}

export function differenceBaseline(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out[n++] = x;
  }
  return out.slice(0, n);
}
