// Service discovery: a Discoverer watches one source of targets and emits target groups.

/** A set of targets from one source; each target is a label record with __address__. */
export interface TargetGroup {
  /** Identifies the group within its provider; a later group with the same source replaces it. */
  readonly source: string;
  readonly targets: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Labels shared by every target of the group (targets' own labels win). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface Discoverer {
  /**
   * Runs until signal aborts, calling emit with changed groups (an empty targets list
   * removes a source). Resolves when stopped; failures are logged and retried inside.
   */
  run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void>;
}
