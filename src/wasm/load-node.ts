// Node entry: reads build/wasm/promwasm.wasm with node:fs/promises and instantiates it.
// Optional: wasmExports() also loads synchronously on first use in Node; call this to
// load at startup and surface a missing file early.
import { readFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WasmNotLoadedError } from "./errors.js";
import type { WasmExports } from "./exports.js";
import { findWasmFile, instantiate, registerSyncSource } from "./instance.js";

function defaultPath(): string | undefined {
  return findWasmFile(import.meta.url, { existsSync, readFileSync }, { dirname, join }, { fileURLToPath });
}

registerSyncSource(() => {
  const path = defaultPath();
  return path ? readFileSync(path) : undefined;
});

export async function loadWasm(file?: string): Promise<WasmExports> {
  const path = file ?? defaultPath();
  if (!path) throw new WasmNotLoadedError("WASM codec not found: build/wasm/promwasm.wasm is missing (run `npm run build:wasm`)");
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new WasmNotLoadedError(`load WASM codec: read ${path}`, { cause });
  }
  return instantiate(bytes);
}
