/**
 * The few parts of the WebAssembly API that the packages' modules use
 * (the header kernel, the command line's line writer). The packages are
 * built against ES2022 alone, which has no types for that API, so they
 * are named here.
 */

/** A compiled module: a WebAssembly.Module. */
export interface WasmModule {
  readonly [moduleBrand]: true;
}
declare const moduleBrand: unique symbol;

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{
    exports: object;
  }>;
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi })
  .WebAssembly;

/** A WebAssembly memory page. */
export const WASM_PAGE_BYTES = 64 * 1024;
