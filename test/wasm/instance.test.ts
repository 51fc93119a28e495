import { describe, expect, test } from "vitest";
import { WasmAbortError, WasmNotLoadedError, decodeXor, encodeXor, isWasmLoaded, loadWasm } from "../../src/wasm/index.js";
import { wasmExports } from "../../src/wasm/instance.js";

describe("WASM instance and loaders", () => {
  test("Node loads the module on first use and loadWasm() reloads it from disk", async () => {
    const chunk = encodeXor(new Float64Array([1, 2]), new Float64Array([3, 4]));
    expect(isWasmLoaded()).toBe(true);
    const w = await loadWasm();
    expect(w).toBe(wasmExports());
    expect(Array.from(decodeXor(chunk).vs)).toEqual([3, 4]);
  });

  test("a missing .wasm file is a WasmNotLoadedError that keeps the cause", async () => {
    const err = await loadWasm("/nonexistent/promwasm.wasm").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmNotLoadedError);
    expect((err as Error).message).toContain("/nonexistent/promwasm.wasm");
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  test("AssemblyScript abort() becomes WasmAbortError naming the AS file and line", () => {
    const w = wasmExports();
    let err: unknown;
    try {
      w.arenaAlloc(0x7fffffff); // beyond the stub runtime's largest block
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmAbortError);
    const abort = err as WasmAbortError;
    expect(abort.file).toMatch(/stub\.ts$/);
    expect(abort.line).toBeGreaterThan(0);
    expect(abort.message).toContain("Allocation too large");
    // The module stays usable afterwards.
    expect(decodeXor(encodeXor(new Float64Array([5]), new Float64Array([6]))).ts[0]).toBe(5);
  });
});
