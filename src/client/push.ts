// Pushing to a Pushgateway: PUT replaces the group, POST (pushAdd) replaces same-named metrics
// in it, DELETE removes it. The group is /metrics/job/<job>{/<label>/<value>}, with values that
// contain "/" (or are empty) sent as URL-safe base64 under "<label>@base64".
import { isValidLabelName } from "./desc.js";
import { ClientError, InvalidNameError, PushError } from "./errors.js";
import { TEXT_CONTENT_TYPE, writeText } from "./exposition.js";
import type { Gatherer } from "./interface.js";
import { defaultRegistry } from "./registry.js";

export interface PushOptions {
  /** Base URL of the Pushgateway, e.g. http://127.0.0.1:9091 */
  readonly url: string;
  readonly job: string;
  readonly groupingKey?: Readonly<Record<string, string>>;
  /** What to push (default registry when absent). */
  readonly registry?: Gatherer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

function segment(name: string, value: string): string {
  if (value === "" || value.includes("/")) {
    return `${name}@base64/${Buffer.from(value, "utf8").toString("base64url") || "="}`;
  }
  return `${name}/${encodeURIComponent(value)}`;
}

/** The group's URL path below the base URL. */
export function groupPath(job: string, groupingKey: Readonly<Record<string, string>> = {}): string {
  if (job === "") throw new InvalidNameError("push: job name is empty");
  let path = "/metrics/" + segment("job", job);
  for (const name of Object.keys(groupingKey).sort()) {
    if (!isValidLabelName(name) || name === "job") throw new InvalidNameError(`push: grouping label name "${name}" is invalid`);
    path += "/" + segment(name, groupingKey[name]);
  }
  return path;
}

async function send(method: "PUT" | "POST" | "DELETE", opts: PushOptions): Promise<void> {
  const path = groupPath(opts.job, opts.groupingKey);
  let body: string | undefined;
  if (method !== "DELETE") {
    const families = (opts.registry ?? defaultRegistry).gather();
    const grouping: Readonly<Record<string, string>> = { job: opts.job, ...opts.groupingKey };
    for (const fam of families) {
      for (const m of fam.metrics) {
        for (const l of m.labels) {
          if (l.name in grouping && grouping[l.name] !== l.value) {
            throw new ClientError(`push: metric ${fam.name} has label ${l.name}="${l.value}", which conflicts with the grouping key`);
          }
        }
      }
    }
    body = writeText(families);
  }
  const url = opts.url.replace(/\/+$/, "") + path;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      body,
      headers: { ...(body === undefined ? {} : { "Content-Type": TEXT_CONTENT_TYPE }), ...opts.headers },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw new PushError(`push: ${method} ${url}`, undefined, { cause });
  }
  if (res.status !== 200 && res.status !== 202) {
    const text = await res.text().catch(() => "");
    throw new PushError(`push: ${method} ${url}: unexpected status ${res.status}: ${text.slice(0, 200)}`, res.status);
  }
  await res.arrayBuffer().catch(() => undefined);
}

/** Replaces all metrics of the group with the registry's. */
export function push(opts: PushOptions): Promise<void> {
  return send("PUT", opts);
}

/** Replaces only the group's metrics that share a name with the registry's. */
export function pushAdd(opts: PushOptions): Promise<void> {
  return send("POST", opts);
}

/** Deletes the group. */
export function deleteGroup(opts: Omit<PushOptions, "registry">): Promise<void> {
  return send("DELETE", opts);
}

/** The three calls under client_golang's names (delete is a reserved word for a function). */
export const pushgateway = { push, pushAdd, delete: deleteGroup } as const;
