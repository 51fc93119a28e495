// A Queryable over a promwasm server's stored chunks (GET /api/v1/promwasm/chunks): each
// select fetches the matching series' raw XOR chunks once and decodes them here with the
// WASM codec, so PromQL is evaluated where this runs (another process, later a page)
// rather than on the server. Only fetch, atob and the codec: no Node built-ins.
import { compareLabels, labelsFromRecord } from "../model/labels.js";
import type { Matcher } from "../model/matcher.js";
import type { SampleBatch } from "../model/sample.js";
import type { Querier, Queryable, SelectHints, Series } from "../storage/interface.js";
import { mergeBatches } from "../storage/merge.js";
import { decodeXorRange } from "../wasm/api.js";

export interface ChunksQueryableOptions {
  /** The server's base URL including any route prefix, e.g. "http://localhost:9090". */
  readonly url: string;
  /** Extra request options (headers for auth, an AbortSignal, ...). */
  readonly init?: RequestInit;
}

interface ChunksAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data: { readonly metric: Record<string, string>; readonly chunks: { readonly data: string; readonly encoding: string }[] }[];
}

/** Matchers as a selector the server's parser takes back unchanged. */
function selectorText(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(",")}}`;
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const seconds = (ms: number): string => String(ms / 1000);

export class ChunksQueryable implements Queryable {
  private readonly base: string;
  private readonly init: RequestInit;

  constructor(opts: ChunksQueryableOptions) {
    this.base = opts.url.replace(/\/+$/, "");
    this.init = opts.init ?? {};
  }

  private async get<T>(path: string, params: [string, string][]): Promise<T> {
    const res = await fetch(`${this.base}${path}?${new URLSearchParams(params).toString()}`, this.init);
    const body = (await res.json()) as { status: string; error?: string } & T;
    if (body.status !== "success") throw new Error(`GET ${path}: ${res.status} ${body.error ?? ""}`.trim());
    return body;
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const range = (hints: SelectHints | undefined): [string, string][] => [
      ["start", seconds(Math.max(mint, hints?.start ?? mint))],
      ["end", seconds(Math.min(maxt, hints?.end ?? maxt))],
    ];
    return {
      select: async (sorted, hints, matchers): Promise<Series[]> => {
        const from = Math.max(mint, hints?.start ?? mint);
        const to = Math.min(maxt, hints?.end ?? maxt);
        const body = await this.get<ChunksAnswer>("/api/v1/promwasm/chunks", [["match[]", selectorText(matchers)], ...range(hints)]);
        const out = body.data.map((s): Series => {
          let batch: SampleBatch | undefined;
          return {
            labels: labelsFromRecord(s.metric),
            // Chunks may overlap (out-of-order data); merging sorts and drops repeats.
            samples: () => (batch ??= mergeBatches(s.chunks.map((c) => decodeXorRange(base64Bytes(c.data), from, to)))),
          };
        });
        return sorted ? out.sort((a, b) => compareLabels(a.labels, b.labels)) : out;
      },
      labelNames: async (matchers) =>
        (await this.get<{ data: string[] }>("/api/v1/labels", [...(matchers.length ? [["match[]", selectorText(matchers)] as [string, string]] : []), ...range(undefined)])).data,
      labelValues: async (name, matchers) =>
        (await this.get<{ data: string[] }>(`/api/v1/label/${encodeURIComponent(name)}/values`, [...(matchers.length ? [["match[]", selectorText(matchers)] as [string, string]] : []), ...range(undefined)])).data,
      close: () => {},
    };
  }
}
