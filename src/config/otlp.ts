// The `otlp:` block of prometheus.yml: how the OTLP receiver names and labels what it
// stores. Defaults and checks as Prometheus 3's config.OTLPConfig.
import type { Node } from "yaml";
import type { YamlReader } from "./yaml-reader.js";

/** How metric and label names are translated (see src/otlp/names.ts). */
export type TranslationStrategy = "UnderscoreEscapingWithSuffixes" | "UnderscoreEscapingWithoutSuffixes" | "NoUTF8EscapingWithSuffixes" | "NoTranslation";

const TRANSLATION_STRATEGIES: readonly string[] = ["UnderscoreEscapingWithSuffixes", "UnderscoreEscapingWithoutSuffixes", "NoUTF8EscapingWithSuffixes", "NoTranslation"];

export interface OTLPConfig {
  readonly promoteResourceAttributes: readonly string[];
  readonly promoteAllResourceAttributes: boolean;
  /** Only with promoteAllResourceAttributes: resource attributes not promoted. */
  readonly ignoreResourceAttributes: readonly string[];
  readonly translationStrategy: TranslationStrategy;
  readonly keepIdentifyingResourceAttributes: boolean;
  /** Accepted; needs native histograms, so explicit histograms stay classic (the receiver says so in its log). */
  readonly convertHistogramsToNHCB: boolean;
  readonly promoteScopeMetadata: boolean;
  readonly labelNameUnderscoreSanitization: boolean;
  readonly labelNamePreserveMultipleUnderscores: boolean;
}

export const DEFAULT_OTLP: OTLPConfig = {
  promoteResourceAttributes: [],
  promoteAllResourceAttributes: false,
  ignoreResourceAttributes: [],
  translationStrategy: "UnderscoreEscapingWithSuffixes",
  keepIdentifyingResourceAttributes: false,
  convertHistogramsToNHCB: false,
  promoteScopeMetadata: false,
  labelNameUnderscoreSanitization: true,
  labelNamePreserveMultipleUnderscores: true,
};

export function readOTLPConfig(node: Node, r: YamlReader): OTLPConfig {
  const c = { ...DEFAULT_OTLP };
  let promote: string[] = [];
  let ignore: string[] = [];
  r.object(node, "config.OTLPConfig", {
    promote_resource_attributes: (n) => (promote = r.stringList(n)),
    promote_all_resource_attributes: (n) => (c.promoteAllResourceAttributes = r.bool(n)),
    ignore_resource_attributes: (n) => (ignore = r.stringList(n)),
    translation_strategy: (n) => {
      const s = r.string(n);
      // An empty value means the default, as in Prometheus.
      if (s === "") return;
      if (!TRANSLATION_STRATEGIES.includes(s)) r.fail(n, `unsupported OTLP translation strategy "${s}"`);
      c.translationStrategy = s as TranslationStrategy;
    },
    keep_identifying_resource_attributes: (n) => (c.keepIdentifyingResourceAttributes = r.bool(n)),
    convert_histograms_to_nhcb: (n) => (c.convertHistogramsToNHCB = r.bool(n)),
    promote_scope_metadata: (n) => (c.promoteScopeMetadata = r.bool(n)),
    label_name_underscore_sanitization: (n) => (c.labelNameUnderscoreSanitization = r.bool(n)),
    label_name_preserve_multiple_underscores: (n) => (c.labelNamePreserveMultipleUnderscores = r.bool(n)),
  });
  if (c.promoteAllResourceAttributes) {
    if (promote.length > 0) r.fail(node, "'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously");
    c.ignoreResourceAttributes = checkAttributes(ignore, "ignored", "ignore_resource_attributes", node, r);
  } else {
    if (ignore.length > 0) r.fail(node, "'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true");
    c.promoteResourceAttributes = checkAttributes(promote, "promoted", "promote_resource_attributes", node, r);
  }
  return c;
}

function checkAttributes(list: readonly string[], adjective: string, field: string, node: Node, r: YamlReader): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const raw of list) {
    const a = raw.trim();
    if (a === "") problems.push(`empty ${adjective} OTel resource attribute`);
    else if (seen.has(a)) problems.push(`duplicated ${adjective} OTel resource attribute "${a}"`);
    else seen.add(a);
  }
  if (problems.length > 0) r.fail(node, `invalid '${field}': ${problems.join("\n")}`);
  return [...seen];
}
