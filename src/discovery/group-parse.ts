// The JSON/YAML target group list that file_sd and http_sd share:
// [{ "targets": ["host:port", ...], "labels": { "name": "value" } }, ...]
import type { TargetGroup } from "./interface.js";

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class TargetGroupFormatError extends Error {}

/** Validates a decoded list; source(i) names each group. */
export function parseTargetGroups(data: unknown, source: (i: number) => string, extraLabels: Record<string, string>): TargetGroup[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new TargetGroupFormatError("target groups must be a list");
  return data.map((g: unknown, i) => {
    if (typeof g !== "object" || g === null) throw new TargetGroupFormatError(`group ${i}: not an object`);
    const { targets, labels } = g as { targets?: unknown; labels?: unknown };
    if (!Array.isArray(targets)) throw new TargetGroupFormatError(`group ${i}: "targets" must be a list of strings`);
    const out: Record<string, string>[] = [];
    for (const t of targets) {
      if (typeof t !== "string" || t === "") throw new TargetGroupFormatError(`group ${i}: invalid target ${JSON.stringify(t)}`);
      out.push({ __address__: t });
    }
    const groupLabels: Record<string, string> = { ...extraLabels };
    if (labels !== undefined && labels !== null) {
      if (typeof labels !== "object" || Array.isArray(labels)) throw new TargetGroupFormatError(`group ${i}: "labels" must be a map`);
      for (const [k, v] of Object.entries(labels)) {
        if (!LABEL_NAME.test(k)) throw new TargetGroupFormatError(`group ${i}: invalid label name ${JSON.stringify(k)}`);
        if (typeof v !== "string") throw new TargetGroupFormatError(`group ${i}: label ${k} must be a string`);
        groupLabels[k] = v;
      }
    }
    return { source: source(i), targets: out, labels: groupLabels };
  });
}
