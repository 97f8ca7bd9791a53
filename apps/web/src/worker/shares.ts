import type { AnalysisPart } from '@capscope/analytics/partition-merge';
import { wrap } from 'comlink';
import type { ShareApi } from './share-protocol';

/**
 * Workers for shares 1..count-1 of a file's flows, started beside the
 * import worker, which analyses share 0 itself. Each reads the whole file
 * (a local read runs near 1 GB/s, well ahead of the analysis); only its
 * own flows cost it more than framing and decoding.
 */
export class ShareWorkers {
  private readonly workers: Worker[] = [];
  private readonly parts: Array<Promise<AnalysisPart>> = [];

  constructor(file: Blob, readonly count: number) {
    for (let index = 1; index < count; index++) {
      const worker = new Worker(new URL('./share.worker.ts', import.meta.url),
        { type: 'module' });
      this.workers.push(worker);
      const failed = new Promise<never>((_, reject) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          reject(new Error(`share worker ${index} failed: ${event.message}`));
        });
      });
      const api = wrap<ShareApi>(worker);
      const part = Promise.race([api.analyseShare(file, index, count), failed]);
      // A failure is seen by results(); until then it is no unhandled one.
      part.catch(() => undefined);
      this.parts.push(part);
    }
  }

  /** The shares once all are done; rejects if any worker failed. */
  async results(): Promise<AnalysisPart[]> {
    try {
      return await Promise.all(this.parts);
    } finally {
      this.end();
    }
  }

  end(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
  }
}
