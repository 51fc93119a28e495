// Registry: checks descriptors when collectors register and gathers their families, merged by
// name and sorted, with consistency checks for what custom collectors yield.
import { compareLabels, labelsKey } from "../model/labels.js";
import type { Desc } from "./desc.js";
import { isValidMetricName } from "./desc.js";
import { AlreadyRegisteredError, GatherError, RegistrationError } from "./errors.js";
import { writeExposition, type ExpositionFormat } from "./exposition.js";
import type { Collector, Gatherer, Metric, MetricFamily, Registerer } from "./interface.js";
import { MetricVec } from "./vec.js";

interface Registered {
  readonly descs: readonly Desc[];
  readonly id: string;
  /** Names the collector described; a checked collector may only yield these. */
  readonly names: ReadonlySet<string>;
}

export class Registry implements Registerer, Gatherer {
  private readonly collectors = new Map<Collector, Registered>();
  private readonly byDescId = new Map<string, Collector>();
  private readonly byCollectorId = new Map<string, Collector>();
  private readonly dimKeyByName = new Map<string, string>();

  /** Registers a collector; throws RegistrationError (AlreadyRegisteredError for an equal one). */
  register(collector: Collector): void {
    const existingSame = this.collectors.get(collector);
    if (existingSame) throw new AlreadyRegisteredError("collector is already registered", collector);
    const descs = [...collector.describe()];
    const ids = new Set<string>();
    let conflict: RegistrationError | undefined;
    const newDims = new Map<string, string>();
    for (const desc of descs) {
      if (ids.has(desc.id)) throw new RegistrationError(`collector describes ${desc} twice`);
      ids.add(desc.id);
      if (this.byDescId.has(desc.id) && !conflict) {
        conflict = new RegistrationError(`descriptor ${desc} already exists with the same fully-qualified name and const label values`);
      }
      const dims = this.dimKeyByName.get(desc.fqName) ?? newDims.get(desc.fqName);
      if (dims !== undefined && dims !== desc.dimKey) {
        throw new RegistrationError(
          `a previously registered descriptor with the same fully-qualified name as ${desc} has different label names or a different help string`,
        );
      }
      newDims.set(desc.fqName, desc.dimKey);
    }
    const id = [...ids].sort().join("\n");
    if (descs.length > 0) {
      const existing = this.byCollectorId.get(id);
      if (existing) throw new AlreadyRegisteredError(`a collector with the same descriptors is already registered (${descs[0]})`, existing);
      if (conflict) throw conflict;
    }
    this.collectors.set(collector, { descs, id, names: new Set(descs.map((d) => d.fqName)) });
    if (descs.length > 0) this.byCollectorId.set(id, collector);
    for (const desc of descs) this.byDescId.set(desc.id, collector);
    for (const [name, dims] of newDims) this.dimKeyByName.set(name, dims);
  }

  /** Registers each collector in turn (stops at the first error). */
  registerAll(...collectors: Collector[]): void {
    for (const c of collectors) this.register(c);
  }

  /** Removes a collector; false if it was not registered. */
  unregister(collector: Collector): boolean {
    const reg = this.collectors.get(collector);
    if (!reg) return false;
    this.collectors.delete(collector);
    if (reg.descs.length > 0) this.byCollectorId.delete(reg.id);
    for (const desc of reg.descs) this.byDescId.delete(desc.id);
    const stillUsed = new Set<string>();
    for (const other of this.collectors.values()) for (const d of other.descs) stillUsed.add(d.fqName);
    for (const desc of reg.descs) if (!stillUsed.has(desc.fqName)) this.dimKeyByName.delete(desc.fqName);
    return true;
  }

  /** Unregisters everything. */
  clear(): void {
    this.collectors.clear();
    this.byDescId.clear();
    this.byCollectorId.clear();
    this.dimKeyByName.clear();
  }

  /** Every registered collector's families, merged by name, sorted by name; empty families dropped. */
  gather(): MetricFamily[] {
    const byName = new Map<string, { fam: MetricFamily; metrics: Metric[] | undefined; check: boolean }>();
    for (const [collector, reg] of this.collectors) {
      const trusted = collector instanceof MetricVec;
      for (const fam of collector.collect()) {
        if (reg.descs.length > 0 && !reg.names.has(fam.name)) {
          throw new GatherError(`collected metric family ${fam.name} was not described by its collector`);
        }
        const entry = byName.get(fam.name);
        if (entry === undefined) {
          if (!isValidMetricName(fam.name)) throw new GatherError(`collected metric family "${fam.name}" has an invalid name`);
          byName.set(fam.name, { fam, metrics: undefined, check: !trusted && fam.metrics.length > 1 });
          continue;
        }
        if (entry.fam.type !== fam.type || entry.fam.help !== fam.help) {
          throw new GatherError(
            `collected metric family ${fam.name} (${fam.type}) is inconsistent with one gathered earlier (${entry.fam.type}): type or help differs`,
          );
        }
        entry.metrics ??= [...entry.fam.metrics];
        for (const m of fam.metrics) entry.metrics.push(m);
        entry.check = true;
      }
    }
    const names = [...byName.keys()].sort();
    const out: MetricFamily[] = [];
    for (const name of names) {
      const { fam, metrics, check } = byName.get(name)!;
      const list = metrics ?? fam.metrics;
      if (list.length === 0) continue;
      if (!check) {
        out.push(fam);
        continue;
      }
      const sorted = [...list].sort((a, b) => compareLabels(a.labels, b.labels));
      for (let i = 1; i < sorted.length; i++) {
        if (labelsKey(sorted[i].labels) === labelsKey(sorted[i - 1].labels)) {
          throw new GatherError(`collected metric ${name}{${sorted[i].labels.map((l) => `${l.name}="${l.value}"`).join(",")}} was collected before with the same name and label values`);
        }
      }
      out.push({ name, help: fam.help, type: fam.type, metrics: sorted });
    }
    return out;
  }

  /** The exposition of gather() in the given format (text 0.0.4 by default). */
  metrics(format: ExpositionFormat = "text"): string {
    return writeExposition(this.gather(), format);
  }
}

/** The process-wide registry, like client_golang's DefaultRegisterer/DefaultGatherer. */
export const defaultRegistry = new Registry();
