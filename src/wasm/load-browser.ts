// Browser entry: streams the .wasm with instantiateStreaming (falling back to bytes
// when the server sends a MIME type other than application/wasm).
import { WasmNotLoadedError } from "./errors.js";
import type { WasmExports } from "./exports.js";
import { instantiate, instantiateStreamingResponse } from "./instance.js";

export async function loadWasm(url: URL | string): Promise<WasmExports> {
  const response = await fetch(url);
  if (!response.ok) throw new WasmNotLoadedError(`load WASM codec: GET ${String(url)}: HTTP ${response.status}`);
  if (typeof WebAssembly.instantiateStreaming === "function" && response.headers.get("content-type")?.startsWith("application/wasm")) {
    return instantiateStreamingResponse(response);
  }
  return instantiate(await response.arrayBuffer());
}
