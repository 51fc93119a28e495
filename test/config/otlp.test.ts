// The otlp: block: Prometheus 3's defaults, fields and error texts (its config tests'
// fixtures, config/testdata/otlp_*.yml, restated here), and how /status/config shows it.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { renderConfig } from "../../src/config/render.js";

const opts = { file: "prometheus.yml", baseDir: "/etc/prometheus" };
const parse = (text: string) => parseConfig(text, opts);

describe("otlp config", () => {
  it("defaults to UnderscoreEscapingWithSuffixes and no promotion when the block is absent", () => {
    const c = parse("global: {}\n");
    expect(c.otlp).toEqual({
      promoteResourceAttributes: [],
      promoteAllResourceAttributes: false,
      ignoreResourceAttributes: [],
      translationStrategy: "UnderscoreEscapingWithSuffixes",
      keepIdentifyingResourceAttributes: false,
      convertHistogramsToNHCB: false,
      promoteScopeMetadata: false,
      labelNameUnderscoreSanitization: true,
      labelNamePreserveMultipleUnderscores: true,
    });
    expect(renderConfig(c)).not.toContain("otlp:");
  });

  it("reads every field and trims promoted attribute names", () => {
    const c = parse(
      [
        "otlp:",
        '  promote_resource_attributes: ["k8s.cluster.name", " k8s.job.name ", "k8s.namespace.name"]',
        "  translation_strategy: NoUTF8EscapingWithSuffixes",
        "  keep_identifying_resource_attributes: true",
        "  promote_scope_metadata: true",
        "  label_name_underscore_sanitization: false",
        "  label_name_preserve_multiple_underscores: false",
        "",
      ].join("\n"),
    );
    expect(c.otlp.promoteResourceAttributes).toEqual(["k8s.cluster.name", "k8s.job.name", "k8s.namespace.name"]);
    expect(c.otlp.translationStrategy).toBe("NoUTF8EscapingWithSuffixes");
    expect(c.otlp.keepIdentifyingResourceAttributes).toBe(true);
    expect(c.otlp.promoteScopeMetadata).toBe(true);
    expect(c.otlp.labelNameUnderscoreSanitization).toBe(false);
    expect(c.otlp.labelNamePreserveMultipleUnderscores).toBe(false);
    const shown = renderConfig(c);
    expect(shown).toMatch(/otlp:\n  promote_resource_attributes:\n  - k8s.cluster.name\n  - k8s.job.name\n  - k8s.namespace.name\n  translation_strategy: NoUTF8EscapingWithSuffixes\n  keep_identifying_resource_attributes: true\n  promote_scope_metadata: true\n/);
  });

  it("accepts promote_all_resource_attributes with ignore_resource_attributes", () => {
    const c = parse('otlp:\n  promote_all_resource_attributes: true\n  ignore_resource_attributes: ["k8s.pod.uid", " process.pid"]\n');
    expect(c.otlp.promoteAllResourceAttributes).toBe(true);
    expect(c.otlp.ignoreResourceAttributes).toEqual(["k8s.pod.uid", "process.pid"]);
  });

  it.each([
    ['otlp:\n  promote_resource_attributes: ["k8s.cluster.name", " k8s.job.name ", "k8s.namespace.name", "k8s.job.name", ""]\n', [`invalid 'promote_resource_attributes'`, `duplicated promoted OTel resource attribute "k8s.job.name"`, "empty promoted OTel resource attribute"]],
    ['otlp:\n  promote_all_resource_attributes: true\n  ignore_resource_attributes: ["a", "a", ""]\n', [`invalid 'ignore_resource_attributes'`, `duplicated ignored OTel resource attribute "a"`, "empty ignored OTel resource attribute"]],
    ['otlp:\n  promote_all_resource_attributes: true\n  promote_resource_attributes: ["k8s.cluster.name"]\n', ["'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously"]],
    ['otlp:\n  ignore_resource_attributes: ["k8s.job.name"]\n', ["'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true"]],
    ["otlp:\n  translation_strategy: Invalid\n", ['unsupported OTLP translation strategy "Invalid"']],
    ["otlp:\n  promote_everything: true\n", ["field promote_everything not found in type config.OTLPConfig"]],
  ])("rejects %j", (text, messages) => {
    let err: Error | undefined;
    try {
      parse(text);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeDefined();
    for (const m of messages) expect(err!.message).toContain(m);
  });
});
