// Known relabeling conditions.

/** A relabel_config that Prometheus would reject when loading the configuration. */
export class RelabelConfigError extends Error {}
