// Holds the one instance of build/wasm/promwasm.wasm for this realm.
//
// Loader choice: raw WebAssembly.instantiate. Every export takes and returns numbers
// (pointer, length, status), so neither @assemblyscript/loader (deprecated since AS 0.20)
// nor asc's generated ESM bindings (which fetch/read the file themselves, one way per
// environment) add anything; the only import to supply is `abort`. Raw instantiation lets
// load-node.ts and load-browser.ts feed the same instantiate(bytes).
//
// In Node the module also loads itself synchronously on first use (via
// process.getBuiltinModule or the reader load-node.ts registers, so this file stays free
// of node: imports and can ship to browsers); the browser must `await loadWasm()` first.
import { WasmAbortError, WasmNotLoadedError } from "./errors.js";
import type { WasmExports } from "./exports.js";

let current: WasmExports | undefined;
// The compiled module, kept for instances of their own (separateInstance).
let compiled: WebAssembly.Module | undefined;
// Set by load-node.ts on import: reads the .wasm synchronously on first use, for Node
// versions without process.getBuiltinModule (before 20.16).
let syncSource: (() => Uint8Array<ArrayBuffer> | undefined) | undefined;

export function registerSyncSource(source: () => Uint8Array<ArrayBuffer> | undefined): void {
  syncSource = source;
}

function readAsString(mem: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return "";
  const buf = mem.buffer;
  // AssemblyScript strings are UTF-16LE with their byte length in the 4 bytes before them.
  const byteLen = new Uint32Array(buf, ptr - 4, 1)[0]!;
  return String.fromCharCode(...new Uint16Array(buf, ptr, byteLen >>> 1));
}

function imports(memoryRef: { mem?: WebAssembly.Memory }): WebAssembly.Imports {
  return {
    env: {
      abort(msg: number, file: number, line: number, column: number): never {
        const mem = memoryRef.mem;
        const detail = mem ? readAsString(mem, msg) : "";
        const fileName = mem ? readAsString(mem, file) : "?";
        throw new WasmAbortError(detail, fileName, line, column);
      },
    },
  };
}

function adopt(instance: WebAssembly.Instance, ref: { mem?: WebAssembly.Memory }): WasmExports {
  const exp = instance.exports as unknown as WasmExports;
  ref.mem = exp.memory;
  current = exp;
  return exp;
}

/** Compiles and instantiates the module from its bytes (or a compiled Module) and makes it current. */
export async function instantiate(source: BufferSource | WebAssembly.Module): Promise<WasmExports> {
  const ref: { mem?: WebAssembly.Memory } = {};
  if (source instanceof WebAssembly.Module) {
    compiled = source;
    return adopt(await WebAssembly.instantiate(source, imports(ref)), ref);
  }
  const { module, instance } = await WebAssembly.instantiate(source, imports(ref));
  compiled = module;
  return adopt(instance, ref);
}

/** Synchronous variant for Node (browsers refuse synchronous compiles of large modules on the main thread). */
export function instantiateSync(bytes: BufferSource): WasmExports {
  const ref: { mem?: WebAssembly.Memory } = {};
  compiled = new WebAssembly.Module(bytes);
  return adopt(new WebAssembly.Instance(compiled, imports(ref)), ref);
}

/** For load-browser.ts: instantiateStreaming needs the same imports. */
export async function instantiateStreamingResponse(response: Response | PromiseLike<Response>): Promise<WasmExports> {
  const ref: { mem?: WebAssembly.Memory } = {};
  const { module, instance } = await WebAssembly.instantiateStreaming(response, imports(ref));
  compiled = module;
  return adopt(instance, ref);
}

/**
 * Another instance of the module, with a memory of its own, for state that must outlive
 * the codec instance's scratch arena (the head's open chunks). Not made current.
 */
export function separateInstance(): WasmExports {
  if (!compiled) wasmExports();
  const ref: { mem?: WebAssembly.Memory } = {};
  const exp = new WebAssembly.Instance(compiled!, imports(ref)).exports as unknown as WasmExports;
  ref.mem = exp.memory;
  return exp;
}

export function isWasmLoaded(): boolean {
  return current !== undefined;
}

/**
 * The loaded module's exports. Sibling modules in src/wasm/ call this once per bulk
 * operation; never keep a view of `memory.buffer` across a call that may grow memory.
 */
export function wasmExports(): WasmExports {
  if (current) return current;
  const bytes = syncSource?.() ?? readWasmFileSyncInNode();
  if (bytes) return instantiateSync(bytes);
  throw new WasmNotLoadedError("WASM codec not loaded: await loadWasm() from src/wasm/load-browser.ts first");
}

interface NodeFs {
  existsSync(path: string): boolean;
  readFileSync(path: string): Uint8Array<ArrayBuffer>;
}
interface NodePath {
  dirname(path: string): string;
  join(...parts: string[]): string;
}
interface NodeUrl {
  fileURLToPath(url: string): string;
}

/**
 * The .wasm beside the package root: walks up from this module (src/wasm/ under vitest,
 * build/dist/src/wasm/ when compiled) to the first directory holding package.json and
 * build/wasm/promwasm.wasm.
 */
export function findWasmFile(fromUrl: string, fs: NodeFs, path: NodePath, url: NodeUrl): string | undefined {
  let dir = path.dirname(url.fileURLToPath(fromUrl));
  for (;;) {
    const candidate = path.join(dir, "build", "wasm", "promwasm.wasm");
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readWasmFileSyncInNode(): Uint8Array<ArrayBuffer> | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== "function" || !import.meta.url.startsWith("file:")) return undefined;
  const fs = proc.getBuiltinModule("node:fs") as NodeFs;
  const path = proc.getBuiltinModule("node:path") as NodePath;
  const url = proc.getBuiltinModule("node:url") as NodeUrl;
  const file = findWasmFile(import.meta.url, fs, path, url);
  if (!file) {
    throw new WasmNotLoadedError("WASM codec not found: build/wasm/promwasm.wasm is missing (run `npm run build:wasm`)");
  }
  return fs.readFileSync(file);
}
