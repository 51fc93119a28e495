// kubernetes_sd_configs: reading and the checks Prometheus makes on load (role, the ways to
// reach the API server, which selectors each role takes, selector syntax).
import type { Node } from "yaml";
import { HTTPClientFields, resolvePath } from "./http-client.js";
import { DEFAULT_HTTP_CLIENT, type KubernetesRole, type KubernetesSDConfig, type KubernetesSelector } from "./types.js";
import type { YamlReader } from "./yaml-reader.js";

const ROLES: readonly KubernetesRole[] = ["node", "pod", "service", "endpoints", "endpointslice", "ingress"];

/** Which selector roles each discovery role watches (and so may restrict). */
const ALLOWED_SELECTORS: Readonly<Record<KubernetesRole, readonly KubernetesRole[]>> = {
  pod: ["pod", "node"],
  service: ["service"],
  endpointslice: ["pod", "service", "endpointslice"],
  endpoints: ["pod", "service", "endpoints"],
  node: ["node"],
  ingress: ["ingress"],
};

function readRole(node: Node, r: YamlReader): KubernetesRole {
  const role = r.string(node);
  if (!(ROLES as readonly string[]).includes(role)) r.fail(node, `unknown Kubernetes SD role "${role}"`);
  return role as KubernetesRole;
}

export function readKubernetesSDConfig(node: Node, r: YamlReader, baseDir: string): KubernetesSDConfig {
  const client = new HTTPClientFields(baseDir);
  let apiServer = "";
  let role: KubernetesRole | undefined;
  let kubeconfigFile = "";
  const namespaces = { ownNamespace: false, names: [] as string[] };
  let selectors: Array<KubernetesSelector & { node: Node }> = [];
  const attachMetadata = { node: false, namespace: false, deployment: false, job: false, cronjob: false };
  r.object(node, "kubernetes.SDConfig", {
    ...client.readers(),
    api_server: (v) => {
      apiServer = r.string(v);
      checkURL(apiServer, v, r);
    },
    role: (v) => (role = readRole(v, r)),
    kubeconfig_file: (v) => (kubeconfigFile = resolvePath(baseDir, r.string(v))),
    namespaces: (v) =>
      r.object(v, "kubernetes.NamespaceDiscovery", {
        own_namespace: (b) => (namespaces.ownNamespace = r.bool(b)),
        names: (l) => (namespaces.names = r.stringList(l)),
      }),
    selectors: (v) =>
      (selectors = r.list(v, (s) => {
        const sel = { role: "" as KubernetesRole, label: "", field: "", node: s };
        r.object(s, "kubernetes.SelectorConfig", {
          role: (x) => (sel.role = readRole(x, r)),
          label: (x) => (sel.label = r.string(x)),
          field: (x) => (sel.field = r.string(x)),
        });
        return sel;
      })),
    attach_metadata: (v) =>
      r.object(v, "kubernetes.AttachMetadataConfig", {
        node: (b) => (attachMetadata.node = r.bool(b)),
        namespace: (b) => (attachMetadata.namespace = r.bool(b)),
        deployment: (b) => (attachMetadata.deployment = r.bool(b)),
        job: (b) => (attachMetadata.job = r.bool(b)),
        cronjob: (b) => (attachMetadata.cronjob = r.bool(b)),
      }),
  });
  if (role === undefined) return r.fail(node, "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
  const httpClientConfig = client.build(r);
  const customClient = httpClientConfig !== DEFAULT_HTTP_CLIENT;
  if (apiServer !== "" && kubeconfigFile !== "") r.fail(node, "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  if (kubeconfigFile !== "" && customClient) r.fail(node, "cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
  if (apiServer === "" && customClient) r.fail(node, "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
  if (apiServer !== "" && namespaces.ownNamespace) r.fail(node, "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  if (kubeconfigFile !== "" && namespaces.ownNamespace) r.fail(node, "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
  const seen = new Set<KubernetesRole>();
  for (const s of selectors) {
    if (seen.has(s.role)) r.fail(s.node, `duplicated selector role: ${s.role}`);
    seen.add(s.role);
    const allowed = ALLOWED_SELECTORS[role];
    if (!allowed.includes(s.role)) r.fail(s.node, `${role} role supports only ${allowed.join(", ")} selectors`);
    const fieldProblem = fieldSelectorProblem(s.field);
    if (fieldProblem) r.fail(s.node, `invalid field selector "${s.field}": ${fieldProblem}`);
    const labelProblem = labelSelectorProblem(s.label);
    if (labelProblem) r.fail(s.node, `invalid label selector "${s.label}": ${labelProblem}`);
  }
  return {
    apiServer,
    role,
    kubeconfigFile,
    namespaces,
    selectors: selectors.map(({ role: sr, label, field }) => ({ role: sr, label, field })),
    attachMetadata,
    httpClientConfig,
  };
}

function checkURL(url: string, node: Node, r: YamlReader): void {
  try {
    new URL(url);
  } catch (cause) {
    r.fail(node, `parse "${url}": invalid URL`, cause);
  }
}

// Kubernetes label keys: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters.
const LABEL_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && (!LABEL_PREFIX.test(key.slice(0, slash)) || slash > 253)) return `invalid label key prefix in "${key}"`;
  if (!LABEL_NAME_PART.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

function labelValueProblem(value: string): string | undefined {
  return value === "" || LABEL_NAME_PART.test(value) ? undefined : `invalid label value "${value}"`;
}

/** Splits on commas outside parentheses ("a in (x,y),b" is two requirements). */
function splitRequirements(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      out.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  out.push(selector.slice(start));
  return out.map((s) => s.trim());
}

/** Why a Kubernetes label selector would be refused, or undefined if it is fine ("" selects everything). */
export function labelSelectorProblem(selector: string): string | undefined {
  if (selector.trim() === "") return undefined;
  for (const req of splitRequirements(selector)) {
    if (req === "") return "empty requirement";
    let m = /^!\s*([^\s!=<>(),]+)$/.exec(req) ?? /^([^\s!=<>(),]+)$/.exec(req);
    if (m) {
      const p = labelKeyProblem(m[1]!);
      if (p) return p;
      continue;
    }
    m = /^([^\s!=<>(),]+)\s*(==|=|!=)\s*([^\s!=<>(),]*)$/.exec(req);
    if (m) {
      const p = labelKeyProblem(m[1]!) ?? labelValueProblem(m[3]!);
      if (p) return p;
      continue;
    }
    m = /^([^\s!=<>(),]+)\s*([<>])\s*(\S+)$/.exec(req);
    if (m) {
      const p = labelKeyProblem(m[1]!) ?? (/^-?\d+$/.test(m[3]!) ? undefined : `for '${m[2]}' operator, the value must be an integer`);
      if (p) return p;
      continue;
    }
    m = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(req);
    if (m) {
      const p = labelKeyProblem(m[1]!) ?? m[3]!.split(",").map((v) => labelValueProblem(v.trim())).find((x) => x !== undefined);
      if (p) return p;
      continue;
    }
    return `cannot parse requirement "${req}"`;
  }
  return undefined;
}

/** Why a Kubernetes field selector would be refused ("key=value", "key==value", "key!=value", comma-separated). */
export function fieldSelectorProblem(selector: string): string | undefined {
  if (selector.trim() === "") return undefined;
  for (const term of selector.split(",")) {
    if (!/^[^=!,\s]+\s*(==|=|!=)\s*[^,]*$/.test(term.trim())) return `can't understand "${term}"`;
  }
  return undefined;
}
