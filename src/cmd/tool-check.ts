// `promwasm-tool check config|web-config FILE...`, with promtool's output and exit codes.
import { access } from "node:fs/promises";
import { expandGlob } from "../config/glob.js";
import { loadConfigFile } from "../config/load.js";
import type { Config, HTTPClientConfig } from "../config/types.js";
import { loadTLSFiles, loadWebConfigFile } from "../config/web-config.js";
import { errorText } from "../log/logger.js";
import { checkRulesCommand } from "./tool-rules.js";

const SUCCESS = 0;
const FAILURE = 1;

export interface ToolIO {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const STDIO: ToolIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function checkCommand(args: string[], io: ToolIO = STDIO): Promise<number> {
  const [what, ...files] = args;
  if (what === "config" && files.length > 0) return checkConfigFiles(files, io);
  if (what === "web-config" && files.length > 0) return checkWebConfigFiles(files, io);
  io.err("usage: promwasm-tool check config|web-config FILE...\n");
  return FAILURE;
}

async function checkConfigFiles(files: string[], io: ToolIO): Promise<number> {
  let failed = false;
  for (const f of files) {
    io.out(`Checking ${f}\n`);
    try {
      const cfg = await loadConfigFile(f);
      await checkReferencedFiles(cfg);
      const ruleFiles = await matchRuleFiles(cfg.ruleFiles);
      if (ruleFiles.length > 0) io.out(`  SUCCESS: ${ruleFiles.length} rule files found\n`);
      io.out(` SUCCESS: ${f} is valid prometheus config file syntax\n\n`);
      // As promtool does, the rule files a config names are checked too.
      if (ruleFiles.length > 0 && (await checkRulesCommand(ruleFiles, io)) !== SUCCESS) failed = true;
    } catch (err) {
      failed = true;
      const where = err instanceof Error && err.message.startsWith("open ") ? "" : `parsing YAML file ${f}: `;
      io.err(`  FAILED: ${where}${errorText(err)}\n\n`);
    }
  }
  return failed ? FAILURE : SUCCESS;
}

/** promtool also checks that the files a config names exist; so do we. */
async function checkReferencedFiles(cfg: Config): Promise<void> {
  const clients: HTTPClientConfig[] = [
    ...cfg.scrapeConfigs.map((s) => s.httpClientConfig),
    ...cfg.alerting.alertmanagers.map((a) => a.httpClientConfig),
    ...cfg.remoteWriteConfigs.map((w) => w.httpClientConfig),
    ...cfg.remoteReadConfigs.map((w) => w.httpClientConfig),
  ];
  for (const c of clients) {
    const auth = c.authorization;
    if (auth && auth.credentialsFile !== "") await mustExist(auth.credentialsFile, `error checking authorization credentials or bearer token file`);
    const t = c.tlsConfig;
    if (t.certFile !== "") await mustExist(t.certFile, "error checking client cert file");
    if (t.keyFile !== "") await mustExist(t.keyFile, "error checking client key file");
  }
}

async function mustExist(path: string, what: string): Promise<void> {
  try {
    await access(path);
  } catch (cause) {
    throw new Error(`${what} "${path}"`, { cause: new Error(`stat ${path}: no such file or directory`, { cause }) });
  }
}

async function matchRuleFiles(patterns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    const matches = await expandGlob(p);
    // A pattern without glob characters must name an existing file.
    if (matches.length === 0 && !/[*?[]/.test(p)) throw new Error(`"${p}" does not point to an existing file`);
    out.push(...matches);
  }
  return out;
}

async function checkWebConfigFiles(files: string[], io: ToolIO): Promise<number> {
  let failed = false;
  for (const f of files) {
    try {
      const cfg = await loadWebConfigFile(f);
      if (cfg.tlsServerConfig) await loadTLSFiles(cfg.tlsServerConfig);
      io.out(`${f} SUCCESS\n`);
    } catch (err) {
      failed = true;
      io.err(`${f} FAILED: ${errorText(err)}\n`);
    }
  }
  return failed ? FAILURE : SUCCESS;
}
