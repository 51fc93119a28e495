// dns_sd_configs: SRV, A or AAAA lookups every refresh interval through node:dns (optionally
// against a given server). Labels: __meta_dns_name, and for SRV the record's target (rooted,
// with its final dot, as DNS returns it) and port.
import { Resolver } from "node:dns/promises";
import { nopLogger, type Logger } from "../log/logger.js";
import type { Discoverer, TargetGroup } from "./interface.js";
import { joinHostPort } from "./meta-labels.js";
import { refreshLoop } from "./refresh.js";

export type DnsRecordType = "SRV" | "A" | "AAAA";

export interface DnsSdOptions {
  readonly names: readonly string[];
  readonly type?: DnsRecordType;
  /** Required for A and AAAA. */
  readonly port?: number;
  /** Prometheus' default is 30s. */
  readonly refreshIntervalMs?: number;
  /** "host:port" of the DNS server; the system resolver when unset. */
  readonly server?: string;
  readonly logger?: Logger;
}

const EMPTY_ANSWER = new Set(["ENOTFOUND", "ENODATA"]);

export class DnsDiscoverer implements Discoverer {
  private readonly opts: DnsSdOptions;
  private readonly logger: Logger;
  private readonly resolver: Resolver;
  private readonly type: DnsRecordType;

  constructor(opts: DnsSdOptions) {
    this.opts = opts;
    this.type = opts.type ?? "SRV";
    if (this.type !== "SRV" && !opts.port) throw new Error(`a port is required for DNS-SD of type ${this.type}`);
    this.logger = (opts.logger ?? nopLogger).with({ discovery: "dns" });
    this.resolver = new Resolver({ timeout: 5000, tries: 2 });
    if (opts.server) this.resolver.setServers([opts.server]);
  }

  private async lookup(name: string): Promise<Array<Record<string, string>>> {
    try {
      switch (this.type) {
        case "SRV":
          return (await this.resolver.resolveSrv(name)).map((r) => ({
            __address__: joinHostPort(r.name.replace(/\.$/, ""), r.port),
            __meta_dns_name: name,
            __meta_dns_srv_record_target: r.name.endsWith(".") ? r.name : `${r.name}.`,
            __meta_dns_srv_record_port: String(r.port),
          }));
        case "A":
          return (await this.resolver.resolve4(name)).map((ip) => ({ __address__: joinHostPort(ip, this.opts.port!), __meta_dns_name: name }));
        case "AAAA":
          return (await this.resolver.resolve6(name)).map((ip) => ({ __address__: joinHostPort(ip, this.opts.port!), __meta_dns_name: name }));
      }
    } catch (err) {
      if (EMPTY_ANSWER.has((err as NodeJS.ErrnoException).code ?? "")) return [];
      throw new Error(`lookup ${this.type} ${name}`, { cause: err });
    }
  }

  async refresh(emit: (groups: TargetGroup[]) => void): Promise<void> {
    const groups = await Promise.all(this.opts.names.map(async (name) => ({ source: name, targets: await this.lookup(name), labels: {} })));
    emit(groups);
  }

  async run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    await refreshLoop(signal, this.opts.refreshIntervalMs ?? 30_000, this.logger, () => this.refresh(emit));
    this.resolver.cancel();
  }
}
