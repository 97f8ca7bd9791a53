import { loadHeaderKernel } from '@capscope/parser/header-kernel-node';
import type { KernelChoice } from '../kernel-choice.js';
import { parseKernelChoice, recordLoops } from '../kernel-choice.js';

export type { KernelChoice };

/**
 * The CLI's reader of classic pcap (see kernel-choice.ts): the one
 * CAPSCOPE_KERNEL names, 'decoder' when unset, null when it names none.
 */
export function kernelChoice(): KernelChoice | null {
  return parseKernelChoice(process.env.CAPSCOPE_KERNEL);
}

/** A record loop of its own for one analysis, or none for the decoder. */
export const recordLoopFor = recordLoops(loadHeaderKernel);
