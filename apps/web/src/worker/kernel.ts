import { recordLoops } from '@capscope/analytics/kernel-choice';
import { fetchHeaderKernel } from '@capscope/parser/header-kernel-wasm';
import kernelWasmUrl from '@capscope/parser/kernel.wasm?url&no-inline';

/**
 * Record loops for the import's analyses (see kernel-choice.ts): the
 * WebAssembly kernel is fetched from the page's own origin and compiled
 * once per worker, on first need.
 */
export const recordLoopFor = recordLoops(() =>
  fetchHeaderKernel(new URL(kernelWasmUrl, self.location.href)));
