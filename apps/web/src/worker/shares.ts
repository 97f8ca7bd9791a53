import type { KernelChoice } from '@capscope/analytics/kernel-choice';
import type { AnalysisPart } from '@capscope/analytics/partition-merge';
import { transfer, wrap, type Remote } from 'comlink';
import type { CaptureFigures } from './protocol';
import type { ShareApi, ShareFlows } from './share-protocol';

/**
 * Bytes are sent in batches of this size: a download's chunks can be a
 * few kilobytes, and a message costs tens of microseconds.
 */
const BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Batches a share may have waiting: enough that it never idles while the
 * import worker reads, few enough that a slow share holds back the read
 * (so memory stays at a few batches per share, not the file).
 */
const MAX_BATCHES_WAITING = 4;

interface Share {
  worker: Worker;
  api: Remote<ShareApi>;
  /** Rejects when the worker fails; pushes race it so none hangs. */
  failed: Promise<never>;
  waiting: Array<Promise<unknown>>;
  /** What its latest analysed batch left it with. */
  flows: ShareFlows;
}

/**
 * Workers for shares 1..count-1 of a capture's flows, beside the import
 * worker, which analyses share 0 itself and sends them every byte it
 * reads (copied, in batches): the file or download is read once.
 */
export class ShareWorkers {
  private readonly shares: Share[] = [];
  private batch = new Uint8Array(BATCH_BYTES);
  private batchBytes = 0;

  constructor(
    readonly count: number,
    kernel: KernelChoice,
  ) {
    for (let index = 1; index < count; index++) {
      const worker = new Worker(new URL('./share.worker.ts', import.meta.url),
        { type: 'module' });
      const failed = new Promise<never>((_, reject) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          reject(new Error(`share worker ${index} failed: ${event.message}`));
        });
      });
      failed.catch(() => undefined);
      const api = wrap<ShareApi>(worker);
      const share: Share = { worker, api, failed, waiting: [],
        flows: { flows: 0, tcpFlows: 0, udpFlows: 0 } };
      this.shares.push(share);
      void this.race(share, api.start(index, count, kernel));
    }
  }

  /** Sends `chunk` on; waits while a share is too far behind. */
  async feed(chunk: Uint8Array): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const room = BATCH_BYTES - this.batchBytes;
      const part = chunk.subarray(at, at + room);
      this.batch.set(part, this.batchBytes);
      this.batchBytes += part.length;
      at += part.length;
      if (this.batchBytes === BATCH_BYTES) await this.flush();
    }
  }

  /**
   * `figures` (this worker's share) with the other shares' flows so far
   * added, for the figures shown while the import runs.
   */
  withSharedFlows(figures: CaptureFigures): CaptureFigures {
    const out = { ...figures };
    for (const { flows } of this.shares) {
      out.flows += flows.flows;
      out.tcpFlows += flows.tcpFlows;
      out.udpFlows += flows.udpFlows;
    }
    return out;
  }

  /**
   * The shares once all are done; rejects if any worker failed. `cut` as
   * CaptureAnalysis.end() takes it.
   */
  async results(cut: boolean): Promise<AnalysisPart[]> {
    try {
      await this.flush();
      for (const share of this.shares) await Promise.all(share.waiting);
      return await Promise.all(this.shares.map((share) =>
        this.race(share, share.api.finish(cut))));
    } finally {
      this.end();
    }
  }

  end(): void {
    for (const share of this.shares) share.worker.terminate();
    this.shares.length = 0;
  }

  private async flush(): Promise<void> {
    if (this.batchBytes === 0) return;
    const full = this.batch.subarray(0, this.batchBytes);
    for (const [i, share] of this.shares.entries()) {
      // The last share takes the batch itself; the others take copies.
      const bytes = i === this.shares.length - 1 ? full : full.slice();
      const pushed = this.race(share,
        share.api.push(transfer(bytes, [bytes.buffer])));
      pushed.then((flows) => (share.flows = flows), () => undefined);
      share.waiting.push(pushed);
      if (share.waiting.length > MAX_BATCHES_WAITING) {
        await share.waiting.shift();
      }
    }
    this.batch = new Uint8Array(BATCH_BYTES);
    this.batchBytes = 0;
  }

  private race<T>(share: Share, work: Promise<T>): Promise<T> {
    const raced = Promise.race([work, share.failed]);
    raced.catch(() => undefined);
    return raced;
  }
}
