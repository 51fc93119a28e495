// Drains a parser into plain entries for assertions.
import { labelsToRecord } from "../../src/model/labels.js";
import { Entry } from "../../src/textparse/interface.js";
import { newParser } from "../../src/textparse/new-parser.js";

export type Parsed =
  | { kind: "series"; labels: Record<string, string>; value: number; ts?: number; exemplar?: { labels: Record<string, string>; value: number; ts?: number } }
  | { kind: "help"; name: string; help: string }
  | { kind: "type"; name: string; type: string }
  | { kind: "unit"; name: string; unit: string };

export function parseAll(body: string | Uint8Array, contentType = "text/plain; version=0.0.4"): Parsed[] {
  const p = newParser(typeof body === "string" ? Buffer.from(body) : body, contentType);
  const out: Parsed[] = [];
  for (let e = p.next(); e !== Entry.none; e = p.next()) {
    switch (e) {
      case Entry.series: {
        const s: Parsed = { kind: "series", labels: labelsToRecord(p.labels()), value: p.value() };
        const ts = p.timestamp();
        if (ts !== undefined) s.ts = ts;
        const ex = p.exemplar();
        if (ex) s.exemplar = { labels: labelsToRecord(ex.labels), value: ex.value, ...(ex.ts !== undefined ? { ts: ex.ts } : {}) };
        out.push(s);
        break;
      }
      case Entry.help:
        out.push({ kind: "help", name: p.metricName(), help: p.help() });
        break;
      case Entry.type:
        out.push({ kind: "type", name: p.metricName(), type: p.type() });
        break;
      case Entry.unit:
        out.push({ kind: "unit", name: p.metricName(), unit: p.unit() });
        break;
    }
  }
  return out;
}

export const OM = "application/openmetrics-text; version=1.0.0; charset=utf-8";
