import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { HeaderKernelModule } from './header-kernel-wasm.js';
import { compileHeaderKernel } from './header-kernel-wasm.js';

/**
 * Node only: reads dist/kernel.wasm, which the parser's build compiles
 * from wasm/, and compiles it. The file is found by the package's name, so
 * that a bundle of this module (the command line's) finds it too.
 */
export async function loadHeaderKernel(): Promise<HeaderKernelModule> {
  let path: string;
  try {
    path = createRequire(import.meta.url)
      .resolve('@capscope/parser/kernel.wasm');
  } catch {
    throw new Error('the WebAssembly kernel (@capscope/parser/kernel.wasm) ' +
      'cannot be found');
  }
  return compileHeaderKernel(await readFile(path));
}
