// Node entry: reads build/wasm/promwasm.wasm with node:fs/promises and instantiates it.
// Optional: wasmExports() also loads synchronously on first use in Node; call this to
// load at startup and surface a missing file early.
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WasmNotLoadedError } from "./errors.js";
import type { WasmExports } from "./exports.js";
import { findWasmFile, instantiate } from "./instance.js";

export async function loadWasm(file?: string): Promise<WasmExports> {
  const path = file ?? findWasmFile(import.meta.url, { existsSync, readFileSync: () => new Uint8Array() }, { dirname, join }, { fileURLToPath });
  if (!path) throw new WasmNotLoadedError("WASM codec not found: build/wasm/promwasm.wasm is missing (run `npm run build:wasm`)");
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new WasmNotLoadedError(`load WASM codec: read ${path}`, { cause });
  }
  return instantiate(bytes);
}
