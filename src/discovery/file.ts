// file_sd_configs: target groups from JSON or YAML files matching patterns (a glob may appear
// in the last path element), re-read on change (fs.watch on their directories) and every
// refresh interval. Each target gets __meta_filepath.
import { readdir, readFile } from "node:fs/promises";
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { nopLogger, type Logger } from "../log/logger.js";
import { parseTargetGroups } from "./group-parse.js";
import type { Discoverer, TargetGroup } from "./interface.js";
import { refreshLoop, removedSources } from "./refresh.js";

export interface FileSdOptions {
  readonly files: readonly string[];
  /** Re-read interval; Prometheus' default is 5m. */
  readonly refreshIntervalMs?: number;
  readonly logger?: Logger;
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (const c of glob) {
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const EXTENSIONS = new Set([".json", ".yml", ".yaml"]);

export class FileDiscoverer implements Discoverer {
  private readonly opts: FileSdOptions;
  private readonly logger: Logger;
  /** Sources last sent, per file. */
  private readonly sent = new Map<string, Set<string>>();

  constructor(opts: FileSdOptions) {
    this.opts = opts;
    this.logger = (opts.logger ?? nopLogger).with({ discovery: "file" });
  }

  private async listFiles(): Promise<string[]> {
    const out: string[] = [];
    for (const pattern of this.opts.files) {
      const dir = dirname(pattern);
      const base = basename(pattern);
      if (!/[*?]/.test(base)) {
        out.push(pattern);
        continue;
      }
      const re = globToRegExp(base);
      let names: string[] = [];
      try {
        names = await readdir(dir);
      } catch (err) {
        this.logger.error("Error reading directory", { dir, err });
      }
      for (const n of names.sort()) if (re.test(n) && EXTENSIONS.has(extname(n))) out.push(join(dir, n));
    }
    return out;
  }

  private async readGroups(file: string): Promise<TargetGroup[] | undefined> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new Error(`read ${file}`, { cause: err });
    }
    const ext = extname(file);
    const data: unknown = ext === ".json" ? JSON.parse(text) : parseYaml(text);
    return parseTargetGroups(data, (i) => `${file}:${i}`, { __meta_filepath: file });
  }

  async refresh(emit: (groups: TargetGroup[]) => void): Promise<void> {
    const seen = new Set<string>();
    const out: TargetGroup[] = [];
    for (const file of await this.listFiles()) {
      let groups: TargetGroup[] | undefined;
      try {
        groups = await this.readGroups(file);
      } catch (err) {
        // Keep the file's last groups: a half-written file must not drop its targets.
        this.logger.error("Error reading file", { path: file, err });
        seen.add(file);
        continue;
      }
      if (groups === undefined) continue;
      seen.add(file);
      const sources = new Set(groups.map((g) => g.source));
      out.push(...groups, ...removedSources(this.sent.get(file) ?? new Set(), sources));
      this.sent.set(file, sources);
    }
    for (const [file, sources] of this.sent) {
      if (seen.has(file)) continue;
      out.push(...removedSources(sources, new Set()));
      this.sent.delete(file);
    }
    if (out.length > 0) emit(out);
  }

  async run(signal: AbortSignal, emit: (groups: TargetGroup[]) => void): Promise<void> {
    // A change seen while a refresh runs must still cause one more refresh afterwards.
    let wakeResolve: (() => void) | undefined;
    let pending = false;
    const onChange = (): void => {
      if (wakeResolve) {
        wakeResolve();
        wakeResolve = undefined;
      } else pending = true;
    };
    const wake = {
      promise: (): Promise<void> => {
        if (pending) {
          pending = false;
          return Promise.resolve();
        }
        return new Promise<void>((r) => (wakeResolve = r));
      },
    };
    const watchers: FSWatcher[] = [];
    for (const dir of new Set(this.opts.files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, onChange);
        w.on("error", (err) => this.logger.error("Error watching directory", { dir, err }));
        watchers.push(w);
      } catch (err) {
        this.logger.error("Error adding file watch", { dir, err });
      }
    }
    try {
      await refreshLoop(signal, this.opts.refreshIntervalMs ?? 300_000, this.logger, () => this.refresh(emit), wake);
    } finally {
      for (const w of watchers) w.close();
    }
  }
}
