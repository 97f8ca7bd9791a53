// The boundary between the import worker and the workers it starts for a
// share of a capture's flows (shares.ts, share.worker.ts): types only.

import type { AnalysisPart } from '@capscope/analytics/partition-merge';

export interface ShareApi {
  /**
   * Reads the whole file and analyses the flows of share `index` of
   * `count` (see partition.ts); the typed arrays come back transferred.
   */
  analyseShare(file: Blob, index: number, count: number):
    Promise<AnalysisPart>;
}
