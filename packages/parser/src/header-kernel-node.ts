import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { HeaderKernelModule } from './header-kernel-wasm.js';
import { compileHeaderKernel } from './header-kernel-wasm.js';

/**
 * dist/kernel.wasm, which the parser's build compiles from wasm/, found by
 * the package's name so that a bundle of this module (the command line's)
 * finds it too.
 */
export const KERNEL_WASM_PATH = createRequire(import.meta.url)
  .resolve('@capscope/parser/kernel.wasm');

/** Node only: reads kernel.wasm beside this module and compiles it. */
export async function loadHeaderKernel(): Promise<HeaderKernelModule> {
  return compileHeaderKernel(await readFile(KERNEL_WASM_PATH));
}
