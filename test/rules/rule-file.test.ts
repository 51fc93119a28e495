// Rule expressions follow the server's --enable-feature flags: experimental PromQL is
// refused by default, as Prometheus refuses it, and accepted once the feature is on.
import { describe, expect, test } from "vitest";
import { parseRuleFile } from "../../src/rules/rule-file.js";
import { RuleFileError } from "../../src/rules/errors.js";

const FILE = `groups:
  - name: g
    rules:
      - record: job:up:sorted
        expr: sort_by_label(up, "job")
`;

describe("rule file expressions and experimental PromQL", () => {
  test("an experimental function is an error without the feature", () => {
    expect(() => parseRuleFile(FILE, "rules.yml")).toThrow(RuleFileError);
    expect(() => parseRuleFile(FILE, "rules.yml")).toThrow(/function "sort_by_label" is not enabled/);
  });
  test("the same file loads with experimental functions enabled", () => {
    const groups = parseRuleFile(FILE, "rules.yml", { experimentalFunctions: true });
    expect(groups.map((g) => g.rules.map((r) => r.record))).toEqual([["job:up:sorted"]]);
  });
});
