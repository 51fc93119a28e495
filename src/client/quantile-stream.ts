// Targeted-quantile stream after Cormode, Korn, Muthukrishnan and Srivastava ("Effective
// computation of biased quantiles over data streams", ICDE 2005): a sorted list of tuples
// (value v, g = rank gap to the previous tuple, delta = rank uncertainty) kept small while any
// target quantile q stays within rank error e*n. Tuples live in parallel Float64Arrays; batches
// of sorted values are merged in, then the list is compressed.

export interface Target {
  readonly quantile: number;
  readonly error: number;
}

export class QuantileStream {
  private readonly qs: Float64Array;
  private readonly es: Float64Array;
  private v = new Float64Array(64);
  private g = new Float64Array(64);
  private d = new Float64Array(64);
  private nv = new Float64Array(64);
  private ng = new Float64Array(64);
  private nd = new Float64Array(64);
  private len = 0;
  /** Observations merged so far. */
  private n = 0;

  constructor(targets: readonly Target[]) {
    this.qs = Float64Array.from(targets, (t) => t.quantile);
    this.es = Float64Array.from(targets, (t) => t.error);
  }

  get count(): number {
    return this.n;
  }

  reset(): void {
    this.len = 0;
    this.n = 0;
  }

  /** Allowed rank uncertainty at rank r of n: the tightest over all targets. */
  private allowed(r: number, n: number): number {
    let m = Infinity;
    const qs = this.qs;
    const es = this.es;
    for (let j = 0; j < qs.length; j++) {
      const q = qs[j];
      const f = q * n <= r ? (2 * es[j] * r) / q : (2 * es[j] * (n - r)) / (1 - q);
      if (f < m) m = f;
    }
    return m;
  }

  /** Merges sorted[0..count) (ascending) into the stream. */
  insertSorted(sorted: Float64Array, count: number): void {
    if (count === 0) return;
    const need = this.len + count;
    if (this.nv.length < need) {
      const cap = Math.max(need, this.nv.length * 2);
      this.nv = new Float64Array(cap);
      this.ng = new Float64Array(cap);
      this.nd = new Float64Array(cap);
    }
    const { v, g, d, nv, ng, nd } = this;
    let i = 0;
    let k = 0;
    let out = 0;
    let r = 0;
    let n = this.n;
    while (k < count) {
      const x = sorted[k];
      if (i < this.len && v[i] <= x) {
        nv[out] = v[i];
        ng[out] = g[i];
        nd[out] = d[i];
        r += g[i];
        out++;
        i++;
        continue;
      }
      // A new minimum or maximum is known exactly; anything between may be off by the allowed error.
      const edge = out === 0 || i >= this.len;
      nv[out] = x;
      ng[out] = 1;
      nd[out] = edge ? 0 : Math.max(0, Math.floor(this.allowed(r, n)) - 1);
      r += 1;
      n++;
      out++;
      k++;
    }
    while (i < this.len) {
      nv[out] = v[i];
      ng[out] = g[i];
      nd[out] = d[i];
      out++;
      i++;
    }
    this.n = n;
    this.len = out;
    this.v = nv;
    this.g = ng;
    this.d = nd;
    this.nv = v;
    this.ng = g;
    this.nd = d;
    this.compress();
  }

  /** Merges each tuple into its successor while the successor's band stays within the allowed error. */
  private compress(): void {
    const len = this.len;
    if (len < 3) return;
    const { v, g, d } = this;
    const n = this.n;
    // Walk from the end; (cv, cg, cd) is the tuple that absorbs its predecessors. Survivors are
    // written from the end of the same arrays, which only ever lag behind the read position.
    let w = len - 1;
    let cv = v[w];
    let cg = g[w];
    let cd = d[w];
    let rankAfter = n - cg;
    for (let i = len - 2; i >= 1; i--) {
      const rBefore = rankAfter - g[i];
      if (g[i] + cg + cd <= this.allowed(rBefore, n)) {
        cg += g[i];
      } else {
        v[w] = cv;
        g[w] = cg;
        d[w] = cd;
        w--;
        cv = v[i];
        cg = g[i];
        cd = d[i];
      }
      rankAfter = rBefore;
    }
    v[w] = cv;
    g[w] = cg;
    d[w] = cd;
    w--;
    v[w] = v[0];
    g[w] = g[0];
    d[w] = d[0];
    if (w > 0) {
      v.copyWithin(0, w, len);
      g.copyWithin(0, w, len);
      d.copyWithin(0, w, len);
    }
    this.len = len - w;
  }

  /** The estimate for quantile q; NaN when empty. */
  query(q: number): number {
    const len = this.len;
    if (len === 0) return NaN;
    const { v, g, d } = this;
    let t = Math.ceil(q * this.n);
    t += Math.ceil(this.allowed(t, this.n) / 2);
    let r = 0;
    for (let i = 1; i < len; i++) {
      r += g[i - 1];
      if (r + g[i] + d[i] > t) return v[i - 1];
    }
    return v[len - 1];
  }
}
