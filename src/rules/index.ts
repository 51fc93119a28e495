export { RuleManager, RULE_MANAGER_DEFAULTS, type RuleManagerOptions, type RuleGroupJSON, type RuleJSON, type AlertJSON } from "./manager.js";
export { RuleFileError, TemplateError, RuleEvalError } from "./errors.js";
export { loadRuleFile, parseRuleFile, type RuleGroupSpec, type RuleSpec } from "./rule-file.js";
export { checkTemplate, expandTemplate, type TemplateData } from "./template.js";
