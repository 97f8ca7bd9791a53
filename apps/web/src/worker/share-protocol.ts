// The boundary between the import worker and the workers it starts for a
// share of a capture's flows (shares.ts, share.worker.ts): types only.

import type { KernelChoice } from '@capscope/analytics/kernel-choice';
import type { AnalysisPart } from '@capscope/analytics/partition-merge';

/**
 * A share's worker analyses the bytes the import worker read, as they come:
 * the file is read once, whatever the number of workers.
 */
export interface ShareApi {
  /**
   * Starts share `index` of `count` (see partition.ts), reading classic
   * pcap with `kernel` (kernel-choice.ts; the decoder when that kernel
   * cannot be loaded).
   */
  start(index: number, count: number, kernel: KernelChoice): void;
  /**
   * The next bytes of the capture, transferred; resolves once analysed,
   * with the share's flows so far (for the figures shown meanwhile).
   */
  push(chunk: Uint8Array): Promise<ShareFlows>;
  /**
   * The share, its typed arrays transferred; after the last push. `cut`
   * when reading the file failed (see CaptureAnalysis.end()).
   */
  finish(cut: boolean): Promise<AnalysisPart>;
}

/** A share's flows so far, by protocol. */
export interface ShareFlows {
  flows: number;
  tcpFlows: number;
  udpFlows: number;
}
