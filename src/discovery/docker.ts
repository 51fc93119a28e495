// docker_sd_configs: the containers of a Docker Engine, every refresh interval, as one group
// ("Docker") with a target per network and TCP port (or per network with the configured
// port when none is published). The Engine API is reached over its unix socket, or over
// HTTP(S) through the shared HTTP client (tcp:// is plain HTTP, as the Docker client reads it).
import { request } from "node:http";
import type { DockerSDConfig } from "../config/types.js";
import { HttpClient, PROMETHEUS_USER_AGENT } from "../httpclient/client.js";
import { nopLogger, type Logger } from "../log/logger.js";
import type { Discoverer, TargetGroup } from "./interface.js";
import { joinHostPort, sanitizeLabelName } from "./meta-labels.js";
import { refreshLoop } from "./refresh.js";

export interface DockerSdOptions {
  readonly config: DockerSDConfig;
  readonly logger?: Logger;
}

interface EndpointSettings {
  readonly NetworkID?: string;
  readonly IPAddress?: string;
  readonly GlobalIPv6Address?: string;
}

interface ContainerSummary {
  readonly Id?: string;
  readonly Names?: readonly string[];
  readonly Image?: string;
  readonly ImageID?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly Ports?: ReadonlyArray<{ readonly IP?: string; readonly PrivatePort?: number; readonly PublicPort?: number; readonly Type?: string }> | null;
  readonly HostConfig?: { readonly NetworkMode?: string };
  readonly NetworkSettings?: { readonly Networks?: Readonly<Record<string, EndpointSettings | null>> | null };
}

interface NetworkSummary {
  readonly Id?: string;
  readonly Name?: string;
  readonly Scope?: string;
  readonly Internal?: boolean;
  readonly Ingress?: boolean;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

const P = "__meta_docker_";

export class DockerDiscoverer implements Discoverer {
  private readonly cfg: DockerSDConfig;
  private readonly logger: Logger;
  /** Set for unix:// hosts; the HTTP client serves the others. */
  private readonly socketPath: string | undefined;
  private readonly base: string;
  private readonly client: HttpClient;

  constructor(opts: DockerSdOptions) {
    this.cfg = opts.config;
    this.logger = (opts.logger ?? nopLogger).with({ discovery: "docker" });
    const u = new URL(this.cfg.host);
    if (u.protocol === "unix:") {
      this.socketPath = u.pathname;
      this.base = "http://docker";
    } else {
      this.base = (u.protocol === "tcp:" ? `http://${u.host}` : `${u.protocol}//${u.host}`) + u.pathname.replace(/\/$/, "");
    }
    this.client = new HttpClient({ config: this.cfg.httpClientConfig, userAgent: PROMETHEUS_USER_AGENT });
  }

  private async get(path: string, signal: AbortSignal): Promise<unknown> {
    const url = this.base + path;
    let status: number;
    let body: Buffer;
    if (this.socketPath !== undefined) ({ status, body } = await socketGet(this.socketPath, path, this.cfg.refreshIntervalMs, signal));
    else ({ status, body } = await this.client.request(url, { headers: { Accept: "application/json" }, timeoutMs: this.cfg.refreshIntervalMs, signal }));
    if (status !== 200) throw new Error(`GET ${path}: Docker Engine returned HTTP status ${status}: ${body.toString("utf8").trim().slice(0, 200)}`);
    try {
      return JSON.parse(body.toString("utf8")) as unknown;
    } catch (cause) {
      throw new Error(`GET ${path}: invalid JSON`, { cause });
    }
  }

  async refresh(signal: AbortSignal): Promise<TargetGroup> {
    const filters: Record<string, Record<string, boolean>> = {};
    for (const f of this.cfg.filters) for (const v of f.values) (filters[f.name] ??= {})[v] = true;
    const query = Object.keys(filters).length > 0 ? `?filters=${encodeURIComponent(JSON.stringify(filters))}` : "";
    let containers: ContainerSummary[];
    try {
      containers = (await this.get(`/containers/json${query}`, signal)) as ContainerSummary[];
    } catch (cause) {
      throw new Error("error while listing containers", { cause });
    }
    let networks: NetworkSummary[];
    try {
      networks = (await this.get("/networks", signal)) as NetworkSummary[];
    } catch (cause) {
      throw new Error("error while computing network labels", { cause });
    }
    return { source: "Docker", targets: this.targets(containers, networks), labels: {} };
  }

  private targets(containers: readonly ContainerSummary[], networks: readonly NetworkSummary[]): Array<Record<string, string>> {
    const networkLabels = new Map<string, Record<string, string>>();
    for (const n of networks) {
      const ls: Record<string, string> = {
        [`${P}network_id`]: n.Id ?? "",
        [`${P}network_name`]: n.Name ?? "",
        [`${P}network_scope`]: n.Scope ?? "",
        [`${P}network_internal`]: String(n.Internal ?? false),
        [`${P}network_ingress`]: String(n.Ingress ?? false),
      };
      for (const [k, v] of Object.entries(n.Labels ?? {})) ls[`${P}network_label_${sanitizeLabelName(k)}`] = v;
      networkLabels.set(n.Id ?? "", ls);
    }
    const byId = new Map(containers.map((c) => [c.Id ?? "", c]));
    const out: Array<Record<string, string>> = [];
    for (const c of containers) {
      if (!c.Names || c.Names.length === 0) continue;
      const mode = c.HostConfig?.NetworkMode ?? "";
      const common: Record<string, string> = { [`${P}container_id`]: c.Id ?? "", [`${P}container_name`]: c.Names[0]!, [`${P}container_network_mode`]: mode };
      if (c.Image) common[`${P}container_image`] = c.Image;
      if (c.ImageID) common[`${P}container_image_id`] = c.ImageID;
      for (const [k, v] of Object.entries(c.Labels ?? {})) common[`${P}container_label_${sanitizeLabelName(k)}`] = v;
      let nets = Object.entries(c.NetworkSettings?.Networks ?? {});
      // "container:<id>" shares another container's network stack: use that one's networks.
      let shared = mode;
      const seen = new Set<string>();
      while (nets.length === 0 && shared.startsWith("container:") && !seen.has(shared)) {
        seen.add(shared);
        const other = byId.get(shared.slice("container:".length));
        if (!other) break;
        nets = Object.entries(other.NetworkSettings?.Networks ?? {});
        shared = other.HostConfig?.NetworkMode ?? "";
      }
      nets = nets.filter(([, n]) => n !== null);
      // One network per container (the first by name) avoids scraping it once per network.
      if (this.cfg.matchFirstNetwork && nets.length > 1) nets = [nets.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))[0]!];
      for (const [, n] of nets) {
        const ip = n!.IPAddress || n!.GlobalIPv6Address || "";
        const netLabels = networkLabels.get(n!.NetworkID ?? "") ?? {};
        let added = false;
        for (const p of c.Ports ?? []) {
          if (p.Type !== "tcp") continue;
          const t: Record<string, string> = { [`${P}network_ip`]: ip, [`${P}port_private`]: String(p.PrivatePort ?? 0) };
          if ((p.PublicPort ?? 0) > 0) {
            t[`${P}port_public`] = String(p.PublicPort);
            t[`${P}port_public_ip`] = p.IP ?? "";
          }
          out.push({ ...t, ...common, ...netLabels, __address__: joinHostPort(ip, p.PrivatePort ?? 0) });
          added = true;
        }
        if (!added) {
          const address = mode !== "host" ? joinHostPort(ip, this.cfg.port) : this.cfg.hostNetworkingHost;
          out.push({ [`${P}network_ip`]: ip, ...common, ...netLabels, __address__: address });
        }
      }
    }
    return out;
  }

  async run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    try {
      await refreshLoop(signal, this.cfg.refreshIntervalMs, this.logger, async () => emit([await this.refresh(signal)]));
    } finally {
      this.client.close();
    }
  }
}

/** One GET over a unix socket (the Engine's default endpoint); HTTP client settings do not apply there, as in Prometheus. */
function socketGet(socketPath: string, path: string, timeoutMs: number, signal: AbortSignal): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers: { Host: "docker", Accept: "application/json", "User-Agent": PROMETHEUS_USER_AGENT }, signal, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} on ${socketPath}: timed out after ${timeoutMs}ms`)));
    req.on("error", (err) => reject(new Error(`GET ${path} on ${socketPath}`, { cause: err })));
    req.end();
  });
}
