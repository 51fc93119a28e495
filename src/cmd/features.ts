// --enable-feature: a comma-separated list (the flag may repeat), read as Prometheus reads
// it. Names promwasm implements switch engine and parser options; names that are always on
// or unknown are logged and ignored, never an error.
import type { Logger } from "../log/logger.js";
import type { ParseOptions } from "../promql/parser/parse.js";

export interface EnabledFeatures {
  /** promql-delayed-name-removal, for EngineOptions.delayedNameRemoval. */
  readonly delayedNameRemoval: boolean;
  /** The experimental PromQL syntax switches, for the engine and the API's parser. */
  readonly parseOptions: ParseOptions;
  /** otlp-write-receiver: Prometheus 2.x's switch for what --web.enable-otlp-receiver turns on. */
  readonly otlpWriteReceiver: boolean;
  /** otlp-native-delta-ingestion: OTLP delta sums and histograms are stored as sent instead of rejected. */
  readonly otlpNativeDeltaIngestion: boolean;
  /** Every name given, in order, empty entries left out. */
  readonly names: readonly string[];
}

type ParseSwitch = keyof ParseOptions;

const PARSE_FEATURES: Readonly<Record<string, readonly [ParseSwitch, string]>> = {
  "promql-experimental-functions": ["experimentalFunctions", "Experimental PromQL functions enabled."],
  "promql-duration-expr": ["durationExpressions", "Experimental duration expression parsing enabled."],
  "promql-extended-range-selectors": ["extendedRangeSelectors", "Experimental extended range selectors enabled."],
  "promql-binop-fill-modifiers": ["binopFillModifiers", "Experimental binary operator fill modifiers enabled."],
};

/** Features Prometheus has made permanent: accepted as no-ops. */
const ALWAYS_ON = new Set(["promql-at-modifier", "promql-negative-offset"]);

/** Prometheus features promwasm does not implement: named as such in the warning. */
const NOT_IMPLEMENTED = new Set([
  "agent", "auto-gomaxprocs", "concurrent-rule-eval", "created-timestamp-zero-ingestion", "delayed-compaction",
  "exemplar-storage", "expand-external-labels", "extra-scrape-metrics", "memory-snapshot-on-shutdown", "native-histograms",
  "new-service-discovery-manager", "no-default-scrape-port", "otlp-deltatocumulative", "promql-per-step-stats", "remote-write-receiver",
]);

/** Reads the --enable-feature value (repeats already joined with ","), logging as Prometheus does. */
export function enabledFeatures(flagValue: string, logger: Logger): EnabledFeatures {
  const names: string[] = [];
  const parse: { -readonly [K in ParseSwitch]?: boolean } = {};
  let delayedNameRemoval = false;
  let otlpWriteReceiver = false;
  let otlpNativeDeltaIngestion = false;
  for (const name of flagValue.split(",")) {
    if (name === "") continue;
    names.push(name);
    const p = PARSE_FEATURES[name];
    if (p) {
      parse[p[0]] = true;
      logger.info(p[1]);
    } else if (name === "promql-delayed-name-removal") {
      delayedNameRemoval = true;
      logger.info("Experimental PromQL delayed name removal enabled.");
    } else if (name === "otlp-write-receiver") {
      otlpWriteReceiver = true;
      logger.warn("This option for --enable-feature is deprecated; use --web.enable-otlp-receiver.", { option: name });
    } else if (name === "otlp-native-delta-ingestion") {
      otlpNativeDeltaIngestion = true;
      logger.info("Enabling native ingestion of delta OTLP metrics, storing the raw sample values without conversion.");
    } else if (ALWAYS_ON.has(name)) {
      logger.warn("This option for --enable-feature is now permanently enabled and therefore a no-op.", { option: name });
    } else if (NOT_IMPLEMENTED.has(name)) {
      logger.warn("This option for --enable-feature is not implemented by promwasm and is ignored.", { option: name });
    } else {
      logger.warn("Unknown option for --enable-feature", { option: name });
    }
  }
  return { delayedNameRemoval, parseOptions: parse, otlpWriteReceiver, otlpNativeDeltaIngestion, names };
}
