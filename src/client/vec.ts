// The machinery behind every *Vec: children keyed by label values in nested maps, so that a
// lookup of values seen before walks one Map per label and allocates nothing; curried views
// share the parent's children.
import type { Labels, Label } from "../model/labels.js";
import { compareLabels } from "../model/labels.js";
import { buildFqName, Desc } from "./desc.js";
import { LabelValuesError } from "./errors.js";
import { labelPairsText } from "./format.js";
import type { Collector, Metric, MetricFamily, MetricType, Registerer } from "./interface.js";

/** Options every metric type accepts. */
export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly namespace?: string;
  readonly subsystem?: string;
  readonly constLabels?: Readonly<Record<string, string>>;
  /** Registries to register with on construction; none by default. */
  readonly registers?: readonly Registerer[];
}

export interface VecOptions extends MetricOptions {
  readonly labelNames: readonly string[];
}

export type LabelValues = Readonly<Record<string, string>>;

/** What a Vec needs from its children. */
export interface VecChild {
  readonly labels: Labels;
  readonly labelText: string;
  metric(): Metric;
}

/** Identity of a child handed to child constructors. */
export interface ChildIdentity {
  readonly labels: Labels;
  readonly labelText: string;
}

export function descFromOptions(opts: MetricOptions, labelNames: readonly string[], reserved?: readonly string[]): Desc {
  return new Desc({
    fqName: buildFqName(opts.namespace, opts.subsystem, opts.name),
    help: opts.help,
    variableLabels: labelNames,
    constLabels: opts.constLabels,
    reservedLabels: reserved,
  });
}

export function registerAll(collector: Collector, opts: MetricOptions): void {
  for (const r of opts.registers ?? []) r.register(collector);
}

/** The identity of the child of a Desc without variable labels. */
export function constIdentity(desc: Desc): ChildIdentity {
  return { labels: desc.constLabels, labelText: desc.constLabelText };
}

type Node<C> = Map<string, Node<C> | C>;

export class ChildStore<C extends VecChild> {
  readonly root: Node<C> = new Map();
  readonly all = new Set<C>();
  sorted: C[] | undefined;
}

const MAX_POSITIONAL = 8;

function pick(i: number, a?: string, b?: string, c?: string, d?: string, e?: string, f?: string, g?: string, h?: string): string | undefined {
  switch (i) {
    case 0: return a;
    case 1: return b;
    case 2: return c;
    case 3: return d;
    case 4: return e;
    case 5: return f;
    case 6: return g;
    case 7: return h;
    default: return undefined;
  }
}

/** What a curried view shares with the Vec it was derived from. */
export interface VecParent<C extends VecChild> {
  readonly store: ChildStore<C>;
  readonly curried: readonly (string | undefined)[];
}

export abstract class MetricVec<C extends VecChild, O extends VecOptions = VecOptions> implements Collector {
  readonly desc: Desc;
  /** The options this Vec was built from; curried views are built from the same. */
  protected readonly opts: O;
  abstract readonly type: MetricType;
  private readonly store: ChildStore<C>;
  /** Per label position: the curried value, or undefined when the caller supplies it. */
  private readonly curried: readonly (string | undefined)[];
  /** Label positions the caller supplies, in order. */
  private readonly free: readonly number[];
  private readonly freeNames: readonly string[];

  protected constructor(opts: O, desc: Desc, parent?: VecParent<C>) {
    this.opts = opts;
    this.desc = desc;
    this.store = parent?.store ?? new ChildStore<C>();
    // A Vec without label names keeps its one child under a hidden fixed key, so every path
    // below walks at least one level.
    this.curried = parent?.curried ?? (desc.variableLabels.length === 0 ? [""] : desc.variableLabels.map(() => undefined));
    const free: number[] = [];
    this.curried.forEach((v, i) => v === undefined && free.push(i));
    this.free = free;
    this.freeNames = free.map((i) => desc.variableLabels[i]);
  }

  protected abstract newChild(id: ChildIdentity): C;
  /** A view of the same children with more labels fixed: the same class, built from the same options. */
  protected derive(parent: VecParent<C>): this {
    const Ctor = this.constructor as new (opts: O, parent: VecParent<C>) => this;
    return new Ctor(this.opts, parent);
  }

  /**
   * The child for these label values, created on first use: positional values in label-name order
   * (up to 8; use withLabelValues beyond that) or one object keyed by label name.
   */
  labels(values: LabelValues): C;
  labels(...values: string[]): C;
  labels(a?: string | LabelValues, b?: string, c?: string, d?: string, e?: string, f?: string, g?: string, h?: string, extra?: string): C {
    if (typeof a === "object") return this.withLabels(a);
    const nFree = this.free.length;
    if (nFree > MAX_POSITIONAL || extra !== undefined) {
      throw new LabelValuesError(`metric ${this.desc.fqName}: labels() takes at most ${MAX_POSITIONAL} positional values; use withLabelValues()`);
    }
    if (pick(nFree, a, b, c, d, e, f, g, h) !== undefined) throw this.countError(nFree + 1);
    const curried = this.curried;
    let node = this.store.root;
    let k = 0;
    const depth = curried.length;
    for (let i = 0; ; i++) {
      const fixed = curried[i];
      const v = fixed === undefined ? pick(k++, a, b, c, d, e, f, g, h) : fixed;
      const next = v === undefined ? undefined : node.get(v);
      if (next === undefined) return this.create(this.positional(a, b, c, d, e, f, g, h));
      if (i === depth - 1) return next as C;
      node = next as Node<C>;
    }
  }

  /** Same as labels(...values) for any number of values. */
  withLabelValues(values: readonly string[]): C {
    if (values.length !== this.free.length) throw this.countError(values.length);
    const node = this.find(values);
    return node ?? this.create(values);
  }

  /** The child for an object of label values keyed by name (curried names excluded). */
  withLabels(values: LabelValues): C {
    let n = 0;
    for (const _ in values) n++;
    if (n !== this.free.length) throw this.namesError(values);
    const curried = this.curried;
    let node = this.store.root;
    let k = 0;
    for (let i = 0; ; i++) {
      const fixed = curried[i];
      const v = fixed === undefined ? values[this.freeNames[k++]] : fixed;
      const next = v === undefined ? undefined : node.get(v);
      if (next === undefined) return this.create(this.freeNames.map((name) => values[name]));
      if (i === curried.length - 1) return next as C;
      node = next as Node<C>;
    }
  }

  /** Deletes the child with these label values; true if it existed. */
  remove(values: LabelValues): boolean;
  remove(...values: string[]): boolean;
  remove(...args: (string | LabelValues)[]): boolean {
    const values = typeof args[0] === "object" ? this.valuesFromObject(args[0]) : (args as string[]);
    if (values.length !== this.free.length) throw this.countError(values.length);
    const full = this.fullValues(values);
    return this.deletePath(this.store.root, full, 0);
  }

  /** Deletes every child whose labels include all of these pairs (curried pairs included); returns how many. */
  removePartial(match: LabelValues): number {
    const wanted: Label[] = Object.entries(match).map(([name, value]) => ({ name, value }));
    this.desc.variableLabels.forEach((name, i) => this.curried[i] !== undefined && wanted.push({ name, value: this.curried[i]! }));
    let n = 0;
    for (const child of [...this.store.all]) {
      const hit = wanted.every((w) => child.labels.some((l) => l.name === w.name && l.value === w.value));
      if (hit && this.remove(...this.freeValuesOf(child))) n++;
    }
    return n;
  }

  /** Deletes all children, including those reachable through other curried views. */
  reset(): void {
    this.store.root.clear();
    this.store.all.clear();
    this.store.sorted = undefined;
  }

  /** A Vec with some labels fixed; it shares children with this one. */
  curryWith(values: LabelValues): this {
    const curried = [...this.curried];
    for (const [name, value] of Object.entries(values)) {
      const i = this.desc.variableLabels.indexOf(name);
      if (i < 0 || curried[i] !== undefined) {
        throw new LabelValuesError(`metric ${this.desc.fqName}: cannot curry label "${name}": unknown or already curried`);
      }
      curried[i] = value;
    }
    return this.derive({ store: this.store, curried });
  }

  describe(): Iterable<Desc> {
    return [this.desc];
  }

  collect(): Iterable<MetricFamily> {
    const store = this.store;
    if (store.all.size === 0) return [];
    if (store.sorted === undefined) store.sorted = [...store.all].sort((x, y) => compareLabels(x.labels, y.labels));
    const children = store.sorted;
    const metrics: Metric[] = new Array(children.length);
    for (let i = 0; i < children.length; i++) metrics[i] = children[i].metric();
    return [{ name: this.desc.fqName, help: this.desc.help, type: this.type, metrics }];
  }

  private positional(a?: string, b?: string, c?: string, d?: string, e?: string, f?: string, g?: string, h?: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.free.length; i++) {
      const v = pick(i, a, b, c, d, e, f, g, h);
      if (typeof v !== "string") throw this.countError(i);
      out.push(v);
    }
    return out;
  }

  private find(values: readonly string[]): C | undefined {
    let node = this.store.root;
    let k = 0;
    for (let i = 0; ; i++) {
      const fixed = this.curried[i];
      const next = node.get(fixed === undefined ? values[k++] : fixed);
      if (next === undefined) return undefined;
      if (i === this.curried.length - 1) return next as C;
      node = next as Node<C>;
    }
  }

  /** Creates (or returns, if another view made it) the child for the free values given. */
  private create(values: readonly string[]): C {
    for (const v of values) {
      if (typeof v !== "string") throw this.countError(values.length);
    }
    const full = this.fullValues(values);
    let node = this.store.root;
    for (let i = 0; i < full.length - 1; i++) {
      let next = node.get(full[i]) as Node<C> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(full[i], next);
      }
      node = next;
    }
    const last = full[full.length - 1];
    const existing = node.get(last) as C | undefined;
    if (existing !== undefined) return existing;
    const labels: Label[] = [...this.desc.constLabels];
    this.desc.variableLabels.forEach((name, i) => labels.push({ name, value: full[i] }));
    labels.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const child = this.newChild({ labels, labelText: labelPairsText(labels) });
    node.set(last, child);
    this.store.all.add(child);
    this.store.sorted = undefined;
    return child;
  }

  private fullValues(values: readonly string[]): string[] {
    let k = 0;
    return this.curried.map((fixed) => (fixed === undefined ? values[k++] : fixed));
  }

  private deletePath(node: Node<C>, full: readonly string[], i: number): boolean {
    const next = node.get(full[i]);
    if (next === undefined) return false;
    if (i === full.length - 1) {
      node.delete(full[i]);
      this.store.all.delete(next as C);
      this.store.sorted = undefined;
      return true;
    }
    const removed = this.deletePath(next as Node<C>, full, i + 1);
    if (removed && (next as Node<C>).size === 0) node.delete(full[i]);
    return removed;
  }

  private valuesFromObject(values: LabelValues): string[] {
    const keys = Object.keys(values);
    if (keys.length !== this.free.length || !this.freeNames.every((n) => typeof values[n] === "string")) {
      throw this.namesError(values);
    }
    return this.freeNames.map((n) => values[n]);
  }

  private freeValuesOf(child: C): string[] {
    return this.freeNames.map((n) => child.labels.find((l) => l.name === n)?.value ?? "");
  }

  private countError(got: number): LabelValuesError {
    return new LabelValuesError(
      `metric ${this.desc.fqName}: expected ${this.free.length} label values (${this.freeNames.join(", ")}), got ${got}`,
    );
  }

  private namesError(values: LabelValues): LabelValuesError {
    return new LabelValuesError(
      `metric ${this.desc.fqName}: label names {${Object.keys(values).join(", ")}} do not match {${this.freeNames.join(", ")}}`,
    );
  }
}
