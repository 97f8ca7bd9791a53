import { readFile } from 'node:fs/promises';
import type { HeaderKernelModule } from './header-kernel-wasm.js';
import { compileHeaderKernel } from './header-kernel-wasm.js';

/** dist/kernel.wasm, which the parser's build compiles from wasm/. */
export const KERNEL_WASM_URL = new URL('./kernel.wasm', import.meta.url);

/** Node only: reads kernel.wasm beside this module and compiles it. */
export async function loadHeaderKernel(): Promise<HeaderKernelModule> {
  return compileHeaderKernel(await readFile(KERNEL_WASM_URL));
}
