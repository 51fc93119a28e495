// Node's socket and DNS errors in the words of Go's net package, because dashboards and
// alerts match Prometheus' lastError text ("connect: connection refused", "no such host").
import { readFileSync } from "node:fs";

interface SystemError extends Error {
  readonly code?: string;
  readonly address?: string;
  readonly port?: number;
  readonly hostname?: string;
}

const CONNECT_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network is unreachable",
  EADDRNOTAVAIL: "cannot assign requested address",
};

const TLS_ERRORS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "x509: certificate signed by unknown authority",
  SELF_SIGNED_CERT_IN_CHAIN: "x509: certificate signed by unknown authority",
  DEPTH_ZERO_SELF_SIGNED_CERT: "x509: certificate signed by unknown authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "x509: certificate signed by unknown authority",
  CERT_HAS_EXPIRED: "x509: certificate has expired or is not yet valid",
  CERT_NOT_YET_VALID: "x509: certificate has expired or is not yet valid",
};

let nameserver: string | undefined;

/** The first resolver in /etc/resolv.conf, which Go names in a failed lookup. */
function resolver(): string {
  if (nameserver === undefined) {
    let conf = "";
    try {
      conf = readFileSync("/etc/resolv.conf", "utf8");
    } catch {
      // No resolv.conf: Go then falls back to the local resolver.
    }
    const ip = /^\s*nameserver\s+(\S+)/m.exec(conf)?.[1] ?? "127.0.0.1";
    nameserver = ip.includes(":") ? `[${ip}]:53` : `${ip}:53`;
  }
  return nameserver;
}

function hostPort(address: string, port: number | undefined): string {
  const host = address.includes(":") ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/** What Go's HTTP client would report for this failure; other errors keep their message. */
export function goNetError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as SystemError;
  const code = e.code ?? "";
  if (CONNECT_ERRORS[code] && e.address) return `dial tcp ${hostPort(e.address, e.port)}: connect: ${CONNECT_ERRORS[code]}`;
  if (code === "ENOTFOUND" && e.hostname) return `dial tcp: lookup ${e.hostname} on ${resolver()}: no such host`;
  // The peer closed the connection before any response: Go reads io.EOF.
  if (code === "ECONNRESET" && e.message === "socket hang up") return "EOF";
  if (code === "ECONNRESET") return "read tcp: read: connection reset by peer";
  if (code === "EPIPE") return "write tcp: write: broken pipe";
  if (TLS_ERRORS[code]) return TLS_ERRORS[code];
  return e.message;
}
