import { TsRecordLoop } from '@capscope/parser/header-kernel';
import type { RecordLoop } from '@capscope/parser/header-kernel-engine';
import type { HeaderKernelModule } from '@capscope/parser/header-kernel-wasm';
import { instantiateRecordLoop } from '@capscope/parser/header-kernel-wasm';

/**
 * What reads classic pcap for an analysis: CaptureReader and
 * decodePacket() ('decoder'), or a header kernel ('ts' or 'wasm') whose
 * records the analysis takes (AnalysisOptions.recordLoop). All give the
 * same result (analysis-kernel.test.ts); the CLI's CAPSCOPE_KERNEL and the
 * page's `?kernel=` pick one, so that the bench can time each.
 *
 * 'decoder' is the default in both runtimes because it is the fastest end
 * to end there: the WebAssembly kernel frames and decodes faster than the
 * TypeScript one, but the analysis then fills its packet objects from the
 * records and looks at each frame's headers again, and on the bench's
 * captures that cost what the kernel saved (README, "WebAssembly kernel").
 */
export type KernelChoice = 'decoder' | 'ts' | 'wasm';

export const KERNEL_CHOICES: readonly KernelChoice[] = ['decoder', 'ts',
  'wasm'];

/** The choice `text` names; 'decoder' for none; null for anything else. */
export function parseKernelChoice(
  text: string | null | undefined,
): KernelChoice | null {
  if (text === null || text === undefined || text === '') return 'decoder';
  return KERNEL_CHOICES.find((choice) => choice === text) ?? null;
}

/**
 * Makes record loops for analyses: a fresh one each (a loop is one
 * reader's), none for 'decoder'. kernel.wasm is loaded by `load` once, on
 * first need.
 */
export function recordLoops(
  load: () => Promise<HeaderKernelModule>,
): (choice: KernelChoice) => Promise<RecordLoop | undefined> {
  let compiled: Promise<HeaderKernelModule> | null = null;
  return async (choice) => {
    if (choice === 'ts') return new TsRecordLoop();
    if (choice !== 'wasm') return undefined;
    compiled ??= load();
    return instantiateRecordLoop(await compiled);
  };
}
