// `promwasm-tool query instant|range|series|labels SERVER ...`: the same arguments and output
// as promtool's query commands (promql text or -o json).
import { labelsFromRecord, labelsToString, type Labels } from "../model/labels.js";
import { formatTimestamp } from "../web/format.js";
import { parseDurationParam, parseTime } from "../web/params.js";
import type { ToolIO } from "./tool-check.js";

const STDIO: ToolIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

interface QueryArgs {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

const VALUE_FLAGS = new Set(["time", "format", "o", "match", "start", "end", "step", "header", "enable-feature"]);

function parseArgs(args: readonly string[]): QueryArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    const body = a.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    if (!VALUE_FLAGS.has(name)) throw new Error(`unknown flag '${a}'`);
    const value = eq < 0 ? args[++i] : body.slice(eq + 1);
    if (value === undefined) throw new Error(`expected argument for flag '${a}'`);
    const key = name === "o" ? "format" : name;
    flags.set(key, [...(flags.get(key) ?? []), value]);
  }
  return { positional, flags };
}

type Json = Record<string, unknown>;

export async function queryCommand(args: string[], io: ToolIO = STDIO): Promise<number> {
  const [sub, ...rest] = args;
  let parsed: QueryArgs;
  try {
    parsed = parseArgs(rest);
  } catch (err) {
    io.err(`promwasm-tool: error: ${(err as Error).message}\n`);
    return 1;
  }
  const one = (name: string): string | undefined => parsed.flags.get(name)?.at(-1);
  const format = one("format") ?? "promql";
  if (format !== "promql" && format !== "json") {
    io.err(`promwasm-tool: error: enum value must be one of promql,json, got '${format}'\n`);
    return 1;
  }
  const [server, expr] = parsed.positional;
  const usage = (): number => {
    io.err(`usage: promwasm-tool query instant|range|series|labels [<flags>] <server> ...\n`);
    return 1;
  };
  if (!server) return usage();
  const headers: Record<string, string> = {};
  for (const h of parsed.flags.get("header") ?? []) {
    const i = h.indexOf("=");
    if (i > 0) headers[h.slice(0, i)] = h.slice(i + 1);
  }
  const form = new URLSearchParams();
  let path: string;
  try {
    switch (sub) {
      case "instant":
        if (expr === undefined) return usage();
        path = "/api/v1/query";
        form.set("query", expr);
        form.set("time", seconds(one("time") ? parseTime(one("time")!) : Date.now()));
        break;
      case "range": {
        if (expr === undefined) return usage();
        path = "/api/v1/query_range";
        const end = one("end") ? parseTime(one("end")!) : Date.now();
        const start = one("start") ? parseTime(one("start")!) : end - 300_000;
        // promtool's default: about 250 points, at least one second apart.
        const step = one("step") ? parseDurationParam(one("step")!) : Math.max(Math.floor((end - start) / 250 / 1000) * 1000, 1000);
        form.set("query", expr);
        form.set("start", seconds(start));
        form.set("end", seconds(end));
        form.set("step", String(step / 1000));
        break;
      }
      case "series": {
        path = "/api/v1/series";
        const matches = parsed.flags.get("match") ?? [];
        if (matches.length === 0) {
          io.err("promwasm-tool: error: required flag --match not provided\n");
          return 1;
        }
        for (const m of matches) form.append("match[]", m);
        setRange(form, one("start"), one("end"));
        break;
      }
      case "labels": {
        if (expr === undefined) return usage();
        path = `/api/v1/label/${encodeURIComponent(expr)}/values`;
        for (const m of parsed.flags.get("match") ?? []) form.append("match[]", m);
        setRange(form, one("start"), one("end"));
        break;
      }
      default:
        return usage();
    }
  } catch (err) {
    io.err(`promwasm-tool: error: ${(err as Error).message}\n`);
    return 1;
  }

  let body: Json;
  try {
    const url = new URL(server.replace(/\/+$/, "") + path);
    const reqHeaders: Record<string, string> = { ...headers };
    if (url.username !== "") reqHeaders.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
    url.username = "";
    url.password = "";
    const method = sub === "labels" ? "GET" : "POST";
    if (method === "POST") reqHeaders["content-type"] = "application/x-www-form-urlencoded";
    const target = method === "GET" ? `${url.toString()}?${form}` : url.toString();
    const res = await fetch(target, {
      method,
      headers: reqHeaders,
      body: method === "POST" ? form.toString() : undefined,
    });
    const text = await res.text();
    try {
      body = JSON.parse(text) as Json;
    } catch {
      throw new Error(`server returned HTTP status ${res.status} ${res.statusText}: ${text.trim()}`);
    }
  } catch (err) {
    io.err(`query error: ${(err as Error).message}\n`);
    return 1;
  }
  if (body.status !== "success") {
    io.err(`query error: ${String(body.errorType)}: ${String(body.error)}\n`);
    return 1;
  }
  for (const w of (body.warnings as string[] | undefined) ?? []) io.err(`query warning: ${w}\n`);
  const data = body.data as Json | unknown[];
  if (format === "json") {
    const out = sub === "instant" || sub === "range" ? (data as Json).result : data;
    io.out(JSON.stringify(out) + "\n");
    return 0;
  }
  io.out(renderPromQL(sub, data));
  return 0;
}

function seconds(ms: number): string {
  return formatTimestamp(ms);
}

function setRange(form: URLSearchParams, start: string | undefined, end: string | undefined): void {
  if (start) form.set("start", seconds(parseTime(start)));
  if (end) form.set("end", seconds(parseTime(end)));
}

type Pair = [number, string];

function sample([t, v]: Pair): string {
  return `${v} @[${formatTimestamp(Math.round(t * 1000))}]`;
}

/** The text promtool prints: Go's model.Value String() forms. */
function renderPromQL(sub: string, data: Json | unknown[]): string {
  if (sub === "series") return (data as Record<string, string>[]).map((s) => labelSetString(labelsFromRecord(s)) + "\n").join("");
  if (sub === "labels") return (data as string[]).map((v) => v + "\n").join("");
  const d = data as { resultType: string; result: unknown };
  switch (d.resultType) {
    case "scalar":
      return `scalar: ${sample(d.result as Pair)}\n`;
    case "string":
      return `${(d.result as Pair)[1]} @[${formatTimestamp(Math.round((d.result as Pair)[0] * 1000))}]\n`;
    case "vector":
      return (d.result as { metric: Record<string, string>; value: Pair }[]).map((s) => `${labelsToString(labelsFromRecord(s.metric))} => ${sample(s.value)}`).join("\n") + "\n";
    case "matrix":
      return (d.result as { metric: Record<string, string>; values: Pair[] }[])
        .map((s) => `${labelsToString(labelsFromRecord(s.metric))} =>\n${s.values.map(sample).join("\n")}`)
        .join("\n") + "\n";
    default:
      return JSON.stringify(d.result) + "\n";
  }
}

/** {a="b", c="d"} with every label, __name__ included. */
function labelSetString(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ")}}`;
}

